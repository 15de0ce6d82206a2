/**
 * `mixcompose exec <service> <cmd…>`: runs a command in a running container of the service, on
 * whichever daemon it runs. A TTY when stdin is a terminal (not with -T); the command's exit code
 * becomes mixcompose's.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { execIn, wantsTty } from '../../engine/interactive.js';
import { pickReplica, projectContainers } from '../../engine/project-containers.js';
import { withSession } from './session.js';
import { collect, positiveInteger } from './option-parsers.js';

interface ExecFlags {
  tty?: boolean;
  env: string[];
  user?: string;
  workdir?: string;
  index: number;
  privileged?: boolean;
  detach?: boolean;
}

export function registerExec(program: Command): void {
  program
    .command('exec')
    .description("Run a command in a running service container (on the service's daemon)")
    .argument('<service>', 'service')
    .argument('<command...>', 'command and its arguments')
    .option('-T, --no-tty', 'do not allocate a pseudo-TTY (default: one when stdin is a terminal)')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect, [])
    .option('-u, --user <user>', 'run as this user')
    .option('-w, --workdir <dir>', 'working directory of the command')
    .addOption(new Option('--index <n>', 'replica of the service (1-based)').argParser(positiveInteger).default(1))
    .option('--privileged', 'give the command extended privileges')
    .passThroughOptions()
    .action(async (service: string, cmd: string[], flags: ExecFlags, command: Command) => {
      const code = await withSession(
        command,
        async (session) => {
          const target = pickReplica(await projectContainers(session.project.name, session.daemons, { services: [service] }), service, flags.index);
          const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
          const tty = wantsTty(flags.tty === false, io);
          return execIn(
            target.client,
            target.container.id,
            {
              cmd,
              tty,
              stdin: true,
              env: flags.env,
              ...(flags.user ? { user: flags.user } : {}),
              ...(flags.workdir ? { workingDir: flags.workdir } : {}),
              ...(flags.privileged ? { privileged: true } : {}),
            },
            io,
          );
        },
        { progress: 'quiet', services: [service] },
      );
      process.exitCode = code;
    });
}
