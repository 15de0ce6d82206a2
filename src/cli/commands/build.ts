/**
 * `mixcompose build [services...]`: build each service with a `build:` section on its own
 * platform's daemon (a Windows Dockerfile on the Windows daemon), both daemons in parallel: a plan of
 * build operations (one per service) run by the executor, as `up` runs its builds (engine/images.ts).
 */
import type { Command } from 'commander';
import { ensureImages, planImages } from '../../engine/images.js';
import { printImagePlan } from './dry-run.js';
import { selectServices } from './pull.js';
import { ExecutionInterrupted } from '../../engine/execute.js';
import { givenArgs, interruptible, resumeCommand, withSession } from './session.js';

interface BuildFlags {
  cache?: boolean;
  pull?: boolean;
  dryRun?: boolean;
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description("Build the services' images, each on its platform's daemon")
    .argument('[services...]', 'services to build (default: all with a build section)')
    .option('--no-cache', 'do not use the build cache')
    .option('--pull', 'always try to pull a newer version of the base images')
    .option('--dry-run', 'say what would be built, build nothing')
    .action(async (services: string[], flags: BuildFlags, command: Command) => {
      await withSession(command, async (session) => {
        const selected = selectServices(session.project, services, false);
        const options = {
          env: session.env,
          buildOnly: true,
          allowOsMismatch: session.global.allowOsMismatch,
          ...(selected ? { services: selected } : {}),
          ...(flags.cache === false ? { noCache: true } : {}),
          ...(flags.pull ? { pullOnBuild: true } : {}),
        };
        const { clients, facts } = session.daemons;
        if (flags.dryRun) return printImagePlan(session, await planImages(session.project, clients, facts, options), 'build');
        const resume = resumeCommand(session, 'build', givenArgs(command));
        // Ctrl-C ends the pulls and builds under way (their streams close) and starts no other.
        const result = await interruptible(
          (signal) => ensureImages(session.project, clients, facts, { ...options, resume, signal }, session.reporter.sink),
          (error) => error instanceof ExecutionInterrupted,
        );
        if (!result) return;
        await session.reporter.close();
        for (const [service, image] of Object.entries(result.images).sort(([a], [b]) => a.localeCompare(b))) {
          if (image.action === 'build') process.stderr.write(`built ${service}: ${image.image} (${image.id ?? 'no id'}) on ${image.platform}\n`);
        }
      });
    });
}
