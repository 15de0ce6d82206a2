/**
 * Property (issue 12): whatever sequence of interrupted `up`s and `down`s (a daemon call failing at
 * the k-th change, or the run interrupted there) and out-of-band damage (duplicate networks of ours,
 * duplicate or half-made containers, a foreign twin of our network, a resolver that lost its files)
 * came first, `up` then converges to every service running once, and `down` leaves nothing of the
 * project; foreign things stay as they were; no plan holds an operation twice (same id, or the same
 * thing done to the same resource). A foreign twin makes `up` refuse, naming it, until it is gone.
 *
 * Seeded (FC_SEED=n explores others); runs against the in-memory engines, a few seconds in all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABEL_NUMBER, LABEL_ONEOFF, LABEL_PLATFORM, LABEL_PROJECT, LABEL_SERVICE } from '../../../src/plan/labels.js';
import { expectUpThenDown, foreignState, makeRig, projectLeft, run, type Rig } from './converge-support.js';
import type { MemEngine } from './memory-engine.js';

const SEED = Number(process.env.FC_SEED ?? 20261202);

type Step =
  | { readonly kind: 'run'; readonly command: 'up' | 'down'; readonly at: number; readonly fault: 'fail' | 'interrupt' }
  | { readonly kind: 'duplicate-network'; readonly daemon: 'linux' | 'windows'; readonly moveOne: boolean }
  | { readonly kind: 'duplicate-container'; readonly service: 'db' | 'api' | 'web'; readonly number: 1 | 2; readonly status: 'created' | 'running' | 'exited'; readonly hash: boolean }
  | { readonly kind: 'foreign-twin'; readonly daemon: 'linux' | 'windows' }
  | { readonly kind: 'resolver-files-lost' }
  | { readonly kind: 'stopped-and-network-removed'; readonly daemon: 'linux' | 'windows' };

const daemon = fc.constantFrom('linux' as const, 'windows' as const);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('run' as const), command: fc.constantFrom('up' as const, 'down' as const), at: fc.integer({ min: 1, max: 30 }), fault: fc.constantFrom('fail' as const, 'interrupt' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate-network' as const), daemon, moveOne: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('duplicate-container' as const),
      service: fc.constantFrom('db' as const, 'api' as const, 'web' as const),
      number: fc.constantFrom(1 as const, 2 as const),
      status: fc.constantFrom('created' as const, 'running' as const, 'exited' as const),
      hash: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('foreign-twin' as const), daemon }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolver-files-lost' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stopped-and-network-removed' as const), daemon }) },
);

const engineOf = (rig: Rig, d: 'linux' | 'windows'): MemEngine => (d === 'linux' ? rig.linux : rig.windows);
const ours = (e: MemEngine) => [...e.networks.values()].filter((n) => n.labels[LABEL_PROJECT] === 'shop');

async function apply(rig: Rig, s: Step, twins: Set<string>): Promise<void> {
  switch (s.kind) {
    case 'run':
      await run(rig, s.command, { at: s.at, kind: s.fault });
      return;
    case 'duplicate-network': {
      const e = engineOf(rig, s.daemon);
      const twin = e.addNetwork('shop_default', { [LABEL_PROJECT]: 'shop', 'com.docker.compose.network': 'default' });
      const onIt = [...e.containers.values()].find((c) => c.labels[LABEL_PROJECT] === 'shop');
      if (s.moveOne && onIt) onIt.networks = { shop_default: { id: twin.id, ...(onIt.status === 'running' ? { ip: '10.9.9.9' } : {}) } };
      return;
    }
    case 'duplicate-container': {
      const d = s.service === 'db' ? 'linux' : 'windows';
      const e = engineOf(rig, d);
      const net = ours(e)[0];
      const hash: Record<string, string> = s.hash ? { 'com.docker.compose.config-hash': 'f'.repeat(64) } : {};
      const labels = { [LABEL_PROJECT]: 'shop', [LABEL_SERVICE]: s.service, [LABEL_NUMBER]: String(s.number), [LABEL_ONEOFF]: 'False', [LABEL_PLATFORM]: d, ...hash };
      e.addContainer({ name: `shop-${s.service}-${s.number}-${rig.world.seq}`, labels, image: 'x', status: net ? s.status : 'created', networks: net ? { shop_default: { id: net.id, ...(s.status === 'running' ? { ip: '10.9.9.8' } : {}) } } : {} });
      return;
    }
    case 'foreign-twin':
      twins.add(engineOf(rig, s.daemon).addNetwork('shop_default', { owner: 'someone-else' }).id);
      return;
    case 'resolver-files-lost':
      for (const c of rig.linux.containers.values()) if (c.labels['io.mixcompose.role'] === 'resolver') c.files.clear();
      return;
    case 'stopped-and-network-removed': {
      const e = engineOf(rig, s.daemon);
      for (const c of e.containers.values()) if (c.labels[LABEL_PROJECT] === 'shop') c.status = 'exited';
      for (const n of ours(e)) e.networks.delete(n.id);
      return;
    }
  }
}

/** What never belongs to the project: another project's container and network, on both daemons. */
function bystanders(rig: Rig): void {
  for (const e of [rig.linux, rig.windows]) {
    const net = e.addNetwork('other_default', { [LABEL_PROJECT]: 'other' });
    e.addContainer({ name: 'other-app-1', labels: { [LABEL_PROJECT]: 'other', [LABEL_SERVICE]: 'app' }, image: 'x', status: 'running', networks: { other_default: { id: net.id, ip: '10.9.0.2' } } });
  }
}

describe('property: interrupted operations, then up and down converge', () => {
  it('random interrupted runs and damage, then up → all running, down → nothing of the project, foreign untouched', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        const rig = makeRig();
        bystanders(rig);
        const twins = new Set<string>();
        for (const s of steps) await apply(rig, s, twins);
        const foreign = foreignState(rig);
        if (twins.size) {
          // A twin of our network (one that is not ours) is never adopted or removed: up refuses, naming it.
          const refused = await run(rig, 'up');
          if ([...twins].some((id) => [rig.linux, rig.windows].some((e) => e.networks.has(id)))) {
            expect(String(refused.error)).toMatch(/shop_default .*(exists twice|does not belong to project shop)/);
          }
          expect(foreignState(rig)).toEqual(foreign);
          const down = await run(rig, 'down');
          expect(down.error).toBeUndefined();
          expect(projectLeft(rig)).toEqual([]);
          expect(foreignState(rig)).toEqual(foreign);
          // The user removes the twin.
          for (const e of [rig.linux, rig.windows]) for (const id of twins) e.networks.delete(id);
        }
        const after = foreignState(rig);
        await expectUpThenDown(rig);
        expect(foreignState(rig)).toEqual(after);
      }),
      { seed: SEED, numRuns: 60, endOnFailure: true },
    );
  });
});
