/**
 * The command tree. Each command lives in cli/commands/<name>.ts and registers itself there; this
 * file lists them in COMMANDS with what the root's help shows (term and description) and how to
 * load the module.
 *
 * Commands load lazily: `--version`, `--help` and a mistyped command import no command module
 * (so no dockerode, listr2, ajv or ssh2). The root parses the global options with a light stub per
 * command; the stub of the chosen command then imports that one module, registers it on a fresh
 * root and parses the same arguments again there. test/unit/cli/program.test.ts holds COMMANDS
 * (program-commands.ts) to what the modules register.
 */
import { Command, Option, type ParseOptions } from 'commander';
import { DESCRIPTION, VERSION } from './about.js';
import type { GlobalOptions } from './global-options.js';
import { COMMANDS, loadLockHook, type CommandEntry, type RegisterCommand } from './program-commands.js';

export { COMMANDS, type CommandEntry, type RegisterCommand } from './program-commands.js';

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
  // The modules load side by side; they register in the order of `entries`.
  const [{ addLockOptions }, ...registers] = await Promise.all([loadLockHook(), ...entries.map((entry) => entry.load?.())]);
  const registered = new Set<RegisterCommand>();
  for (const register of registers) {
    if (!register || registered.has(register)) continue;
    registered.add(register);
    register(program);
  }
  // --wait-lock on the mutating commands (imported here: the lock module is not light).
  addLockOptions(program);
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
