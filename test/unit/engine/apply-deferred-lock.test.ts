/**
 * apply with a deferred project lock (the CLI's optimistic `up`, Daemons.projectLock), on two
 * in-memory engines: a converged stack is observed once, unlocked, and nothing is written; a stack
 * with work takes the lock and observes again before anything changes; a refused lock changes
 * nothing; a dry run never takes it. The lock is a spy recording when it is taken.
 * With facts from the client-side cache (Daemons.confirmFacts): only a plan that changes nothing
 * runs from them; any other is made again (and run) with the facts confirmed under the lock.
 */
import { describe, expect, it } from 'vitest';
import { apply, type Daemons, type DeferredProjectLock } from '../../../src/engine/apply.js';
import { ProjectLockedError } from '../../../src/engine/project-lock.js';
import { PlanError } from '../../../src/errors.js';
import { facts } from '../plan/builders.js';
import { expectAllRunning, makeRig, run, type Rig } from '../property/converge-support.js';

/** A lock that records "take" into `events` (or refuses with `refusal`). */
function spyLock(events: string[], refusal?: Error): DeferredProjectLock {
  let held = false;
  return {
    get held() {
      return held;
    },
    async take() {
      events.push('take');
      if (refusal) throw refusal;
      held = true;
    },
  };
}

/** The rig's daemons with the deferred lock; each observation's container list recorded as "observe". */
function daemonsOf(rig: Rig, events: string[], projectLock: DeferredProjectLock): Daemons {
  const list = rig.linux.listContainers.bind(rig.linux);
  rig.linux.listContainers = async (filters, all) => {
    if (all) events.push('observe');
    return list(filters, all);
  };
  return { clients: { linux: rig.linux, windows: rig.windows }, facts: { linux: facts('linux'), windows: facts('windows') }, projectLock };
}

const up = { reconcile: { command: 'up' as const }, ensureHelperImage: async () => undefined, pollIntervalMs: 0 };

async function converged(): Promise<Rig> {
  const rig = makeRig();
  expect((await run(rig, 'up')).error).toBeUndefined();
  return rig;
}

/** db's container in the in-memory linux daemon. */
const dbOf = (rig: Rig) => [...rig.linux.containers.values()].find((c) => c.name === 'shop-db-1')!;

/** The converged stack with db stopped by hand: an `up` has work again. */
async function drifted(): Promise<Rig> {
  const rig = await converged();
  dbOf(rig).status = 'exited';
  return rig;
}

describe('apply with a deferred project lock', () => {
  it('a converged stack: one unlocked observation, no lock, nothing written', async () => {
    const rig = await converged();
    const events: string[] = [];
    const writes = rig.world.log.length;
    const { plan } = await apply(rig.project, daemonsOf(rig, events, spyLock(events)), up);
    expect(plan.operations).toEqual([]);
    expect(events).toEqual(['observe']);
    expect(rig.world.log.length).toBe(writes);
  });

  it('a container removed behind its back: the lock is taken, the stack observed again under it, then repaired', async () => {
    const rig = await converged();
    const web = [...rig.windows.containers.values()].find((c) => c.name === 'shop-web-2')!;
    rig.windows.containers.delete(web.id);
    const events: string[] = [];
    const log = rig.world.log;
    const before = log.length;
    rig.world.log.push = (...entries: string[]) => (events.push('write'), Array.prototype.push.apply(log, entries));
    const { plan } = await apply(rig.project, daemonsOf(rig, events, spyLock(events)), up);
    expect(events.slice(0, 3)).toEqual(['observe', 'take', 'observe']);
    expect(events.slice(3).every((e) => e === 'write')).toBe(true);
    expect(log.length).toBeGreaterThan(before);
    expect(plan.operations.map((op) => op.id)).toContain('create:web:2');
    expectAllRunning(rig);
  });

  it('a lock held by another: refused as at the start of the command, nothing written', async () => {
    const rig = await drifted();
    const events: string[] = [];
    const writes = rig.world.log.length;
    const refusal = new ProjectLockedError('shop', 'linux', { host: 'ci-7', pid: 4242, command: 'up', since: 0 }, 0);
    await expect(apply(rig.project, daemonsOf(rig, events, spyLock(events, refusal)), up)).rejects.toBe(refusal);
    expect(events).toEqual(['observe', 'take']);
    expect(rig.world.log.length).toBe(writes);
    expect(dbOf(rig).status).toBe('exited');
  });

  it('a dry run with work never takes it', async () => {
    const rig = makeRig();
    const events: string[] = [];
    const { plan } = await apply(rig.project, daemonsOf(rig, events, spyLock(events)), { ...up, dryRun: true });
    expect(plan.operations.length).toBeGreaterThan(0);
    expect(events).toEqual(['observe']);
  });
});

