/**
 * Where a probing `up` records the reach probe's answer: ONE container made after the answer and
 * never started (io.mixcompose.role=reach-record, the answer in its labels, plan/reach.ts
 * reachLabels), on the project resolver's daemon, from the resolver's image (which `up` puts there
 * anyway), on no network.
 *
 * Why not on the service containers, as before: each of them then differed between the probe's
 * outcomes (in those labels only), so every create waited for the answer, and no service container
 * could be the probe's own end (plan/probe-plan.ts, serviceWindowsPeer). A create that is not
 * started costs the daemon ~50 ms of CPU. Labels are not in the config hash (labels.ts, isOwnLabel),
 * so service containers made by an older version are kept as they are, and their labels still
 * count as a recorded answer (recordedReach reads every place).
 *
 * Not a service: observe lists it apart (ObservedState.reachRecords), so ps, logs and doctor do not
 * show it; a probing `up` replaces it, `down` removes it (forgetting the answer with the stack).
 * Without a project resolver there is no record container: the consumers across the daemons hold
 * the answer (their bodies depend on it anyway).
 */
import type { PlatformOs } from '../model/project.js';
import { LABEL_NUMBER, LABEL_ROLE, LABEL_SERVICE, ROLE_REACH_RECORD, projectLabels } from './labels.js';
import type { PlanContext } from './plan-context.js';
import { reachLabels, type SourcedReach } from './reach.js';
import { REMOVAL_IN_PROGRESS_WAIT_MS } from './reconcile-options.js';
import { observedContainerFields } from './plan-context.js';

/** The record's service label (like the resolver's: it names the container, it is not a service of the file). */
export const REACH_RECORD_SERVICE = 'mixcompose-reach-record';

export function reachRecordName(project: string): string {
  return `${project}-${REACH_RECORD_SERVICE}`;
}

/** Id of the operation that creates the record (by-reach in a probing plan: its labels are the answer). */
export const REACH_RECORD_CREATE = `create:${REACH_RECORD_SERVICE}:1`;

/** Removal of the reach records observe found (`down`, or a probing `up` replacing them); answers their ids. */
export function removeReachRecords(ctx: PlanContext, reason: string): string[] {
  return [...(ctx.observed.reachRecords ?? [])]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((c, i) => {
      const id = `remove:${REACH_RECORD_SERVICE}:${i + 1}`;
      // Never started: a forced removal (one that is, by hand, goes the same way).
      ctx.add({ kind: 'remove-container', id, deps: [], ...observedContainerFields(c), volumes: false, reason, inProgressWaitMs: REMOVAL_IN_PROGRESS_WAIT_MS });
      return id;
    });
}

/**
 * A probing `up` (ReconcileOptions.probedReach or probeFailed) with a project resolver: the record
 * of this outcome's answer (or that the probe could not run), replacing any earlier record.
 * `image` is the resolver's, `imageOp` the operation that puts it on `daemon` (when there is one).
 */
export function planReachRecord(ctx: PlanContext, reach: Readonly<Partial<Record<PlatformOs, SourcedReach>>>, daemon: PlatformOs, image: string, imageOp: string | undefined): void {
  const { options, project } = ctx;
  if (options.probedReach === undefined && options.probeFailed !== true) return;
  const removals = removeReachRecords(ctx, 'the reach probe answered again');
  const labels = { ...projectLabels(project), [LABEL_SERVICE]: REACH_RECORD_SERVICE, [LABEL_NUMBER]: '1', [LABEL_ROLE]: ROLE_REACH_RECORD, ...reachLabels(reach, options.probeFailed === true) };
  ctx.add({
    kind: 'create-container',
    id: REACH_RECORD_CREATE,
    deps: [...(imageOp ? [imageOp] : []), ...removals],
    daemon,
    platform: 'linux',
    service: REACH_RECORD_SERVICE,
    number: 1,
    name: reachRecordName(project.name),
    // Never started: no command runs, no network is joined.
    spec: { body: { Image: image, Entrypoint: ['/bin/true'], Cmd: [], Labels: labels, HostConfig: { NetworkMode: 'none' } }, substitutions: [], connect: [], files: [] },
    // Made anew each time (an earlier record is removed first): "new", as progress says "Creating".
    reason: 'new',
  });
}
