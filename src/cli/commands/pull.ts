/**
 * `mixcompose pull [services...]`: pull the services' images on their daemons (both daemons in
 * parallel), after checking every image's platforms against its daemon. As `up`, it observes the
 * image facts once, plans pull operations (one per daemon and reference; refusals are problems, so
 * nothing moves) and runs the plan with the executor (engine/images.ts). Prints a summary per daemon
 * (images, bytes, seconds) so the cost of large base images is visible.
 */
import type { Command } from 'commander';
import { ensureImages, formatPullSummary, planImages } from '../../engine/images.js';
import { printImagePlan } from './dry-run.js';
import { selectServices } from '../../plan/dependencies.js';
import { ExecutionInterrupted } from '../../engine/execute.js';
import { givenArgs, interruptible, resumeCommand, withSession } from './session.js';

// build and images take it from here; config imports it from plan/dependencies (no engine).
export { selectServices };

interface PullFlags {
  ignorePullFailures?: boolean;
  includeDeps?: boolean;
  dryRun?: boolean;
}

export function registerPull(program: Command): void {
  program
    .command('pull')
    .description("Pull the services' images, each on its platform's daemon")
    .argument('[services...]', 'services whose images to pull (default: all)')
    .option('--ignore-pull-failures', 'pull what can be pulled; report failures as warnings')
    .option('--include-deps', 'also pull the images of the services these depend on')
    .option('--dry-run', 'say what would be pulled (registry lookups only), pull nothing')
    .action(async (services: string[], flags: PullFlags, command: Command) => {
      await withSession(command, async (session) => {
        const selected = selectServices(session.project, services, flags.includeDeps === true);
        const options = {
          env: session.env,
          pull: 'always' as const,
          pullOnly: true,
          allowOsMismatch: session.global.allowOsMismatch,
          ...(selected ? { services: selected } : {}),
          ...(flags.ignorePullFailures ? { ignorePullFailures: true } : {}),
        };
        const { clients, facts } = session.daemons;
        if (flags.dryRun) return printImagePlan(session, await planImages(session.project, clients, facts, options), 'pull');
        const resume = resumeCommand(session, 'pull', givenArgs(command));
        // Ctrl-C ends the pulls and builds under way (their streams close) and starts no other.
        const result = await interruptible(
          (signal) => ensureImages(session.project, clients, facts, { ...options, resume, signal }, session.reporter.sink),
          (error) => error instanceof ExecutionInterrupted,
        );
        if (!result) return;
        await session.reporter.close();
        for (const line of formatPullSummary(result.summary)) process.stderr.write(`pulled on ${line}\n`);
      });
    });
}
