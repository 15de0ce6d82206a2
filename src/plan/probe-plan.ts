/**
 * `up` with a reach probe to run (reach `auto`, two daemons, nothing recorded): the probe is an
 * operation of the plan, and the plan holds every answer it can give. The planner plans the run
 * once per outcome (plan/reach.ts, probeOutcomes: each probed platform `ip` or `published`, or the
 * probe could not run), then merges them: an operation that is the same under every outcome is
 * planned as it is and runs beside the probe; one that differs (a create body holding an address
 * of the other daemon, the resolver, a registration under published reach) becomes a `by-reach`
 * operation that waits for the probe and then runs its outcome's variant. The executor only picks.
 *
 * The probe is more than one operation: each throw-away end (its image, network and container on one
 * daemon) is a `probe-reach` operation with `side`, which starts at once beside the project's
 * networks and the resolver; the answering `reach-probe` waits for its two peers (those ends, or the
 * project resolver as the linux one) and only pings.
 *
 * A container create that differs between the outcomes only in the labels that record the answer
 * (plan/reach.ts, reachLabels) is the same container under every outcome: it runs beside the probe
 * without them, and one create that would record it waits for the answer to hold it (keepRecorder).
 *
 * Problems that every outcome has stop the run before anything starts (like any problem). Problems
 * of some outcomes only (e.g. `published` reach needs a daemon `address` that is not set) are the
 * probe's: operations are compared over the outcomes WITHOUT problems, so what is the same under
 * all of them (networks, images, the project resolver, and the services whose containers do not
 * depend on the answer, with their starts and registrations) runs beside the probe. When the answer
 * has problems, the probe fails with them: what depends on the answer (and the recorder) has not
 * run, what ran is what `up` makes under every good answer (nothing records the answer, so the next
 * `up` probes again; `down` removes it all).
 */
import type { PlanError } from '../errors.js';
import type { PlatformOs } from '../model/project.js';
import type { ByReachOp, Operation, Plan, ProbeOutcomePlan, ProbePeerRef, ProbeReachOp, ReachDecision } from './plan.js';
import { LABEL_REACH } from './labels.js';
import { LABEL_REACH_PROBE_OUTCOME, PROBE_OUTCOME_FAILED, probeOutcomes } from './reach.js';
import { RESOLVER_SERVICE } from './resolver.js';
import type { ReconcileOptions } from './reconcile-options.js';

/** Id of the probe operation (the one that pings and answers). */
export const PROBE_OP_ID = 'reach-probe';

/** Id of the operation that starts the probe's throw-away end on a platform's daemon (ProbeReachOp.side). */
export const probeSideId = (platform: PlatformOs): string => `${PROBE_OP_ID}:${platform}`;

/** The probe's throw-away network on each daemon it starts an end on (labelled as the probe's, removed after it). */
export function probeNetworkName(project: string): string {
  return `${project}_mixcompose-reach-probe`;
}

const PLATFORMS = ['linux', 'windows'] as const;

export interface PlannedOutcome {
  readonly key: string;
  readonly plan: Plan;
  readonly problems: readonly PlanError[];
}

/** One plan per outcome of a probe of `platforms` (planOne = reconcile without a probe). */
export function planOutcomes(
  platforms: readonly PlatformOs[],
  options: ReconcileOptions,
  planOne: (options: ReconcileOptions) => { plan: Plan; problems: readonly PlanError[] },
): PlannedOutcome[] {
  return probeOutcomes(platforms).map(({ key, options: outcome }) => ({ key, ...planOne({ ...options, ...outcome }) }));
}

/** Items present in every list (by `key`), in the first list's order. */
function inEvery<T>(lists: readonly (readonly T[])[], key: (item: T) => string): T[] {
  const [first = [], ...rest] = lists;
  const others = rest.map((l) => new Set(l.map(key)));
  return first.filter((item) => others.every((s) => s.has(key(item))));
}

