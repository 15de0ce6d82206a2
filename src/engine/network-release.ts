/**
 * A network removal, asked again while the daemon still holds endpoints of containers that are gone
 * or being removed (isActiveEndpoints), for as long as the plan's `releaseWaitMs` allows. Docker
 * 20.10 under heavy load releases a removed container's endpoint when it handles the task's exit,
 * well after the removal returned. An endpoint of a container that exists and is not being removed
 * (a container not ours attached to the network) is not waited for: the refusal is final then, and
 * names that container.
 */
import type { RemoveNetworkOp } from '../plan/plan.js';
import type { DaemonClient } from './daemon-client.js';
import { DaemonError } from '../errors.js';
import { EngineApiError, engineStatusCode, isActiveEndpoints, isNotFound } from './docker/errors.js';

export interface ReleaseClock {
  readonly now: () => number;
  readonly delay: (ms: number) => Promise<void>;
  readonly pollIntervalMs: number;
}

type NetworkClient = Pick<DaemonClient, 'removeNetwork' | 'inspectNetwork' | 'inspectContainer'>;

/**
 * A container that exists and is not being removed, holding an endpoint on the network: its name and
 * state, or undefined. A look that fails (the daemon, under the load that causes the wait, can time
 * out answering for a container it is tearing down) finds no holder: the wait goes on, bounded.
 */
async function liveHolder(client: NetworkClient, network: string): Promise<string | undefined> {
  const inspected = await client.inspectNetwork(network).catch(() => undefined);
  const endpoints = (inspected?.Containers as Record<string, { Name?: string }> | undefined) ?? {};
  for (const [id, endpoint] of Object.entries(endpoints)) {
    const container = await client.inspectContainer(id).catch(() => undefined);
    const status = (container?.State as { Status?: string } | undefined)?.Status;
    if (status !== undefined && status !== 'removing' && status !== 'dead') return `${endpoint.Name ?? id} (${status})`;
  }
  return undefined;
}

/** The daemon's refusal, naming the live container that holds the network (keeping the daemon and operation it came with). */
function heldBy(error: unknown, holder: string): Error {
  const inner = error instanceof DaemonError ? error.cause : error;
  const named = new EngineApiError(`${(inner as Error).message}; container ${holder} is attached to it`, engineStatusCode(error));
  return error instanceof DaemonError ? new DaemonError(error.daemon, error.operation, named) : named;
}

/** Removes the op's network; a network already gone counts as removed. */
export async function removeNetworkReleased(client: NetworkClient, clock: ReleaseClock, op: RemoveNetworkOp): Promise<void> {
  const network = op.network ?? op.name;
  const deadline = clock.now() + op.releaseWaitMs;
  for (;;) {
    try {
      await client.removeNetwork(network);
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isActiveEndpoints(error)) throw error;
      const holder = await liveHolder(client, network);
      if (holder) throw heldBy(error, holder);
      if (clock.now() >= deadline) throw error;
      await clock.delay(clock.pollIntervalMs);
    }
  }
}
