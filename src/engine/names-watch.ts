/**
 * While `up` is attached: Docker may restart a container of the daemon away from the project
 * resolver by itself (restart policy), and it can come back with another IP. Each `start` event of
 * one of the project's containers there re-reads the state and registers, in the resolver, every
 * running container whose entry is stale or missing (resolver-entries.ts decides; the executor
 * writes). Failures become warnings: the attached logs go on.
 */
import type { EventSink } from '../model/events.js';
import type { Project } from '../model/project.js';
import type { DaemonFacts, ObservedState } from '../plan/observed-state.js';
import { LABEL_ONEOFF, LABEL_ROLE, projectFilter } from '../plan/labels.js';
import { placeServices } from '../plan/placement.js';
import type { Plan } from '../plan/plan.js';
import { nameRefreshOperations } from '../plan/resolver-entries.js';
import type { DaemonClient } from './daemon-client.js';
import { execute } from './execute.js';
import { observe } from './observe.js';

export interface WatchNamesOptions {
  readonly clients: Readonly<Partial<Record<'linux' | 'windows', DaemonClient>>>;
  readonly facts: Readonly<Partial<Record<'linux' | 'windows', DaemonFacts>>>;
  /** Ends the watch. */
  readonly signal: AbortSignal;
  readonly onEvent: EventSink;
  /** The state after a start event (default: observe both daemons). */
  readonly observeState?: () => Promise<ObservedState>;
}

/** Resolves once `signal` aborts (or the event stream ends). Does nothing when one daemon serves both platforms. */
export async function watchNames(project: Project, options: WatchNamesOptions): Promise<void> {
  const placement = placeServices(options.facts);
  const away = placement.windows;
  const client = options.clients[away];
  if (away === placement.linux || !client || options.signal.aborted) return;
  const observeState = options.observeState ?? (() => observe(project, options.clients, options.facts));
  const filters = { ...projectFilter(project.name), type: ['container'], event: ['start'] };
  const warn = (error: unknown) =>
    options.onEvent({ type: 'warning', message: `names across daemons: could not refresh the resolver's entries: ${error instanceof Error ? error.message : String(error)}` });
  try {
    for await (const event of client.events(filters, options.signal)) {
      const labels = ((event.Actor as { Attributes?: Record<string, string> } | undefined)?.Attributes ?? {}) as Record<string, string>;
      if (labels[LABEL_ROLE] === 'resolver' || (labels[LABEL_ONEOFF] ?? '').toLowerCase() === 'true') continue;
      try {
        const observed = await observeState();
        const operations = nameRefreshOperations(project, observed);
        if (operations.length === 0) continue;
        const plan: Plan = {
          project: project.name,
          command: 'up',
          placement,
          platforms: [],
          reach: {},
          resolver: true,
          operations,
          warnings: [],
        };
        await execute(plan, { clients: options.clients, onEvent: options.onEvent, command: 'up' });
      } catch (error) {
        if (options.signal.aborted) return;
        warn(error);
      }
    }
  } catch (error) {
    if (!options.signal.aborted) warn(error);
  }
}
