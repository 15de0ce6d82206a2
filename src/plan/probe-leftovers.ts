/**
 * What a killed `up` left of its reach probe (containers and networks labelled
 * io.mixcompose.role=reach-probe): `down` and `up` remove it as plan steps, so `plan` and
 * `--dry-run` say so. The containers are removed with force (a probe holds nothing), then the
 * probe network on their daemon.
 */
import type { PlanContext } from './plan-context.js';
import { ENDPOINT_RELEASE_WAIT_MS, REMOVAL_IN_PROGRESS_WAIT_MS } from './reconcile-options.js';

/** Reason text of the removal steps. */
export const PROBE_LEFTOVER_REASON = 'reach probe left over';

const byName = (a: { platform: string; name: string }, b: { platform: string; name: string }) =>
  `${a.platform}/${a.name}` < `${b.platform}/${b.name}` ? -1 : `${a.platform}/${a.name}` > `${b.platform}/${b.name}` ? 1 : 0;

const removalId = (c: { platform: string; name: string }): string => `remove-probe:${c.platform}:${c.name}`;

/**
 * The removals of the probe containers left on `platform`'s daemon: a probe end joins a project
 * network there (ProbeReachOp.network), which `down` removes only after them.
 */
export function probeLeftoverRemovals(observed: PlanContext['observed'], platform: string): string[] {
  return (observed.probeLeftovers ?? []).filter((l) => l.kind === 'container' && l.platform === platform).map(removalId).sort();
}

export function planProbeLeftovers(ctx: PlanContext): void {
  const leftovers = [...(ctx.observed.probeLeftovers ?? [])].sort(byName);
  const removals: { platform: string; id: string }[] = [];
  for (const c of leftovers.filter((l) => l.kind === 'container')) {
    const id = removalId(c);
    ctx.add({
      kind: 'remove-container',
      id,
      deps: [],
      daemon: c.platform,
      platform: c.platform,
      service: 'mixcompose-reach-probe',
      number: 1,
      name: c.name,
      container: { id: c.id },
      volumes: false,
      reason: PROBE_LEFTOVER_REASON,
      inProgressWaitMs: REMOVAL_IN_PROGRESS_WAIT_MS,
    });
    removals.push({ platform: c.platform, id });
  }
  for (const n of leftovers.filter((l) => l.kind === 'network')) {
    ctx.add({
      kind: 'remove-network',
      id: `network-rm-probe:${n.platform}:${n.name}`,
      deps: removals.filter((r) => r.platform === n.platform).map((r) => r.id),
      daemon: n.platform,
      name: n.name,
      releaseWaitMs: ENDPOINT_RELEASE_WAIT_MS,
    });
  }
}
