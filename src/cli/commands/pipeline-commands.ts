/**
 * The commands of issue 13 (run, exec, kill, rm, pause, top, port, events, cp, wait, ls, version,
 * completion), registered in one place so the program file needs one line for all of them.
 */
import type { Command } from 'commander';
import { registerExec } from './exec.js';
import { registerRun } from './run.js';
import { registerKill } from './kill.js';
import { registerRm } from './rm.js';
import { registerPause } from './pause.js';
import { registerTop } from './top.js';
import { registerPort } from './port.js';
import { registerWait } from './wait.js';
import { registerEvents } from './events.js';
import { registerVersion } from './version.js';
import { registerLs } from './ls.js';
import { registerCompletion } from './completion.js';

export function registerPipelineCommands(program: Command): void {
  registerRun(program);
  registerExec(program);
  registerKill(program);
  registerRm(program);
  registerPause(program);
  registerTop(program);
  registerPort(program);
  registerWait(program);
  registerEvents(program);
  registerLs(program);
  registerVersion(program);
  registerCompletion(program);
}
