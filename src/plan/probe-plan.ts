/**
 * `up` with a reach probe to run (reach `auto`, two daemons, nothing recorded): the probe is an
 * operation of the plan, and the plan holds every answer it can give. The planner plans the run
 * once per outcome (plan/reach.ts, probeOutcomes: each probed platform `ip` or `published`, or the
 * probe could not run), then merges them: an operation that is the same under every outcome is
 * planned as it is and runs beside the probe; one that differs (a create body holding an address
 * of the other daemon, the resolver, a registration under published reach) becomes a `by-reach`
 * operation that waits for the probe and then runs its outcome's variant. The executor only picks.
 *
 * The probe is more than one operation. Its ends are containers the plan starts anyway when it
 * can: on linux the project resolver (pinged from through its hosts reader's stdin), on windows a
 * service container that runs beside the probe (serviceWindowsPeer; pinged from by exec). Where
 * none fits, a throw-away end (its image and container, on the project's network of that daemon)
 * is a `probe-reach` operation with `side`, started at once beside everything else. The answering
 * `reach-probe` waits for its two ends and only pings; when the windows service container cannot
 * run ping (not in its image), it starts the throw-away end itself (ProbeReachOp.windowsFallback).
 *
 * The answer is recorded on one never-started container made after it (plan/reach-record.ts), not
 * on the service containers, so these are the same under every answer and run beside the probe.
 *
 * Problems that every outcome has stop the run before anything starts (like any problem). Problems
 * of some outcomes only (e.g. `published` reach needs a daemon `address` that is not set) are the
 * probe's: operations are compared over the outcomes WITHOUT problems, so what is the same under
 * all of those runs beside the probe as above. When the answer has problems, the probe fails with
 * them: what did not need the answer may have started (as the README says), nothing records an
 * answer, and the next `up` (once fixed) or `down` goes on from there. With problems under every
 * answer, everything waits for the probe (which then fails whatever it answers).
 */
import type { PlanError } from '../errors.js';
import type { PlatformOs } from '../model/project.js';
import type { ByReachOp, Operation, Plan, ProbeOutcomePlan, ProbePeerRef, ProbeReachOp, ReachDecision } from './plan.js';
import { PROBE_OUTCOME_FAILED, probeOutcomes } from './reach.js';
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

/** With the probe among its dependencies. */
const afterProbe = (op: Operation): Operation => ({ ...op, deps: [...new Set([...op.deps, PROBE_OP_ID])].sort() });

/** One operation's variants per outcome as a by-reach operation (it waits for the probe, then runs its outcome's). */
function byReach(id: string, outcomes: readonly PlannedOutcome[], variants: readonly (Operation | undefined)[]): ByReachOp {
  const first = variants.find((v) => v !== undefined)!;
  return { kind: 'by-reach', id, deps: [PROBE_OP_ID], daemon: first.daemon, probe: PROBE_OP_ID, variants: Object.fromEntries(outcomes.map((o, i) => [o.key, variants[i]])) };
}

/**
 * The operation with id `id` under each outcome, merged: as it is when it is the same under every
 * outcome without problems (`good`), else by-reach. Service containers are the same under every
 * outcome unless their bodies hold an address across the daemons (the answer is recorded on a
 * container of its own, plan/reach-record.ts), so they run beside the probe. What must wait for an
 * answer with problems is gated afterwards (gateAround).
 */
