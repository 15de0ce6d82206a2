/**
 * Lookups the planner makes once per plan instead of once per service (a 200-service `up` asked
 * each of them 200 times, reading every container or network each time): on any observed state
 * they answer what the per-call searches answered. The references are those searches, as they were.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { networkRecreateReason, planDuplicateNetworks } from '../../../src/plan/duplicates.js';
import { decideImages } from '../../../src/plan/image-ops.js';
import type { ServiceImageFact } from '../../../src/plan/image-facts.js';
import { LABEL_ROLE } from '../../../src/plan/labels.js';
import type { ObservedContainer, ObservedNetwork } from '../../../src/plan/observed-state.js';
import { PlanContext } from '../../../src/plan/plan-context.js';
import { container, facts, observed, project, service } from '../plan/builders.js';

const SERVICES = ['a', 'b', 'c'];
const platform = fc.constantFrom('linux' as const, 'windows' as const);
const id = fc.constantFrom('1', '2', '3', '4', '5', '6');

const observedContainer: fc.Arbitrary<ObservedContainer> = fc
  .record({
    service: fc.constantFrom(...SERVICES, 'gone'),
    number: fc.integer({ min: 1, max: 3 }),
    id: fc.string({ minLength: 1, maxLength: 2 }),
    oneoff: fc.boolean(),
    resolver: fc.boolean(),
    platform,
    networkIds: fc.dictionary(fc.constantFrom('shop_default', 'shop_back', 'other'), id, { maxKeys: 3 }),
  })
  .map(({ resolver, ...c }) => container({ ...c, labels: resolver ? { [LABEL_ROLE]: 'resolver' } : {} }));

const observedNetwork: fc.Arbitrary<ObservedNetwork> = fc.record({
  id,
  name: fc.constantFrom('shop_default', 'shop_back', 'other'),
  platform,
  driver: fc.constant('bridge'),
  subnets: fc.constant([]),
  labels: fc.constant({}),
});

function referenceContainersOf(containers: readonly ObservedContainer[], name: string): ObservedContainer[] {
  return containers
    .filter((c) => c.service === name && !c.oneoff && c.labels[LABEL_ROLE] !== 'resolver')
    .sort((a, b) => a.number - b.number || (a.id < b.id ? -1 : 1));
}

function referenceNetworkGone(ctx: PlanContext, c: ObservedContainer): boolean {
  const own = new Set(
    Object.entries(ctx.project.networks)
      .filter(([, n]) => !n.external)
      .map(([key, n]) => n.name ?? `${ctx.project.name}_${key}`),
  );
  return Object.entries(c.networkIds ?? {}).some(([name, nid]) => own.has(name) && !ctx.observed.networks.some((n) => n.platform === c.platform && n.id === nid));
}

const stack = project(
  SERVICES.map((s) => service(s)),
  { networks: { default: { name: 'shop_default' }, back: { name: 'shop_back' }, ext: { name: 'other', external: true } } as never },
);

describe('planner lookups made once per plan', () => {
  it('containersOf: each service\'s containers (not one-off, not the resolver), sorted by number then id', () => {
    fc.assert(
      fc.property(fc.array(observedContainer, { maxLength: 12 }), (containers) => {
        const ctx = new PlanContext(stack, observed({ containers }), {});
        for (const name of [...SERVICES, 'gone', 'none']) expect(ctx.containersOf(name)).toEqual(referenceContainersOf(containers, name));
        // A caller may sort or change what it gets: the next caller gets the list as it was.
        ctx.containersOf('a').reverse();
        expect(ctx.containersOf('a')).toEqual(referenceContainersOf(containers, 'a'));
      }),
      { numRuns: 300 },
    );
  });

  it('networkRecreateReason: gone when one of its own project networks is no longer observed by that id', () => {
    fc.assert(
      fc.property(fc.array(observedContainer, { maxLength: 8 }), fc.uniqueArray(observedNetwork, { maxLength: 5, selector: (n) => `${n.platform}/${n.id}` }), (containers, networks) => {
        const ctx = new PlanContext(stack, observed({ containers, networks }), {});
        planDuplicateNetworks(ctx);
        for (const c of containers) {
          const reason = networkRecreateReason(ctx, c);
          if (reason !== 'on a duplicate network') expect(reason === 'its network is gone').toBe(referenceNetworkGone(ctx, c));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decideImages: a service with two facts is decided by its first one', () => {
    const fact = (localId: string): ServiceImageFact => ({ service: 'a', daemon: 'linux', image: 'mixcompose-test/busybox:latest', local: { id: localId } });
    const decided = decideImages(project([service('a')]), { linux: facts('linux') }, [fact('sha256:first'), fact('sha256:second')], { now: 0 });
    expect(decided.entries.map((e) => e.localId)).toEqual(['sha256:first']);
  });
});
