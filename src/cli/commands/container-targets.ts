/**
 * What kill, rm, pause, unpause, top, port and wait share: the project's containers of the named
 * services on both daemons, one action each (in parallel), and `--dry-run` lines instead of actions.
 */
import type { Command } from 'commander';
import { projectContainers, type ContainerQuery, type PlacedContainer } from '../../engine/project-containers.js';
import { withSession, type Session } from './session.js';

/** "would kill shop-db-1 on linux (unix:///…)" lines for --dry-run, one per container. */
export function dryRunText(verb: string, targets: readonly PlacedContainer[]): string {
  if (!targets.length) return `nothing to ${verb}\n`;
  return targets.map((t) => `would ${verb} ${t.container.name} on ${t.client.label}\n`).join('');
}

/**
 * Opens a session, finds the containers, and runs `act` on each (or prints the dry run). Returns
 * what `act` returned, by container, for the caller to print after the session closed.
 */
export async function onContainers<T>(
  command: Command,
  services: readonly string[],
  query: Omit<ContainerQuery, 'services'>,
  options: {
    verb: string;
    dryRun?: boolean;
    /** Only the containers this keeps (stopped ones for rm). */
    select?: (target: PlacedContainer) => boolean;
    /** Refuses before any daemon call (a Windows container that cannot pause). */
    check?: (targets: readonly PlacedContainer[], session: Session) => void;
  },
  act: (target: PlacedContainer) => Promise<T>,
): Promise<{ target: PlacedContainer; result: T }[]> {
  let dry = '';
  const results = await withSession(
    command,
    async (session) => {
      const targets = (await projectContainers(session.project.name, session.daemons, { ...query, services })).filter(options.select ?? (() => true));
      options.check?.(targets, session);
      if (options.dryRun) {
        dry = dryRunText(options.verb, targets);
        return [];
      }
      return Promise.all(targets.map(async (target) => ({ target, result: await act(target) })));
    },
    { progress: 'quiet', services },
  );
  process.stdout.write(dry);
  return results;
}
