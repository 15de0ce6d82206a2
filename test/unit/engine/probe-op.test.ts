/**
 * The reach probe as an operation, executed (engine/execute.ts, engine/probe-op.ts) against
 * in-memory daemons with a scripted probe: what runs while it probes, what waits for its answer,
 * the variant each answer picks, a probe that cannot run, and Ctrl-C while it probes.
 */
import { describe, expect, it } from 'vitest';
import { ExecutionInterrupted, execute, type ProbeRunner } from '../../../src/engine/execute.js';
import { PlanError } from '../../../src/errors.js';
import type { StepEvent, WarningEvent } from '../../../src/model/events.js';
import type { Project } from '../../../src/model/project.js';
import type { Plan } from '../../../src/plan/plan.js';
import { reconcile } from '../../../src/plan/reconcile.js';
import { observed, project, service } from '../plan/builders.js';
import { MemoryDaemon } from './memory-daemon.js';

const AUTO = { linux: { reach: 'auto' as const, address: '192.0.2.1' }, windows: { reach: 'auto' as const, address: '192.0.2.2' } };
const db = service('db', { command: ['sleep', '3600'], ports: [{ target: 5432, published: '5432', protocol: 'tcp', mode: 'host' }] as never });
const cache = service('cache', { command: ['sleep', '3600'] });
const web = service('web', { platform: 'windows', environment: { DB: '{{ db.host }}:{{ db.port:5432 }}' } });

function stack(services = [db, cache, web]): Project {
  const p = project(services, {}, AUTO);
  return { ...p, extension: { ...p.extension, resolver: { enabled: false } } };
}

function probingPlan(p = stack()): Plan {
  const { plan, problems } = reconcile(p, observed(), { command: 'up', probeReach: true });
  expect(problems).toEqual([]);
  return plan;
}

function daemons() {
  const linux = new MemoryDaemon('linux (mem)', '10.201.0');
  const windows = new MemoryDaemon('windows (mem)', '10.202.0');
  return { linux, windows, clients: { linux, windows } };
}

/**
 * The scripted probe as the plan runs it: each `side` operation starts its end at once (a made-up
 * container on the probe's network), the answering operation is `answer`.
 */
function withEnds(answer: ProbeRunner): ProbeRunner {
  return async (op, signal, peers) =>
    op.side ? { kind: 'side-started', peer: { id: `probe-${op.side}`, ip: op.side === 'linux' ? '10.209.0.2' : '10.209.1.2' }, network: op.network ?? 'shop_mixcompose-reach-probe' } : answer(op, signal, peers);
}

/** A sink that keeps events and resolves `reached(id)` once that step is done. */
function recorder() {
  const events: (StepEvent | WarningEvent)[] = [];
  const waiters = new Map<string, () => void>();
  const reached = (id: string) => new Promise<void>((resolve) => waiters.set(id, resolve));
  const onEvent = (e: { type: string }) => {
    if (e.type !== 'step' && e.type !== 'warning') return;
    events.push(e as StepEvent | WarningEvent);
    if (e.type === 'step' && (e as StepEvent).status === 'done') waiters.get((e as StepEvent).id)?.();
  };
  const order = () => events.flatMap((e) => (e.type === 'step' ? [`${e.id}:${e.status}`] : []));
  return { events, reached, onEvent, order };
}

