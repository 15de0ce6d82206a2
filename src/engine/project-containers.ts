/**
 * The project's containers on both daemons, each with the client of the daemon it runs on: what
 * exec, kill, pause, top, port, wait, rm and cp act on. One list call per daemon (no networks,
 * volumes or images, as observe reads for planning).
 */
import { LABEL_ROLE, projectFilter } from '../plan/labels.js';
import type { PlatformOs } from '../model/project.js';
import type { ObservedContainer } from '../plan/observed-state.js';
import type { DaemonClient } from './daemon-client.js';
import { distinctDaemons, observedContainer } from './observe.js';
import type { Daemons } from './apply.js';
import { PlanError } from '../errors.js';

/** A container and the client of its daemon. */
export interface PlacedContainer {
  readonly container: ObservedContainer;
  readonly client: DaemonClient;
  readonly daemon: PlatformOs;
}

export interface ContainerQuery {
  /** Only these services (empty / absent = all). */
  readonly services?: readonly string[];
  /** Stopped ones too (default: running, paused and restarting only). */
  readonly all?: boolean;
  /** Include `run` containers (default: no). */
  readonly oneoff?: boolean;
}

/** The project's service containers (never the resolver or the reach probe), by name. */
export async function projectContainers(projectName: string, daemons: Daemons, query: ContainerQuery = {}): Promise<PlacedContainer[]> {
  const lists = await Promise.all(
    distinctDaemons(daemons.clients, daemons.facts).map(async ([daemon, client]) =>
      (await client.listContainers(projectFilter(projectName), true)).map((c) => ({ container: observedContainer(c, daemon), client, daemon })),
    ),
  );
  return lists
    .flat()
    .filter(({ container: c }) => c.service && !c.labels[LABEL_ROLE])
    .filter(({ container: c }) => query.oneoff || !c.oneoff)
    .filter(({ container: c }) => !query.services?.length || query.services.includes(c.service))
    .filter(({ container: c }) => query.all || c.status === 'running' || c.status === 'paused' || c.status === 'restarting')
    .sort((a, b) => (a.container.name < b.container.name ? -1 : a.container.name > b.container.name ? 1 : 0));
}

/** Replica `index` (1-based, as `--index`) of a service among `containers`, or a PlanError saying what runs. */
export function pickReplica(containers: readonly PlacedContainer[], service: string, index = 1): PlacedContainer {
  const replicas = containers.filter((c) => c.container.service === service && !c.container.oneoff);
  const found = replicas.find((c) => c.container.number === index);
  if (found) return found;
  if (!replicas.length) throw new PlanError(`service ${service} is not running (start it with: mixcompose up -d ${service})`, service);
  throw new PlanError(`service ${service} has no replica ${index} (running: ${replicas.map((c) => c.container.number).sort((a, b) => a - b).join(', ')})`, service);
}
