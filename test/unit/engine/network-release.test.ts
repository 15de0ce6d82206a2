/**
 * A network removal while Docker 20.10 still releases the endpoints of removed containers (seen on
 * the rig in a 200-service `down`, HTTP 403 "has active endpoints" more than 10 s after the
 * removals returned): asked again for as long as the plan's releaseWaitMs, with the clock injected,
 * but never for a live container not ours that holds the network.
 */
import { describe, expect, it } from 'vitest';
import { removeNetworkReleased } from '../../../src/engine/network-release.js';
import { EngineApiError } from '../../../src/engine/docker/errors.js';
import { DaemonError } from '../../../src/errors.js';
import type { RemoveNetworkOp } from '../../../src/plan/plan.js';

const ACTIVE = () => new DaemonError('linux', 'remove network p_default', new EngineApiError('error while removing network: network p_default id 3f1c has active endpoints', 403));

const op = (releaseWaitMs = 30_000): RemoveNetworkOp => ({ kind: 'remove-network', id: 'network-rm:linux:default', deps: [], daemon: 'linux', name: 'p_default', releaseWaitMs });

/**
 * A daemon whose removals answer `answers` in turn (an error, or undefined: removed), whose network
 * lists container c1's endpoint, and whose inspect of c1 answers `c1` (a State.Status, or an error).
 */
function daemon(answers: readonly (Error | undefined)[], c1: string | Error) {
  const removals: string[] = [];
  let t = 0;
  const client = {
    removeNetwork: async (name: string) => {
      const answer = answers[Math.min(removals.length, answers.length - 1)];
      removals.push(name);
      if (answer) throw answer;
    },
    inspectNetwork: async () => ({ Name: 'p_default', Containers: { c1: { Name: 'p-a-1' } } }),
    inspectContainer: async () => {
      if (c1 instanceof Error) throw c1;
      return { Id: 'c1', State: { Status: c1 } };
    },
  };
  const clock = { now: () => t, delay: async (ms: number) => void (t += ms), pollIntervalMs: 500 };
  return { client, clock, removals, elapsed: () => t };
}

describe('a network removal while the daemon still releases endpoints', () => {
  it('asks again while the endpoint\'s container is gone, and the removal goes through once released', async () => {
    const d = daemon([ACTIVE(), ACTIVE(), undefined], new EngineApiError('No such container: c1', 404));
    await removeNetworkReleased(d.client, d.clock, op());
    expect(d.removals).toEqual(['p_default', 'p_default', 'p_default']);
  });

  it('does not wait for a container that exists and is not being removed, and names it', async () => {
    const d = daemon([ACTIVE(), undefined], 'running');
    const error = await removeNetworkReleased(d.client, d.clock, op()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as Error).message).toMatch(/^daemon linux: remove network p_default failed: .*has active endpoints; container p-a-1 \(running\) is attached to it$/);
    expect(d.removals).toHaveLength(1);
  });

  it('goes on waiting when the daemon cannot answer for the endpoint\'s container (it may be tearing it down)', async () => {
    const d = daemon([ACTIVE(), undefined], new EngineApiError('context deadline exceeded', 500));
    await removeNetworkReleased(d.client, d.clock, op());
    expect(d.removals).toHaveLength(2);
  });

  it('gives up with the daemon\'s refusal once the plan\'s wait is over', async () => {
    const d = daemon([ACTIVE()], 'removing');
    const error = await removeNetworkReleased(d.client, d.clock, op(5_000)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/has active endpoints$/);
    expect(d.elapsed()).toBe(5_000);
    expect(d.removals).toHaveLength(11);
  });

  it('counts a network already gone as removed, and repeats no other failure', async () => {
    const gone = daemon([new EngineApiError('network p_default not found', 404)], 'running');
    await removeNetworkReleased(gone.client, gone.clock, op());
    const refused = daemon([new EngineApiError('bridge is a pre-defined network and cannot be removed', 403)], 'running');
    await expect(removeNetworkReleased(refused.client, refused.clock, op())).rejects.toThrow(/pre-defined network/);
    expect(refused.removals).toHaveLength(1);
  });
});