describe('apply with facts from the cache (Daemons.confirmFacts)', () => {
  /** Cached facts that differ from what the daemons say now (a kernel update), and a confirmation recorded in `events`. */
  function withCachedFacts(daemons: Daemons, events: string[], confirmation: () => Promise<void> = async () => undefined): Daemons {
    return {
      ...daemons,
      facts: { linux: facts('linux', { kernelVersion: 'cached' }), windows: facts('windows', { kernelVersion: 'cached' }) },
      confirmFacts: async () => {
        events.push('confirm');
        await confirmation();
        return { facts: daemons.facts, warnings: ['the daemon says something new'] };
      },
    };
  }

  it('a converged stack: planned and run with the cached facts, nothing confirmed', async () => {
    const rig = await converged();
    const events: string[] = [];
    const { plan, observed } = await apply(rig.project, withCachedFacts(daemonsOf(rig, events, spyLock(events)), events), up);
    expect(plan.operations).toEqual([]);
    expect(events).toEqual(['observe']);
    expect(observed.daemons.linux?.kernelVersion).toBe('cached');
  });

  it('a plan with work: the lock is taken, the facts confirmed, and the run observes, plans and executes with them', async () => {
    const rig = await drifted();
    const events: string[] = [];
    const warnings: string[] = [];
    const onEvent = (e: { type: string; message?: string }) => (e.type === 'warning' ? warnings.push(e.message ?? '') : undefined);
    const { plan, observed } = await apply(rig.project, withCachedFacts(daemonsOf(rig, events, spyLock(events)), events), { ...up, onEvent });
    expect(events).toEqual(['observe', 'take', 'confirm', 'observe']);
    expect(observed.daemons.linux?.kernelVersion).toBeUndefined();
    expect(plan.operations.length).toBeGreaterThan(0);
    expect(warnings).toContain('the daemon says something new');
    expectAllRunning(rig);
  });

  it('without a deferred lock (held from the start) a plan with work is still made again with confirmed facts', async () => {
    const rig = await drifted();
    const events: string[] = [];
    const { projectLock: _none, ...locked } = daemonsOf(rig, events, spyLock(events));
    const { observed } = await apply(rig.project, withCachedFacts(locked, events), up);
    expect(events).toEqual(['observe', 'confirm', 'observe']);
    expect(observed.daemons.linux?.kernelVersion).toBeUndefined();
  });

  it('a daemon that runs the wrong OS now: the confirmation refuses, nothing written', async () => {
    const rig = await drifted();
    const events: string[] = [];
    const writes = rig.world.log.length;
    const refusal = new PlanError('linux daemon reports OSType "windows"');
    const daemons = withCachedFacts(daemonsOf(rig, events, spyLock(events)), events, async () => {
      throw refusal;
    });
    await expect(apply(rig.project, daemons, up)).rejects.toBe(refusal);
    expect(events).toEqual(['observe', 'take', 'confirm']);
    expect(rig.world.log.length).toBe(writes);
    expect(dbOf(rig).status).toBe('exited');
  });
});