/** Operation ids in first-seen order over the outcomes (the fallback outcome, the endpoints' guess, last). */
function operationIds(outcomes: readonly PlannedOutcome[]): string[] {
  const ids = new Set<string>();
  for (const o of outcomes) for (const op of o.plan.operations) ids.add(op.id);
  return [...ids];
}

/**
 * A start that inspects its container under some outcomes only (another daemon's consumer needs its
 * address there) inspects under all: one inspect more, and it need not wait for the probe.
 */
function inspectEverywhere(variants: readonly (Operation | undefined)[]): (Operation | undefined)[] {
  const starts = variants.filter((v) => v?.kind === 'start-container');
  if (starts.length !== variants.length || !starts.some((v) => v.inspect)) return [...variants];
  return variants.map((v) => (v?.kind === 'start-container' ? { ...v, inspect: true } : v));
}

/** The labels that record the probe's answer (plan/reach.ts, reachLabels): what the next `up` reads. */
const RECORD_LABELS: readonly string[] = [LABEL_REACH.linux, LABEL_REACH.windows, LABEL_REACH_PROBE_OUTCOME];

/** Whether a container create records the probe's answer (carries one of its labels). */
function records(op: Operation | undefined): boolean {
  const labels = op?.kind === 'create-container' ? (op.spec.body.Labels as Record<string, string> | undefined) : undefined;
  return labels !== undefined && RECORD_LABELS.some((k) => k in labels);
}

/** The operation without the labels that record the answer (a create made before the answer cannot hold it). */
function withoutRecord(op: Operation): Operation {
  if (op.kind !== 'create-container' || !records(op)) return op;
  const labels = Object.entries(op.spec.body.Labels as Record<string, string>).filter(([k]) => !RECORD_LABELS.includes(k));
  return { ...op, spec: { ...op.spec, body: { ...op.spec.body, Labels: Object.fromEntries(labels) } } };
}

/** With the probe among its dependencies. */
const afterProbe = (op: Operation): Operation => ({ ...op, deps: [...new Set([...op.deps, PROBE_OP_ID])].sort() });

/** One operation's variants per outcome as a by-reach operation (it waits for the probe, then runs its outcome's). */
function byReach(id: string, outcomes: readonly PlannedOutcome[], variants: readonly (Operation | undefined)[]): ByReachOp {
  const first = variants.find((v) => v !== undefined)!;
  return { kind: 'by-reach', id, deps: [PROBE_OP_ID], daemon: first.daemon, probe: PROBE_OP_ID, variants: Object.fromEntries(outcomes.map((o, i) => [o.key, variants[i]])) };
}

/** A merged operation, and its variants when it runs as it is only because the labels that record the answer were left out. */
interface Merged {
  readonly op: Operation;
  readonly recordVariants?: readonly (Operation | undefined)[];
}

/**
 * The operation with id `id` under each outcome, merged: as it is when it is the same under every
 * outcome without problems (`good`), the labels that record the answer left out (the create then
 * runs beside the probe: nothing of its container depends on the answer); else by-reach.
 */
function mergeOperation(id: string, outcomes: readonly PlannedOutcome[], byId: readonly Map<string, Operation>[], good: readonly boolean[]): Merged {
  const variants = inspectEverywhere(byId.map((m) => m.get(id)));
  const bare = variants.map((v) => (v ? withoutRecord(v) : v));
  const texts = new Set(bare.filter((_, i) => good[i]).map((v) => (v ? JSON.stringify(v) : '')));
  if (texts.size !== 1 || texts.has('')) return { op: byReach(id, outcomes, variants) };
  const first = bare.find((v, i) => v !== undefined && good[i])!;
  return variants.some(records) ? { op: first, recordVariants: variants } : { op: first };
}

