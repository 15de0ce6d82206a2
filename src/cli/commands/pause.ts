/**
 * `mixcompose pause|unpause [services…]`. A Windows container under process isolation cannot be
 * paused (only Hyper-V isolation can): that is said before any daemon is asked.
 */
import type { Command } from 'commander';
import { PlanError } from '../../errors.js';
import type { PlacedContainer } from '../../engine/project-containers.js';
import type { Session } from './session.js';
import { onContainers } from './container-targets.js';
import { containerIo } from '../../engine/interactive.js';

/** The containers that cannot pause: Windows services whose isolation (own, else the daemon's) is process. */
export function unpausable(targets: readonly PlacedContainer[], session: Pick<Session, 'project' | 'daemons'>): string[] {
  return targets
    .filter((t) => {
      const service = session.project.services[t.container.service];
      if (service?.platform.os !== 'windows') return false;
      const facts = session.daemons.facts[t.daemon];
      const isolation = (service.isolation ?? facts?.isolation ?? (facts?.osType === 'windows' ? 'process' : '')).toLowerCase();
      return isolation === 'process';
    })
    .map((t) => t.container.name);
}

function register(program: Command, verb: 'pause' | 'unpause'): void {
  program
    .command(verb)
    .description(verb === 'pause' ? "Pause the stack's running containers on both daemons" : "Unpause the stack's paused containers")
    .argument('[services...]', 'only these services')
    .option('--dry-run', `say what would be ${verb}d, change nothing`)
    .action(async (services: string[], flags: { dryRun?: boolean }, command: Command) => {
      const done = await onContainers(
        command,
        services,
        {},
        {
          verb,
          select: (t) => (verb === 'pause' ? t.container.status === 'running' : t.container.status === 'paused'),
          ...(flags.dryRun ? { dryRun: true } : {}),
          check: (targets, session) => {
            const refused = verb === 'pause' ? unpausable(targets, session) : [];
            if (refused.length) {
              throw new PlanError(`cannot pause ${refused.join(', ')}: Windows containers under process isolation cannot be paused (only isolation: hyperv can); nothing was paused`);
            }
          },
        },
        (t) => (verb === 'pause' ? containerIo(t.client).pauseContainer(t.container.id) : containerIo(t.client).unpauseContainer(t.container.id)),
      );
      for (const { target } of done) process.stderr.write(`Container ${target.container.name}  ${verb === 'pause' ? 'Paused' : 'Unpaused'}\n`);
    });
}

export function registerPause(program: Command): void {
  register(program, 'pause');
  register(program, 'unpause');
}
