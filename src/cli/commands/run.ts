/**
 * `mixcompose run <service> [cmd…]`: a one-off container of the service on the service's daemon,
 * with its wiring (networks, the project resolver, address references resolved as for the
 * service), labelled as compose labels one-offs. Starts what the service depends on first (not
 * with --no-deps). The command's exit code becomes mixcompose's.
 */
import type { Command } from 'commander';
import { parsePortSpec, parseVolumeSpec, shellSplit, SyntaxIssue } from '../../config/short-syntax.js';
import { UsageError } from '../../errors.js';
import type { PortConfig, ServiceVolume } from '../../model/project.js';
import { wantsTty } from '../../engine/interactive.js';
import type { OneOffOverrides } from '../../engine/run-oneoff.js';
import { runOn } from '../../api/on-daemons.js';
import { printPlans } from './dry-run.js';
import { withSession } from './session.js';
import { collect, plainProgress } from './option-parsers.js';

export interface RunFlags {
  detach?: boolean;
  rm?: boolean;
  env: string[];
  deps?: boolean;
  tty?: boolean;
  entrypoint?: string;
  workdir?: string;
  user?: string;
  volume: string[];
  publish: string[];
  servicePorts?: boolean;
  name?: string;
  interactive?: boolean;
  dryRun?: boolean;
}

/** `-e KEY=VALUE` (or `-e KEY`: its value from this environment, left out when unset). */
export function parseEnvFlags(entries: readonly string[], env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq === 0) throw new UsageError(`-e ${entry}: expected KEY=VALUE or KEY`);
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
    else if (env[entry] !== undefined) out[entry] = env[entry]!;
  }
  return out;
}

function parsed<T>(flag: string, value: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SyntaxIssue) throw new UsageError(`${flag} ${value}: ${error.message}`);
    throw error;
  }
}

/** A mount target the daemon accepts: `/path`, or for a Windows container `C:\\path`, `C:/path` or `\\\\.\\pipe\\…`. */
function isAbsoluteTarget(target: string): boolean {
  return target.startsWith('/') || /^\p{L}:[\\/]/u.test(target) || target.startsWith('\\\\');
}

/** The flags as the one-off's overrides of its service. */
export function runOverrides(
  cmd: readonly string[],
  flags: RunFlags,
  context: {
    env: Readonly<Record<string, string | undefined>>;
    workingDir: string;
    tty: boolean;
    /** A volume mode compose does not know (`-v x:/y:bogus`): ignored as compose ignores it, and said. */
    onWarning?: (message: string) => void;
  },
): OneOffOverrides {
  const volumes: ServiceVolume[] = flags.volume.map((v) => {
    const volume = parsed('-v', v, () =>
      parseVolumeSpec(v, context.workingDir, context.env.HOME, (mode) =>
        context.onWarning?.(`-v ${v}: volume mode "${mode}" is ignored (compose ignores it too): expected ro, rw, z, Z, nocopy, a propagation or cached/delegated/consistent`),
      ),
    );
    if (!isAbsoluteTarget(volume.target)) throw new UsageError(`-v ${v}: the target "${volume.target}" is not an absolute path; expected [SOURCE:]TARGET[:MODE] with TARGET like /data (or C:\\data in a Windows container)`);
    return volume;
  });
  const ports: PortConfig[] = flags.publish.flatMap((p) => parsed('-p', p, () => parsePortSpec(p)));
  return {
    ...(cmd.length ? { command: cmd } : {}),
    ...(flags.entrypoint !== undefined ? { entrypoint: parsed('--entrypoint', flags.entrypoint, () => shellSplit(flags.entrypoint!)) } : {}),
    env: parseEnvFlags(flags.env, context.env),
    ...(flags.user ? { user: flags.user } : {}),
    ...(flags.workdir ? { workdir: flags.workdir } : {}),
    volumes,
    ports,
    ...(flags.servicePorts ? { servicePorts: true } : {}),
    tty: context.tty,
    interactive: flags.interactive !== false && !flags.detach,
    ...(flags.name ? { name: flags.name } : {}),
  };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description("Run a one-off command in a new container of a service (on the service's daemon, with its wiring)")
    .argument('<service>', 'service')
    .argument('[command...]', 'command and its arguments (default: the service\'s)')
    .option('-d, --detach', 'run in the background; print the container name')
    .option('--rm', 'remove the container when it exits')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect, [])
    .option('--no-deps', 'do not start the services it depends on')
    .option('-T, --no-tty', 'do not allocate a pseudo-TTY (default: one when stdin is a terminal)')
    .option('--no-interactive', 'do not attach stdin')
    .option('--entrypoint <cmd>', 'override the entrypoint ("" clears it)')
    .option('-w, --workdir <dir>', 'working directory in the container')
    .option('-u, --user <user>', 'run as this user')
    .option('-v, --volume <spec>', 'mount a volume or bind (repeatable)', collect, [])
    .option('-p, --publish <spec>', "publish a port (repeatable)", collect, [])
    .option('-P, --service-ports', "publish the service's ports too")
    .option('--name <name>', 'container name')
    .option('--dry-run', 'print the plan (what it depends on, the one-off container), change nothing')
    .passThroughOptions()
    .action(async (service: string, cmd: string[], flags: RunFlags, command: Command) => {
      const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
      const tty = !flags.detach && wantsTty(flags.tty === false, io);
      const code = await withSession(
        command,
        async (session) => {
          const overrides = runOverrides(cmd, flags, {
            env: session.env,
            workingDir: session.project.workingDir,
            tty,
            onWarning: (message) => session.reporter.sink({ type: 'warning', message }),
          });
          const result = await runOn(
            session.project,
            session.daemons,
            service,
            io,
            {
              overrides,
              ...(flags.deps === false ? { noDeps: true } : {}),
              ...(flags.rm ? { rm: true } : {}),
              ...(flags.detach ? { detach: true } : {}),
              ...(flags.dryRun ? { dryRun: true } : {}),
              onEvent: session.reporter.sink,
              // The steps so far go to stderr; from here on the container has the terminal.
              beforeAttach: () => session.reporter.close(),
            },
            { env: session.env, allowOsMismatch: session.global.allowOsMismatch },
          );
          if (result.plans) {
            const what = cmd.length ? JSON.stringify(cmd) : "the service's command";
            await printPlans(session, result.plans, [`would run ${what} in ${result.container} on ${result.daemon}${flags.detach ? ' (detached)' : ''}${flags.rm ? ', then remove it' : ''}`]);
            return 0;
          }
          if (flags.detach) process.stdout.write(`${result.container}\n`);
          return result.exitCode ?? 0;
        },
        // Plain lines, not the live view: the container takes the terminal next.
        { services: [service], progress: plainProgress(command) },
      );
      process.exitCode = code;
    });
}
