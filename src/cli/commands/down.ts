/**
 * `mixcompose down`: stop and remove the project's containers on both daemons (reverse dependency
 * order, independent ones in parallel), then its networks, and with -v its volumes. Found by
 * label only: nothing without this project's label is touched.
 */
import { Command, Option } from 'commander';
import { apply } from '../../engine/apply.js';
import { resumeCommand, seconds, withSession } from './session.js';

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
        const { plan } = await apply(session.project, session.daemons, {
          reconcile: {
            command: 'down',
            ...(flags.volumes ? { volumes: true } : {}),
            ...(flags.removeOrphans ? { removeOrphans: true } : {}),
            ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
            ...(flags.rmi ? { rmi: flags.rmi } : {}),
          },
          onEvent: session.reporter.sink,
          ...(flags.dryRun ? { dryRun: true } : {}),
          resume: resumeCommand(session, 'down', args),
        });
        if (flags.dryRun) {
          await session.reporter.close();
          const { formatPlan } = await import('../../plan/format-plan.js');
          process.stdout.write(formatPlan(plan));
        }
      });
    });
}
