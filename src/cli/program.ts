/**
 * The command tree. Each command lives in cli/commands/<name>.ts and registers itself there; this
 * file lists them in COMMANDS with what the root's help shows (term and description) and how to
 * load the module.
 *
 * Commands load lazily: `--version`, `--help` and a mistyped command import no command module
 * (so no dockerode, listr2, ajv or ssh2). The root parses the global options with a light stub per
 * command; the stub of the chosen command then imports that one module, registers it on a fresh
 * root and parses the same arguments again there. test/unit/cli/program.test.ts holds COMMANDS
 * to what the modules register.
 */
import { Command, Option, type ParseOptions } from 'commander';
import { DESCRIPTION, VERSION } from './about.js';
import type { GlobalOptions } from './global-options.js';

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

const collect = (value: string, previous: string[]) => [...previous, value];

/** The root: name, version, global options; no commands. */
function rootCommand(program: Command = new Command('mixcompose')): Command {
  return program
    .description(DESCRIPTION)
    .version(VERSION)
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
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'tty', 'plain', 'json', 'quiet']).default('auto'))
    .addOption(new Option('--ansi <when>', 'ANSI colour and control characters (NO_COLOR=1 turns colour off unless always)').choices(['never', 'always', 'auto']).default('auto'));
}

/** A root with the modules of `entries` registered (each module once). */
async function rootWith(entries: readonly CommandEntry[]): Promise<Command> {
  const program = rootCommand();
  const registered = new Set<RegisterCommand>();
  for (const entry of entries) {
    const register = await entry.load?.();
    if (!register || registered.has(register)) continue;
    registered.add(register);
    register(program);
  }
  // --wait-lock on the mutating commands (imported here: the lock module is not light).
  (await import('./project-lock-hook.js')).addLockOptions(program);
  return program;
}

/** The whole tree with every command module loaded (for tests and tools that walk all options). */
export function buildFullProgram(): Promise<Command> {
  return rootWith(COMMANDS);
}

/** The root that remembers what it was asked to parse, so a command stub can parse it again. */
class LazyRoot extends Command {
  lastParse: { argv?: readonly string[]; options?: ParseOptions } = {};

  override parseAsync(argv?: readonly string[], options?: ParseOptions): Promise<this> {
    this.lastParse = { ...(argv ? { argv } : {}), ...(options ? { options } : {}) };
    return super.parseAsync(argv, options);
  }
}

/**
 * The program main.ts runs: global options parsed here, each command a stub that loads its
 * module when chosen. `help <command>` loads that command's module to show its help.
 */
export function buildProgram(): Command {
  const program = new LazyRoot('mixcompose');
  rootCommand(program).helpCommand(false);
  const reparse = async (entries: readonly CommandEntry[]) => {
    const full = await rootWith(entries);
    await full.parseAsync(program.lastParse.argv, program.lastParse.options);
  };
  for (const entry of COMMANDS) {
    program
      .command(entry.name)
      .description(entry.description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[args...]')
      .action(async (args: string[]) => {
        if (entry.load) return reparse([entry]);
        // `help [command]`: the root's own help, or the command's, with its module loaded.
        const target = COMMANDS.find((c) => c.load && c.name === args[0]);
        if (target) return reparse([target]);
        program.help({ error: args[0] !== undefined });
      });
  }
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  program.configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? command.name() });
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
    ansi: o.ansi ?? 'auto',
  };
}
