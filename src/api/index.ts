/** The library API (see README "Library API"). */
export { loadProject, type Stack, type StackOptions, type CallOptions } from './stack.js';
export { up, down, ps, run, logs, type UpOptions, type UpResult, type DownOptions, type RunOptions, type RunResult, type LogsOptions, type ContainerInfo } from './commands.js';