/** Length of the longest chain of dependencies ending at each operation (its own included). */
function depths(ops: readonly Operation[]): Map<string, number> {
  const byId = new Map(ops.map((op) => [op.id, op]));
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    depth.set(id, 0);
    const d = 1 + Math.max(0, ...(byId.get(id)?.deps ?? []).filter((dep) => byId.has(dep)).map(depthOf));
    depth.set(id, d);
    return d;
  };
  for (const op of ops) depthOf(op.id);
  return depth;
}

/**
 * Where the answer is recorded (plan/reach.ts, recordedReach: the next `up` reads it and does not
 * probe again): on the containers created after it. Creates whose config depends on the answer wait
 * for it and record it anyway; when none does, one create that would record it waits for the answer
 * to hold it: the one whose container is needed last (the operations that use it have the longest
 * chain of dependencies before them: the last of the deepest `depends_on` chain), which the answer
 * usually precedes, so its wait costs nothing. The others run beside the probe without the record.
 */
function keepRecorder(merged: readonly Merged[], outcomes: readonly PlannedOutcome[]): Operation[] {
  const ops = merged.map((m) => m.op);
  if (ops.some((op) => op.kind === 'by-reach' && Object.values(op.variants).some(records))) return ops;
  const candidates = merged.filter((m) => m.recordVariants);
  if (!candidates.length) return ops;
  const depth = depths(ops);
  const neededAt = new Map<string, number>();
  for (const op of ops) for (const d of op.deps) neededAt.set(d, Math.max(neededAt.get(d) ?? 0, depth.get(op.id)!));
  const score = (m: Merged) => neededAt.get(m.op.id) ?? depth.get(m.op.id)!;
  const recorder = [...candidates].sort((a, b) => score(b) - score(a) || a.op.id.localeCompare(b.op.id))[0]!;
  return merged.map((m) => (m === recorder ? byReach(m.op.id, outcomes, m.recordVariants!) : m.op));
}

/** While the probe runs, reach is the endpoints' guess: said so (the probe's step says what it found). */
function pendingReach(fallback: Plan['reach'], platforms: readonly PlatformOs[]): Plan['reach'] {
  const out: Partial<Record<PlatformOs, ReachDecision>> = { ...fallback };
  for (const p of platforms) {
    const guess = fallback[p];
    if (guess) out[p] = { ...guess, why: 'auto: probe (runs with up)' };
  }
  return out;
}

/** The plan as it ran: reach as the probe's answer decided it (engine/apply.ts, after executing). */
export function answeredPlan(plan: Plan, outcomes: ReadonlyMap<string, string>): Plan {
  const probe = plan.operations.find((op): op is ProbeReachOp => op.kind === 'probe-reach' && !op.side);
  const outcome = probe ? probe.outcomes[outcomes.get(probe.id) ?? ''] : undefined;
  return outcome ? { ...plan, reach: outcome.reach } : plan;
}

/**
 * The project resolver as the linux side of the probe (it runs the resolver image, which has ping):
 * when the plan creates and starts it beside the probe (not after its answer), the probe pings from
 * and to it instead of making a throw-away network and container on that daemon.
 */
