/**
 * The table of commands (what program.ts registers and the root's help lists) and what the entry
 * can tell from the arguments alone: which command they name, so that main.ts starts loading its
 * module while the program itself loads (the two would otherwise load one after the other).
 * Light on purpose: it imports only command-word.ts, and each command's module only when asked.
 */
import type { Command } from 'commander';
import { commandWord } from './command-word.js';

/** What a command module exports: adds its command(s) to the program. */
export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  readonly name: string;
  /** As the root's help lists it: the name, "[options]" when it has options, its arguments. */
  readonly term: string;
  readonly description: string;
  /** Imports the command's module; undefined for `help` (answered by the root). */
  readonly load?: () => Promise<RegisterCommand>;
}

/** Every command, in the order the help lists them. A new command: add a line here. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'up', term: 'up [options] [services...]', description: 'Create and start the stack on both daemons', load: async () => (await import('./commands/up.js')).registerUp },
  { name: 'down', term: 'down [options]', description: 'Stop and remove the stack on both daemons', load: async () => (await import('./commands/down.js')).registerDown },
  { name: 'ps', term: 'ps [options] [services...]', description: "List the project's containers on both daemons", load: async () => (await import('./commands/ps.js')).registerPs },
  { name: 'logs', term: 'logs [options] [services...]', description: 'Show logs of the stack, from both daemons', load: async () => (await import('./commands/logs.js')).registerLogs },
  { name: 'start', term: 'start [options] [services...]', description: 'Start existing containers in dependency order', load: async () => (await import('./commands/start.js')).registerStart },
  { name: 'stop', term: 'stop [options] [services...]', description: 'Stop running containers in reverse dependency order', load: async () => (await import('./commands/stop.js')).registerStop },
  { name: 'restart', term: 'restart [options] [services...]', description: 'Restart containers in dependency order', load: async () => (await import('./commands/restart.js')).registerRestart },
  { name: 'plan', term: 'plan [options] [services...]', description: 'Print what `up` (or another command) would do on both daemons', load: async () => (await import('./commands/plan.js')).registerPlan },
  {
    name: 'doctor',
    term: 'doctor [options]',
    description: 'check both daemons and the network path between them (probe containers, removed afterwards)',
    load: async () => (await import('./commands/doctor.js')).registerDoctor,
  },
  {
    name: 'config',
    term: 'config [options] [services...]',
    description: 'Validate the stack file(s) and print the resolved model (each service with its platform and daemon)',
    load: async () => (await import('./commands/config.js')).registerConfig,
  },
  { name: 'validate', term: 'validate', description: 'Validate the stack file(s): the same as `config --quiet`', load: async () => (await import('./commands/config.js')).registerConfig },
  { name: 'pull', term: 'pull [options] [services...]', description: "Pull the services' images, each on its platform's daemon", load: async () => (await import('./commands/pull.js')).registerPull },
  { name: 'build', term: 'build [options] [services...]', description: "Build the services' images, each on its platform's daemon", load: async () => (await import('./commands/build.js')).registerBuild },
  { name: 'images', term: 'images [options] [services...]', description: "List the project's images on both daemons", load: async () => (await import('./commands/images.js')).registerImages },
  { name: 'run', term: 'run [options] <service> [command...]', description: "Run a one-off command in a new container of a service (on the service's daemon, with its wiring)", load: async () => (await import('./commands/run.js')).registerRun },
  { name: 'exec', term: 'exec [options] <service> <command...>', description: "Run a command in a running service container (on the service's daemon)", load: async () => (await import('./commands/exec.js')).registerExec },
  { name: 'cp', term: 'cp [options] <source> <destination>', description: "Copy files between a service's container and this machine (on the service's daemon)", load: async () => (await import('./commands/cp.js')).registerCp },
  { name: 'kill', term: 'kill [options] [services...]', description: "Kill the stack's running containers on both daemons (Windows containers are always terminated: they have no signals)", load: async () => (await import('./commands/kill.js')).registerKill },
  { name: 'rm', term: 'rm [options] [services...]', description: "Remove the stack's stopped containers on both daemons", load: async () => (await import('./commands/rm.js')).registerRm },
  { name: 'pause', term: 'pause [options] [services...]', description: "Pause the stack's running containers on both daemons", load: async () => (await import('./commands/pause.js')).registerPause },
  { name: 'unpause', term: 'unpause [options] [services...]', description: "Unpause the stack's paused containers", load: async () => (await import('./commands/pause.js')).registerPause },
  { name: 'top', term: 'top [services...]', description: "Show the processes of the stack's running containers", load: async () => (await import('./commands/top.js')).registerTop },
  { name: 'port', term: 'port [options] <service> <port>', description: "Print the host address a container port of a service is published on", load: async () => (await import('./commands/port.js')).registerPort },
  { name: 'wait', term: 'wait [options] <services...>', description: "Wait for the first of the services' containers to stop; exit with its code", load: async () => (await import('./commands/wait.js')).registerWait },
  { name: 'events', term: 'events [options] [services...]', description: "Stream the stack's container events from both daemons", load: async () => (await import('./commands/events.js')).registerEvents },
  { name: 'ls', term: 'ls [options]', description: "List the compose projects on both daemons, with their platforms", load: async () => (await import('./commands/ls.js')).registerLs },
  { name: 'version', term: 'version [options]', description: "Show the mixcompose version and the versions of both daemons", load: async () => (await import('./commands/version.js')).registerVersion },
  { name: 'completion', term: 'completion <shell>', description: "Print a shell completion script (commands, flags, service names of the current file)", load: async () => (await import('./commands/completion.js')).registerCompletion },
  { name: 'convert', term: 'convert [options]', description: "Write the project as a Swarm stack file or as Kubernetes manifests, placed by each service's OS", load: async () => (await import('./commands/convert.js')).registerConvert },
  { name: 'deploy', term: 'deploy [options]', description: 'Deploy the project to a cluster (Swarm): each service placed on nodes of its OS', load: async () => (await import('./commands/deploy.js')).registerDeploy },
  { name: 'help', term: 'help [command]', description: 'display help for command' },
];

export { GLOBAL_OPTIONS_WITH_VALUE } from './command-word.js';

/** The command the arguments (after `node main.js`) name, if any: the first word that is no option or option value. */
export function namedCommand(args: readonly string[]): CommandEntry | undefined {
  const word = commandWord(args);
  return word === undefined ? undefined : COMMANDS.find((c) => c.name === word);
}

/** The lock options' module, which every command's program loads (program.ts). */
export const loadLockHook = () => import('./project-lock-hook.js');

/**
 * Starts loading the modules the named command will need; a wrong guess only loads a module for
 * nothing. Errors are left to the load that uses the module.
 */
export function prefetchCommand(args: readonly string[]): void {
  const entry = namedCommand(args);
  if (!entry?.load) return;
  void Promise.all([entry.load(), loadLockHook()]).catch(() => undefined);
}
