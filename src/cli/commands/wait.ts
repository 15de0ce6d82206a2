/**
 * `mixcompose wait <services…>`: blocks until the first of the services' containers stops (on
 * either daemon) and ends with its exit code; `--down-project` then brings the stack down.
 */
import type { Command } from 'commander';
import { apply } from '../../engine/apply.js';
import { projectContainers } from '../../engine/project-containers.js';
import { PlanError } from '../../errors.js';
import { withSession } from './session.js';

export function registerWait(program: Command): void {
  program
    .command('wait')
    .description("Wait for the first of the services' containers to stop; exit with its code")
    .argument('<services...>', 'services')
    .option('--down-project', 'bring the stack down once one has stopped')
    .action(async (services: string[], flags: { downProject?: boolean }, command: Command) => {
      const code = await withSession(
        command,
        async (session) => {
          const targets = await projectContainers(session.project.name, session.daemons, { services, all: true });
          if (!targets.length) throw new PlanError(`no containers of ${services.join(', ')}`);
          const stop = new AbortController();
          try {
            const first = await Promise.race(targets.map(async (t) => ({ target: t, code: await t.client.waitContainer(t.container.id, 'not-running', stop.signal) })));
            process.stdout.write(`${first.target.container.name} exited with code ${first.code}\n`);
            if (flags.downProject) await apply(session.project, session.daemons, { reconcile: { command: 'down' }, onEvent: session.reporter.sink });
            return first.code;
          } finally {
            stop.abort();
          }
        },
        { progress: 'quiet', services },
      );
      process.exitCode = code;
    });
}