function mergeOperation(id: string, outcomes: readonly PlannedOutcome[], byId: readonly Map<string, Operation>[], good: readonly boolean[]): Operation {
  const variants = inspectEverywhere(byId.map((m) => m.get(id)));
  const texts = new Set(variants.filter((_, i) => good[i]).map((v) => (v ? JSON.stringify(v) : '')));
  const first = variants.find((v, i) => v !== undefined && good[i]) ?? variants.find((v) => v !== undefined)!;
  if (texts.size === 1 && !texts.has('')) return first;
  return byReach(id, outcomes, variants);
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
 * Whether an operation waits for the probe, directly or through what it waits for: such an
 * operation cannot be a peer of the probe, nor anything a peer waits for (that would be a cycle).
 */
function waitsForProbe(merged: readonly Operation[]): (id: string) => boolean {
  const byId = new Map(merged.map((op) => [op.id, op]));
  const known = new Map<string, boolean>();
  const waits = (id: string): boolean => {
    if (id === PROBE_OP_ID) return true;
    const op = byId.get(id);
    if (!op) return false;
    if (known.has(id)) return known.get(id)!;
    known.set(id, false);
    const answer = op.kind === 'by-reach' || op.deps.some(waits);
    known.set(id, answer);
    return answer;
  };
  return waits;
}

/**
 * The project network a throw-away end joins on `daemon` (ProbeReachOp.network) and the operation
 * that creates it, when it is there or made beside the probe (not after its answer); undefined:
 * the end makes a network of its own.
 */
function joinedNetwork(merged: readonly Operation[], daemon: PlatformOs, name: string | undefined): { name: string; createdBy?: string } | undefined {
  if (!name) return undefined;
  const create = merged.find((op) => op.kind === 'create-network' && op.daemon === daemon && op.name === name);
  if (!create) return { name };
  return waitsForProbe(merged)(create.id) ? undefined : { name, createdBy: create.id };
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
  if (waitsForProbe(merged)(start.id) || !start.inspect) return undefined;
  const network = (create.spec.body.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode;
  return network ? { container: start.container, startedBy: start.id, network, pingBy: 'hosts-reader' } : undefined;
}

/** The operations `id` waits for, transitively (itself included). */
function closure(merged: readonly Operation[], id: string): Set<string> {
  const byId = new Map(merged.map((op) => [op.id, op]));
  const seen = new Set<string>();
  const visit = (at: string): void => {
    if (seen.has(at)) return;
    seen.add(at);
    for (const dep of byId.get(at)?.deps ?? []) visit(dep);
  };
  visit(id);
  return seen;
}

/**
 * A service container on the windows daemon the probe pings from and to instead of a throw-away
 * container of its own (the redesign that saves a container start and removal, ~1.7 s of the
 * daemon's CPU): one the plan creates and starts beside the probe (not after its answer), the one
 * that waits for the fewest operations (a chain head), by id. The probe then waits for its start;
 * its address is read on its first network. Undefined: none qualifies (the throw-away end then).
 */
function serviceWindowsPeer(merged: readonly Operation[], windowsDaemon: PlatformOs): ProbePeerRef | undefined {
  const waits = waitsForProbe(merged);
  const creates = new Map(merged.flatMap((op) => (op.kind === 'create-container' ? [[op.id, op] as const] : [])));
  const candidates = merged.flatMap((op) => {
    if (op.kind !== 'start-container' || op.daemon !== windowsDaemon || op.service === RESOLVER_SERVICE || !('createdBy' in op.container)) return [];
    const create = creates.get(op.container.createdBy);
    const network = (create?.spec.body.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode;
    if (!create || !network || ['host', 'none', 'default'].includes(network) || network.includes(':') || waits(op.id)) return [];
    return [{ op, network, cost: closure(merged, op.id).size }];
  });
  const best = candidates.sort((a, b) => a.cost - b.cost || (a.op.id < b.op.id ? -1 : 1))[0];
  return best ? { container: best.op.container, startedBy: best.op.id, network: best.network } : undefined;
}

/** The operations, with the windows service peer's start inspecting (its address is the probe's). */
function withPeerInspecting(merged: readonly Operation[], peer: ProbePeerRef | undefined): Operation[] {
  return merged.map((op) => (peer && op.id === peer.startedBy && op.kind === 'start-container' ? { ...op, inspect: true } : op));
}

/** Where the probe runs: its daemon (the linux one), and what the plan gives it to run with. */
export interface ProbeSetting {
  readonly probeDaemon: PlatformOs;
  /** The linux side may be the project resolver (the linux probe image is the resolver image). */
  readonly resolverPeer?: boolean;
  /** Per platform, the project network its daemon's throw-away end joins (plan/reconcile.ts, probeNetworks). */
  readonly networks?: Readonly<Partial<Record<PlatformOs, string>>>;
  /** The windows side may be a service container the plan starts beside the probe (serviceWindowsPeer). */
  readonly servicePeer?: boolean;
}

/** The outcomes' plans as one plan with the probe operation (see the module comment). */
export function mergeOutcomes(platforms: readonly PlatformOs[], outcomes: readonly PlannedOutcome[], setting: ProbeSetting): { plan: Plan; problems: readonly PlanError[] } {
  const { probeDaemon } = setting;
  const fallback = outcomes.find((o) => o.key === PROBE_OUTCOME_FAILED) ?? outcomes[outcomes.length - 1]!;
  const common = inEvery(outcomes.map((o) => o.problems), (p) => p.message);
  if (common.length) return { plan: { ...fallback.plan, operations: [] }, problems: common };
  // Compared over the outcomes without problems (with problems in every one, over all of them: the
  // probe fails whatever it answers, and everything waits for it).
  const good = outcomes.some((o) => o.problems.length === 0) ? outcomes.map((o) => o.problems.length === 0) : outcomes.map(() => true);
  const waitAll = good.every(Boolean) && outcomes.some((o) => o.problems.length > 0);
  const commonWarnings = inEvery(outcomes.map((o) => o.plan.warnings), (w) => w);
  const byId = outcomes.map((o) => new Map(o.plan.operations.map((op) => [op.id, op])));
  const windowsDaemon = fallback.plan.placement.windows;
  const free = operationIds(outcomes).map((id) => {
    const op = mergeOperation(id, outcomes, byId, good);
    return waitAll && op.kind !== 'by-reach' ? afterProbe(op) : op;
  });
  // A windows service container that runs beside the probe may be its windows end.
  const servicePeer = setting.servicePeer && windowsDaemon !== probeDaemon ? serviceWindowsPeer(free, windowsDaemon) : undefined;
  const merged = withPeerInspecting(free, servicePeer);
  // The probe builds the resolver image too when it probes with it: after the plan's own build of it
  // (unless that build waits for the probe: then the probe builds it).
  const helperImages = merged.filter((op) => op.kind === 'ensure-helper-image' && op.daemon === probeDaemon && !op.deps.includes(PROBE_OP_ID)).map((op) => op.id);
  const resolver = setting.resolverPeer ? resolverPeer(merged, probeDaemon) : undefined;
  const outcomePlans: Record<string, ProbeOutcomePlan> = Object.fromEntries(
    outcomes.map((o) => [o.key, { warnings: o.plan.warnings.filter((w) => !commonWarnings.includes(w)), problems: o.problems.map((p) => p.message), reach: o.plan.reach }]),
  );
  const base = { kind: 'probe-reach' as const, platforms: [...platforms].sort(), outcomes: {} };
  const daemonOf = (p: PlatformOs): PlatformOs => (p === 'linux' ? probeDaemon : windowsDaemon);
  // Each end joins the project's network on its daemon (one the plan makes anyway) when it can.
  const joined = Object.fromEntries(PLATFORMS.map((p) => [p, joinedNetwork(merged, daemonOf(p), setting.networks?.[p])])) as Record<PlatformOs, ReturnType<typeof joinedNetwork>>;
  // Each end the plan does not run already (the resolver) is a throw-away container started by its own
  // operation, beside everything else: only the pings wait for both ends.
  const sides: ProbeReachOp[] = PLATFORMS.filter((p) => (p === 'linux' ? !resolver : !servicePeer)).map((p) => {
    const network = joined[p];
    const deps = [...(p === 'linux' ? helperImages : []), ...(network?.createdBy ? [network.createdBy] : [])].sort();
    return { ...base, id: probeSideId(p), deps, daemon: daemonOf(p), side: p, ...(network ? { network: network.name } : {}) };
  });
  const sidePeer = (p: PlatformOs): ProbePeerRef => ({ container: { createdBy: probeSideId(p) }, startedBy: probeSideId(p), network: joined[p]?.name ?? probeNetworkName(fallback.plan.project) });
  const linuxPeer = resolver ?? sidePeer('linux');
  const windowsPeer = servicePeer ?? sidePeer('windows');
  const probe: ProbeReachOp = {
    ...base,
    id: PROBE_OP_ID,
    deps: [...new Set([...sides.map((op) => op.id), linuxPeer.startedBy, windowsPeer.startedBy])].sort(),
    daemon: probeDaemon,
    outcomes: outcomePlans,
    linuxPeer,
    windowsPeer,
    // A service container may have no ping: then a throw-away end on its network pings instead.
    ...(servicePeer ? { windowsFallback: { network: servicePeer.network } } : {}),
  };
  const plan: Plan = {
    ...fallback.plan,
    reach: pendingReach(fallback.plan.reach, platforms),
    operations: [probe, ...sides, ...merged],
    warnings: commonWarnings,
  };
  return { plan, problems: [] };
}
