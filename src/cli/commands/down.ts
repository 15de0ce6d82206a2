/**
 * `mixcompose down`: stop and remove the project's containers on both daemons (reverse dependency
 * order, independent ones in parallel), then its networks, and with -v its volumes. Found by
 * label only: nothing without this project's label is touched.
 */
import { Command, Option } from 'commander';
import { downOn } from '../../api/on-daemons.js';
import { givenArgs, interruptible, resumeCommand, seconds, withSession } from './session.js';
import { ExecutionInterrupted } from '../../engine/execute.js';
import { daemonFault } from '../../plan/fault-report.js';
import { describeOperation } from '../../plan/format-plan.js';
import { printPlans } from './dry-run.js';

interface DownFlags {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: number;
  rmi?: 'all' | 'local';
  dryRun?: boolean;
  retryDaemon?: number;
}

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('Stop and remove the stack on both daemons')
    .option('-v, --volumes', 'remove the named volumes of the project')
    .option('--remove-orphans', 'remove containers of services not in the file')
    .addOption(new Option('-t, --timeout <seconds>', 'stop timeout').argParser(seconds))
    .addOption(new Option('--rmi <type>', 'remove images: all or local (built without an image name)').choices(['all', 'local']))
    .option('--dry-run', 'print the plan, change nothing')
    .addOption(new Option('--retry-daemon <seconds>', 'wait (with backoff) for an unreachable daemon').argParser(seconds))
    .action(async (flags: DownFlags, command: Command) => {
      await withSession(command, async (session) => {
        const args = [...(flags.volumes ? ['-v'] : []), ...(flags.removeOrphans ? ['--remove-orphans'] : [])];
        const applied = await interruptible((signal) => downOn(session.project, session.daemons, {
          signal,
          ...(flags.volumes ? { volumes: true } : {}),
          ...(flags.removeOrphans ? { removeOrphans: true } : {}),
          ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
          ...(flags.rmi ? { rmi: flags.rmi } : {}),
          onEvent: session.reporter.sink,
          ...(flags.dryRun ? { dryRun: true } : {}),
          resume: resumeCommand(session, 'down', args),
        }), (error) => error instanceof ExecutionInterrupted);
        if (!applied) return;
        const { plan } = applied;
        if (flags.dryRun) return printPlans(session, [plan]);
        // A daemon that did not answer: the rest is down; say what is left and how to finish.
        const [missing] = session.unreachable;
        if (missing) {
          throw daemonFault({
            daemon: missing.daemon,
            operation: 'down (connecting)',
            cause: missing.cause ?? missing,
            done: plan.operations.map((op) => `${describeOperation(op)} (${op.daemon})`),
            notDone: plan.operations.length
              ? session.unreachable.map((e) => `everything of project ${session.project.name} on ${e.daemon}`)
              : ['down: nothing was changed'],
            resume: resumeCommand(session, 'down', givenArgs(command)),
          });
        }
      }, { partial: true });
    });
}
