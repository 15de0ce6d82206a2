/**
 * The command tree. Each command lives in cli/commands/<name>.ts and registers itself here.
 */
import { Command, Option } from 'commander';
import type { GlobalOptions } from './global-options.js';
import { registerUp } from './commands/up.js';
import { registerDown } from './commands/down.js';
import { registerPs } from './commands/ps.js';
import { registerLogs } from './commands/logs.js';
import { registerStart } from './commands/start.js';
import { registerStop } from './commands/stop.js';
import { registerRestart } from './commands/restart.js';
import { registerPlan } from './commands/plan.js';
import { registerDoctor } from './commands/doctor.js';
import { registerConfig } from './commands/config.js';
import { registerPull } from './commands/pull.js';
import { registerBuild } from './commands/build.js';
import { registerImages } from './commands/images.js';
import { addLockOptions } from './project-lock-hook.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('mixcompose')
    .description('One compose stack across a Windows and a Linux Docker daemon')
    .version('0.1.0')
    .enablePositionalOptions()
    .exitOverride()
    .option('-f, --file <path>', 'compose file (repeat to merge)', collect, [])
    .option('-p, --project-name <name>', 'project name')
    .option('--project-directory <dir>', 'project directory (default: the first file\'s directory)')
    .option('--env-file <path>', 'environment file (repeatable)', collect, [])
    .option('--profile <name>', 'enable a profile (repeatable)', collect, [])
    .option('--windows-host <host>', 'Windows daemon endpoint (DOCKER_HOST form)')
    .option('--linux-host <host>', 'Linux daemon endpoint (DOCKER_HOST form)')
    .option('--windows-context <name>', 'docker context for the Windows daemon')
    .option('--linux-context <name>', 'docker context for the Linux daemon')
    .option('--allow-os-mismatch', 'let a daemon of the other OS stand in (tests, CI); prints a warning', false)
    .option('--insecure-daemon', 'allow plain tcp:// (no TLS) to a daemon on a non-loopback address; prints a warning')
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'tty', 'plain', 'json', 'quiet']).default('auto'));
  // Commands register here (one file each).
  registerUp(program);
  registerDown(program);
  registerPs(program);
  registerLogs(program);
  registerStart(program);
  registerStop(program);
  registerRestart(program);
  registerPlan(program);
  registerDoctor(program);
  registerConfig(program);
  registerPull(program);
  registerBuild(program);
  registerImages(program);
  addLockOptions(program); // --wait-lock on the mutating commands
  return program;
}

/** Reads the global options from any sub-command. */
export function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  const o = root.opts();
  return {
    file: o.file ?? [],
    projectName: o.projectName,
    projectDirectory: o.projectDirectory,
    envFile: o.envFile ?? [],
    profile: o.profile ?? [],
    windowsHost: o.windowsHost,
    linuxHost: o.linuxHost,
    windowsContext: o.windowsContext,
    linuxContext: o.linuxContext,
    allowOsMismatch: Boolean(o.allowOsMismatch) || process.env.MIXCOMPOSE_ALLOW_OS_MISMATCH === '1',
    progress: o.progress ?? 'auto',
  };
}