describe('the reach probe operation', () => {
  it('a service no other daemon consumes is created and started while the probe runs; the cross-daemon consumer only after its answer', async () => {
    const { linux, windows, clients } = daemons();
    const { reached, onEvent, order } = recorder();
    // The probe answers only once cache (and db, which web consumes) have started: they must not wait for it.
    const probeReach: ProbeRunner = async () => {
      await Promise.all([reached('start:cache:1'), reached('start:db:1')]);
      return { kind: 'answered', reach: { linux: 'published', windows: 'ip' }, message: 'linux containers by published, windows containers by ip' };
    };
    const result = await execute(probingPlan(), { clients, pollIntervalMs: 1, onEvent, probeReach: withEnds(probeReach) });
    const steps = order();
    expect(steps.indexOf('start:cache:1:done')).toBeLessThan(steps.indexOf('reach-probe:done'));
    expect(steps.indexOf('create:web:1:started')).toBeGreaterThan(steps.indexOf('reach-probe:done'));
    expect(result.reachOutcomes.get('reach-probe')).toBe('linux=published windows=ip');
    // The published variant: the linux daemon's address and db's published port.
    const webBody = [...windows.containers.values()].find((c) => c.name === 'shop-web-1')!.body;
    expect(webBody.Env).toEqual(['DB=192.0.2.1:5432']);
    // The answer is recorded on the consumer (no resolver here), for the next up.
    expect((webBody.Labels as Record<string, string>)['io.mixcompose.reach.linux']).toBe('published');
    expect([...linux.containers.values()].map((c) => c.name).sort()).toEqual(['shop-cache-1', 'shop-db-1']);
  });

  it('with the resolver and a windows service started beside it, the probe gets them as its peers (ids and addresses as the run made them); no end of its own starts', async () => {
    const { linux, windows, clients } = daemons();
    const noAddress = project([db, cache, web], {}, { linux: { reach: 'auto' }, windows: { reach: 'auto' } });
    const plan = reconcile(noAddress, observed(), { command: 'up', probeReach: true }).plan;
    let seen: unknown;
    const ends: string[] = [];
    const probeReach: ProbeRunner = async (op, _signal, peers) => {
      if (op.side) ends.push(op.side);
      seen = peers;
      return { kind: 'answered', reach: { linux: 'ip', windows: 'ip' }, message: 'both by ip' };
    };
    await execute(plan, { clients, pollIntervalMs: 1, probeReach: withEnds(probeReach) });
    const resolver = [...linux.containers.values()].find((c) => c.name === 'shop-mixcompose-resolver')!;
    const web1 = [...windows.containers.values()].find((c) => c.name === 'shop-web-1')!;
    expect(seen).toEqual({ linux: { id: resolver.id, ip: resolver.ip, pingBy: 'hosts-reader' }, windows: { id: web1.id, ip: web1.ip } });
    expect(ends).toEqual([]);
    // The answer is on the reach record (made, never started), not on the services.
    const record = [...linux.containers.values()].find((c) => c.name === 'shop-mixcompose-reach-record')!;
    expect((record.body.Labels as Record<string, string>)['io.mixcompose.reach.windows']).toBe('ip');
    expect(record.running).toBe(false);
    expect(Object.keys(web1.body.Labels as object).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
  });

  it('what waits for the answer starts before the probe\'s clean-up is done; the run ends only once it is', async () => {
    const { clients } = daemons();
    const { reached, onEvent } = recorder();
    let release!: () => void;
    let cleaned = false;
    const cleanup = new Promise<void>((resolve) => (release = resolve)).then(() => {
      cleaned = true;
    });
    const probeReach: ProbeRunner = async () => ({ kind: 'answered', reach: { linux: 'ip', windows: 'ip' }, message: 'both by ip', cleanup });
    let ended = false;
    const run = execute(probingPlan(), { clients, pollIntervalMs: 1, onEvent, probeReach: withEnds(probeReach) }).then((r) => {
      ended = true;
      return r;
    });
    // The consumer (after the answer) is made while the clean-up still runs.
    await reached('start:web:1');
    expect(cleaned).toBe(false);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(ended).toBe(false);
    release();
    await run;
    expect(cleaned).toBe(true);
  });

  it('under ip reach the consumer gets the provider\'s container IP; the probe\'s step carries its answer', async () => {
    const { linux, windows, clients } = daemons();
    const { events, onEvent } = recorder();
    const probeReach: ProbeRunner = async () => ({ kind: 'answered', reach: { linux: 'ip', windows: 'ip' }, message: 'both by ip' });
    await execute(probingPlan(), { clients, pollIntervalMs: 1, onEvent, probeReach: withEnds(probeReach) });
    const dbIp = [...linux.containers.values()].find((c) => c.name === 'shop-db-1')!.ip;
    expect([...windows.containers.values()].find((c) => c.name === 'shop-web-1')!.body.Env).toEqual([`DB=${dbIp}:5432`]);
    const done = events.find((e): e is StepEvent => e.type === 'step' && e.id === 'reach-probe' && e.status === 'done')!;
    expect(done).toMatchObject({ action: 'probe', message: 'both by ip', reach: { linux: 'ip', windows: 'ip' } });
  });

  it('a probe that cannot run: its warning, then the endpoints\' guess', async () => {
    const { windows, clients } = daemons();
    const { events, onEvent } = recorder();
    const probeReach: ProbeRunner = async () => ({ kind: 'could-not-run', warning: 'reach auto: the probe could not run (no image)' });
    const result = await execute(probingPlan(), { clients, pollIntervalMs: 1, onEvent, probeReach: withEnds(probeReach) });
    expect(result.reachOutcomes.get('reach-probe')).toBe('could-not-run');
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as WarningEvent).message)).toEqual(['reach auto: the probe could not run (no image)']);
    const webBody = [...windows.containers.values()].find((c) => c.name === 'shop-web-1')!.body;
    expect(String((webBody.Env as string[])[0])).toMatch(/^DB=10\.201\.0\.\d+:5432$/);
    expect((webBody.Labels as Record<string, string>)['io.mixcompose.reach-probe']).toBe('could-not-run');
  });

  it('Ctrl-C while probing: the probe ends through the signal and cleans up, the consumer is never made', async () => {
    const { windows, clients } = daemons();
    const controller = new AbortController();
    const { onEvent, reached } = recorder();
    let cleaned = false;
    const probeReach: ProbeRunner = async (_op, signal) => {
      await reached('start:cache:1');
      controller.abort(); // the user's Ctrl-C
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      cleaned = true; // what the probe made is removed before it answers
      return { kind: 'interrupted' };
    };
    const run = execute(probingPlan(), { clients, pollIntervalMs: 1, onEvent, probeReach: withEnds(probeReach), signal: controller.signal });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionInterrupted);
    expect(cleaned).toBe(true);
    expect((error as ExecutionInterrupted).notDone.join('\n')).toContain('create container shop-web-1');
    expect([...windows.containers.values()]).toEqual([]);
  });

  it('another operation failing ends the probe through the same signal', async () => {
    const { linux, clients } = daemons();
    linux.failures.set('startContainer', new PlanError('start refused'));
    let sawAbort = false;
    const probeReach: ProbeRunner = async (_op, signal) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = true;
      return { kind: 'interrupted' };
    };
    await expect(execute(probingPlan(), { clients, pollIntervalMs: 1, probeReach: withEnds(probeReach) })).rejects.toThrow('start refused');
    expect(sawAbort).toBe(true);
  });

  it('an answer whose plan has problems stops the run: what depends on it was never made, what ran beside the probe records no answer', async () => {
    const hidden = service('db', { command: ['sleep', '3600'] });
    const { linux, windows, clients } = daemons();
    const probeReach: ProbeRunner = async () => ({ kind: 'answered', reach: { linux: 'published', windows: 'ip' }, message: '' });
    await expect(execute(probingPlan(stack([hidden, cache, web])), { clients, pollIntervalMs: 1, probeReach: withEnds(probeReach) })).rejects.toThrow(/port 5432 of db is not published/);
    // web consumes db across the daemons (its config is the answer's): never made.
    expect(windows.containers.size).toBe(0);
    // What ran beside the probe holds no answer: the next up probes again (and `down` removes it).
    for (const c of linux.containers.values()) expect(Object.keys(c.body.Labels as Record<string, string>).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
  });

  it('each end of the probe starts as its own operation at once; the pings wait for both and get both', async () => {
    const { clients } = daemons();
    const { onEvent, order } = recorder();
    let seen: unknown;
    const ends: string[] = [];
    const probeReach: ProbeRunner = async (op, _signal, peers) => {
      if (op.side) {
        ends.push(op.side);
        return { kind: 'side-started', peer: { id: `probe-${op.side}`, ip: `10.209.${op.side === 'linux' ? 0 : 1}.2` }, network: op.network ?? 'shop_mixcompose-reach-probe' };
      }
      seen = peers;
      return { kind: 'answered', reach: { linux: 'ip', windows: 'ip' }, message: 'both by ip' };
    };
    await execute(probingPlan(), { clients, pollIntervalMs: 1, onEvent, probeReach });
    expect(ends.sort()).toEqual(['linux', 'windows']);
    expect(seen).toEqual({ linux: { id: 'probe-linux', ip: '10.209.0.2' }, windows: { id: 'probe-windows', ip: '10.209.1.2' } });
    const steps = order();
    expect(steps.indexOf('reach-probe:windows:done')).toBeLessThan(steps.indexOf('reach-probe:started'));
  });

  it('an end that cannot start: one warning (its reason), the answering probe does not run, reach is the endpoints\' guess', async () => {
    const { clients } = daemons();
    const { events, onEvent } = recorder();
    let pinged = false;
    const probeReach: ProbeRunner = async (op) => {
      if (op.side === 'windows') return { kind: 'could-not-run', warning: 'reach auto: the probe could not run (probe image: not found)' };
      if (op.side) return { kind: 'side-started', peer: { id: 'probe-linux', ip: '10.209.0.2' }, network: op.network ?? 'shop_mixcompose-reach-probe' };
      pinged = true;
      return { kind: 'answered', reach: { linux: 'ip', windows: 'ip' }, message: '' };
    };
    const result = await execute(probingPlan(), { clients, pollIntervalMs: 1, onEvent, probeReach });
    expect(pinged).toBe(false);
    expect(result.reachOutcomes.get('reach-probe')).toBe('could-not-run');
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as WarningEvent).message)).toEqual(['reach auto: the probe could not run (probe image: not found)']);
  });
});