function resolverPeer(merged: readonly Operation[], probeDaemon: PlatformOs): ProbePeerRef | undefined {
  const create = merged.find((op) => op.kind === 'create-container' && op.service === RESOLVER_SERVICE);
  const start = merged.find((op) => op.kind === 'start-container' && op.service === RESOLVER_SERVICE);
  if (create?.kind !== 'create-container' || start?.kind !== 'start-container' || start.daemon !== probeDaemon) return undefined;
  // Nothing it waits for may wait for the probe (that would be a cycle).
  const byId = new Map(merged.map((op) => [op.id, op]));
  const seen = new Set<string>();
  const waitsForProbe = (id: string): boolean => {
    if (id === PROBE_OP_ID) return true;
    const op = byId.get(id);
    if (!op || seen.has(id)) return false;
    seen.add(id);
    return op.kind === 'by-reach' || op.deps.some(waitsForProbe);
  };
  if (waitsForProbe(start.id) || !start.inspect) return undefined;
  const network = (create.spec.body.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode;
  return network ? { container: start.container, startedBy: start.id, network } : undefined;
}

/**
 * The outcomes' plans as one plan with the probe operation (see the module comment). `probePeer`:
 * the linux side may be the project resolver (the linux probe image is the resolver image).
 */
export function mergeOutcomes(platforms: readonly PlatformOs[], outcomes: readonly PlannedOutcome[], probeDaemon: PlatformOs, probePeer = false): { plan: Plan; problems: readonly PlanError[] } {
  const fallback = outcomes.find((o) => o.key === PROBE_OUTCOME_FAILED) ?? outcomes[outcomes.length - 1]!;
  const common = inEvery(outcomes.map((o) => o.problems), (p) => p.message);
  if (common.length) return { plan: { ...fallback.plan, operations: [] }, problems: common };
  // Compared over the outcomes without problems (with problems in every one, over all of them: the
  // probe fails whatever it answers, and everything waits for it).
  const good = outcomes.some((o) => o.problems.length === 0) ? outcomes.map((o) => o.problems.length === 0) : outcomes.map(() => true);
  const waitAll = good.every(Boolean) && outcomes.some((o) => o.problems.length > 0);
  const commonWarnings = inEvery(outcomes.map((o) => o.plan.warnings), (w) => w);
  const byId = outcomes.map((o) => new Map(o.plan.operations.map((op) => [op.id, op])));
  const merged = keepRecorder(
    operationIds(outcomes).map((id) => mergeOperation(id, outcomes, byId, good)),
    outcomes,
  ).map((op) => (waitAll && op.kind !== 'by-reach' ? afterProbe(op) : op));
  // The probe builds the resolver image too when it probes with it: after the plan's own build of it
  // (unless that build waits for the probe: then the probe builds it).
  const helperImages = merged.filter((op) => op.kind === 'ensure-helper-image' && op.daemon === probeDaemon && !op.deps.includes(PROBE_OP_ID)).map((op) => op.id);
  const resolver = probePeer ? resolverPeer(merged, probeDaemon) : undefined;
  const outcomePlans: Record<string, ProbeOutcomePlan> = Object.fromEntries(
    outcomes.map((o) => [o.key, { warnings: o.plan.warnings.filter((w) => !commonWarnings.includes(w)), problems: o.problems.map((p) => p.message), reach: o.plan.reach }]),
  );
  const base = { kind: 'probe-reach' as const, platforms: [...platforms].sort(), outcomes: {} };
  // Each end the plan does not run already (the resolver) is a throw-away container started by its own
  // operation, beside everything else: only the pings wait for both ends.
  const sides: ProbeReachOp[] = PLATFORMS.filter((p) => p !== 'linux' || !resolver).map((p) => ({
    ...base,
    id: probeSideId(p),
    deps: p === 'linux' ? helperImages : [],
    daemon: p === 'linux' ? probeDaemon : fallback.plan.placement.windows,
    side: p,
  }));
  const sidePeer = (p: PlatformOs): ProbePeerRef => ({ container: { createdBy: probeSideId(p) }, startedBy: probeSideId(p), network: probeNetworkName(fallback.plan.project) });
  const linuxPeer = resolver ?? sidePeer('linux');
  const probe: ProbeReachOp = {
    ...base,
    id: PROBE_OP_ID,
    deps: [...new Set([...sides.map((op) => op.id), linuxPeer.startedBy])].sort(),
    daemon: probeDaemon,
    outcomes: outcomePlans,
    linuxPeer,
    windowsPeer: sidePeer('windows'),
  };
  const plan: Plan = {
    ...fallback.plan,
    reach: pendingReach(fallback.plan.reach, platforms),
    operations: [probe, ...sides, ...merged],
    warnings: commonWarnings,
  };
  return { plan, problems: [] };
}
