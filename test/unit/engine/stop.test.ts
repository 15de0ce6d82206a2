import { describe, expect, it } from 'vitest';
import { stopBounded, stopLevelInParallel } from '../../../src/engine/stop.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';

/** In-memory daemon: each container's stop/kill behaviour is scripted. */
type Behaviour = {
  stop: 'exits' | 'ignores' | 'hangs' | 'gone';
  kill?: 'works' | 'hangs' | 'no-exit';
};

function fakeClient(behaviours: Record<string, Behaviour>) {
  const calls: string[] = [];
  const state = new Map<string, { running: boolean; exitCode: number; waiters: (() => void)[] }>();
  for (const id of Object.keys(behaviours)) state.set(id, { running: true, exitCode: 0, waiters: [] });
  const exit = (id: string, code: number) => {
    const s = state.get(id)!;
    s.running = false;
    s.exitCode = code;
    s.waiters.splice(0).forEach((w) => w());
  };
  const never = new Promise<never>(() => {});
  const client = {
    label: 'fake',
    async stopContainer(id: string, t: number, signal?: string) {
      calls.push(`stop ${id} t=${t}${signal ? ` ${signal}` : ''}`);
      const b = behaviours[id]!;
      if (b.stop === 'gone') throw Object.assign(new Error('No such container: ' + id), { statusCode: 404 });
      if (b.stop === 'hangs') return never;
      // The daemon kills after t when the process ignores the signal: model that as exit 137.
      exit(id, b.stop === 'ignores' ? 137 : 0);
    },
    async killContainer(id: string) {
      calls.push(`kill ${id}`);
      const k = behaviours[id]!.kill ?? 'works';
      if (k === 'hangs') return never;
      if (k === 'works') exit(id, 137);
    },
    async waitContainer(id: string) {
      const s = state.get(id)!;
      if (!s.running) return s.exitCode;
      await new Promise<void>((r) => s.waiters.push(r));
      return s.exitCode;
    },
    async inspectContainer(id: string) {
      const s = state.get(id)!;
      return { Id: id, State: { Running: s.running, ExitCode: s.exitCode } };
    },
  } as unknown as DaemonClient;
  return { client, calls };
}

const fast = { marginSeconds: 0.05, killWaitSeconds: 0.1 };

describe('stopBounded', () => {
  it('a container that exits on the signal is stopped', async () => {
    const { client, calls } = fakeClient({ a: { stop: 'exits' } });
    const r = await stopBounded(client, { id: 'a', name: 'p-a-1' }, { graceSeconds: 2, signal: 'SIGINT', ...fast });
    expect(r.outcome).toBe('stopped');
    expect(calls).toEqual(['stop a t=2 SIGINT']);
  });

  it('a container that ignores SIGTERM is killed by the daemon after the grace: killed', async () => {
    const { client, calls } = fakeClient({ a: { stop: 'ignores' } });
    const r = await stopBounded(client, { id: 'a', name: 'p-a-1' }, { graceSeconds: 0, ...fast });
    expect(r.outcome).toBe('killed');
    expect(calls).toEqual(['stop a t=0']);
  });

  it('a stop that never returns (LCOW) is followed by a kill: killed', async () => {
    const { client, calls } = fakeClient({ a: { stop: 'hangs', kill: 'works' } });
    const r = await stopBounded(client, { id: 'a', name: 'p-a-1' }, { graceSeconds: 0, ...fast });
    expect(r.outcome).toBe('killed');
    expect(calls).toEqual(['stop a t=0', 'kill a']);
  });

  it('a kill that never returns: stuck, naming the container, and returns', async () => {
    const { client } = fakeClient({ a: { stop: 'hangs', kill: 'hangs' } });
    const r = await stopBounded(client, { id: 'a', name: 'p-a-1' }, { graceSeconds: 0, ...fast });
    expect(r.outcome).toBe('stuck');
    expect(r.message).toContain('p-a-1');
  });

  it('a kill accepted but the container never exits: stuck', async () => {
    const { client } = fakeClient({ a: { stop: 'hangs', kill: 'no-exit' } });
    const r = await stopBounded(client, { id: 'a', name: 'p-a-1' }, { graceSeconds: 0, ...fast });
    expect(r.outcome).toBe('stuck');
    expect(r.message).toMatch(/p-a-1.*still running/);
  });

  it('a container already gone counts as stopped', async () => {
    const { client, calls } = fakeClient({ a: { stop: 'gone' } });
    expect((await stopBounded(client, { id: 'a', name: 'p-a-1' }, { graceSeconds: 1, ...fast })).outcome).toBe('stopped');
    expect(calls).toEqual(['stop a t=1']);
  });

  it('measures with the injected clock', async () => {
    const { client } = fakeClient({ a: { stop: 'exits' } });
    let t = 1000;
    const r = await stopBounded(client, { id: 'a', name: 'x' }, { graceSeconds: 1, now: () => (t += 5), ...fast });
    expect(r).toMatchObject({ startedAt: 1005, endedAt: 1010, ms: 5 });
  });
});

describe('stopLevelInParallel', () => {
  it('issues all stops of a level before any finishes', async () => {
    const { client, calls } = fakeClient(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`c${i}`, { stop: 'hangs', kill: 'works' } as Behaviour])));
    const results = await stopLevelInParallel(
      Array.from({ length: 5 }, (_, i) => ({ client, target: { id: `c${i}`, name: `c${i}` }, options: { graceSeconds: 0, ...fast } })),
    );
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('killed'));
    // All five stops went out before the first kill.
    expect(calls.slice(0, 5).every((c) => c.startsWith('stop '))).toBe(true);
    const latestStart = Math.max(...results.map((r) => r.startedAt));
    const earliestEnd = Math.min(...results.map((r) => r.endedAt));
    expect(latestStart).toBeLessThanOrEqual(earliestEnd);
  });
});

describe('stopBounded cancels what it gave up on', () => {
  it('aborts the pending stop and kill requests when it reports stuck', async () => {
    const signals: AbortSignal[] = [];
    const never = () => new Promise<never>(() => {});
    const client = {
      label: 'fake',
      stopContainer: (_id: string, _t: number, _s?: string, abort?: AbortSignal) => (signals.push(abort!), never()),
      killContainer: (_id: string, _s?: string, abort?: AbortSignal) => (signals.push(abort!), never()),
    } as unknown as DaemonClient;
    const r = await stopBounded(client, { id: 'a', name: 'p-a-1' }, { graceSeconds: 0, ...fast });
    expect(r.outcome).toBe('stuck');
    expect(signals).toHaveLength(2);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });
});

describe('stopBounded reads the daemon\'s status, not its text', () => {
  it('a failed stop whose message merely contains "404" is not taken for a missing container', async () => {
    const calls: string[] = [];
    const client = {
      label: 'fake',
      stopContainer: async () => {
        calls.push('stop');
        throw Object.assign(new Error('cannot stop container 4a404b: tried to kill container, but did not receive an exit event'), { statusCode: 500 });
      },
      killContainer: async () => void calls.push('kill'),
      waitContainer: async () => 137,
    } as unknown as DaemonClient;
    const r = await stopBounded(client, { id: '4a404b', name: 'p-a-1' }, { graceSeconds: 0, ...fast });
    expect(calls).toEqual(['stop', 'kill']);
    expect(r.outcome).toBe('killed');
  });
});

