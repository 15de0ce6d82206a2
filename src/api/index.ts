/** The library API (see README "Library API"). */
export { loadProject, type Stack, type StackOptions, type CallOptions } from './stack.js';
export {
  up,
  down,
  start,
  stop,
  restart,
  ps,
  run,
  logs,
  type UpOptions,
  type UpResult,
  type DownOptions,
  type LifecycleOptions,
  type RunOptions,
  type RunResult,
  type LogsOptions,
  type ContainerInfo,
} from './commands.js';
export { copy, type CopyOptions } from './copy.js';
