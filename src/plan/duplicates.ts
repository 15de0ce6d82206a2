/**
 * Observed states no single run of mixcompose makes, but that concurrent or interrupted runs (and
 * people) leave behind: two networks of the project with one name on a daemon (Engine API 1.41
 * lets two creates race past CheckDuplicate), two containers of the project for one service and
 * number, a network of ours with a foreign twin of the same name. The planners accept all of them:
 *
 * - `down` removes every one of the project's duplicates, each by its id (a name that repeats is
 *   ambiguous to the daemon), and never anything foreign.
 * - `up` keeps one network per name, the one most of the project's containers are attached to
 *   (then the oldest, then the smallest id), and removes the others after the containers attached
 *   to them (which it recreates on the kept one). Of two containers for one service and number it
 *   keeps a running one (then one with a config hash, then the oldest, then the smallest id).
 * - A foreign twin of a network `up` uses makes attaching by name ambiguous: `up` refuses, naming
 *   both, and touches neither; `down` removes ours by id and leaves the twin alone.
 *
 * Operation ids stay unique: where a name (or service and number) repeats, the id carries the
 * resource's id.
 */
import { PlanError } from '../errors.js';
import type { PlatformOs } from '../model/project.js';
import { byName } from '../graph/dependency-graph.js';
import { networkName, serviceNetworkKeys } from './create-body.js';
import type { ObservedContainer, ObservedNetwork, ObservedState } from './observed-state.js';
import type { PlanContext } from './plan-context.js';
import { ENDPOINT_RELEASE_WAIT_MS } from './reconcile-options.js';

/** Reason of the removal of a container attached to a network `up` drops. */
export const DUPLICATE_NETWORK_REASON = 'on a duplicate network';

const ID_SUFFIX = 12;

/** How many of the project's containers are attached to network `n` (by its id). */
function attached(observed: ObservedState, n: ObservedNetwork): ObservedContainer[] {
  return observed.containers.filter((c) => c.platform === n.platform && c.networkIds?.[n.name] === n.id);
}

/** The project's networks on `platform` named `name`. */
function sameName(observed: ObservedState, platform: PlatformOs, name: string): ObservedNetwork[] {
  return observed.networks.filter((n) => n.platform === platform && n.name === name);
}

/** Which of same-named networks `up` keeps: most attached containers, then oldest, then smallest id. */
export function keptNetwork(observed: ObservedState, platform: PlatformOs, name: string): ObservedNetwork | undefined {
  const candidates = sameName(observed, platform, name);
  return [...candidates].sort(
    (a, b) =>
      attached(observed, b).length - attached(observed, a).length ||
      byName(a.created ?? '\uffff', b.created ?? '\uffff') ||
      byName(a.id, b.id),
  )[0];
}

/** The remove-network operation id of an observed network: the name, plus its id where the name repeats. */
export function networkRemovalId(observed: ObservedState, n: ObservedNetwork, prefix = 'network-rm'): string {
  const repeats = sameName(observed, n.platform, n.name).length > 1;
  return `${prefix}:${n.platform}:${n.name}${repeats ? `:${n.id.slice(0, ID_SUFFIX)}` : ''}`;
}

/** Whether a remove of `n` by name could hit another network: then the operation names the id. */
export function removeByIdNeeded(observed: ObservedState, n: ObservedNetwork): boolean {
  const foreign = (observed.foreignNetworks ?? []).some((f) => f.platform === n.platform && f.name === n.name);
  return foreign || sameName(observed, n.platform, n.name).length > 1;
}

/** An operation id for a container: `prefix:service:number`, plus its id where service and number repeat. */
export function containerOpId(prefix: string, c: ObservedContainer, all: readonly ObservedContainer[]): string {
  const repeats = all.some((o) => o !== c && o.service === c.service && o.number === c.number && o.oneoff === c.oneoff);
  return `${prefix}:${c.service}:${c.number}${repeats ? `:${c.id.slice(0, ID_SUFFIX)}` : ''}`;
}

const isRunning = (c: ObservedContainer) => c.status === 'running' || c.status === 'restarting' || c.status === 'paused';

/** Of the containers of one service and number, the one `up` keeps (the others go as duplicates). */
export function preferredReplica(existing: readonly ObservedContainer[], number: number): ObservedContainer | undefined {
  return existing
    .filter((c) => c.number === number)
    .sort(
      (a, b) =>
        Number(isRunning(b)) - Number(isRunning(a)) ||
        Number(b.configHash !== undefined) - Number(a.configHash !== undefined) ||
        byName(a.created ?? '\uffff', b.created ?? '\uffff') ||
        byName(a.id, b.id),
    )[0];
}

/** What `up` decided about duplicate networks (planDuplicateNetworks). */
interface DuplicatePlan {
  /** `${daemon}/${name}` → the last removal of that name's dropped duplicates (creates wait for it). */
  readonly removals: Map<string, string>;
  /** remove-network op id → the network it drops. */
  readonly dropped: Map<string, ObservedNetwork>;
  /** Containers attached to a dropped network: recreated on the kept one. */
  readonly recreate: Set<string>;
}

const plans = new WeakMap<PlanContext, DuplicatePlan>();

function emptyPlan(): DuplicatePlan {
  return { removals: new Map(), dropped: new Map(), recreate: new Set() };
}

/**
 * `up`: refuses foreign twins of the networks the services use, and plans the removal of the
 * project's duplicate networks but the kept one (removals of one name in a chain). Call first.
 */
export function planDuplicateNetworks(ctx: PlanContext): void {
  const plan = emptyPlan();
  plans.set(ctx, plan);
  const { observed, project } = ctx;
  const used = new Set<string>();
  for (const s of Object.values(project.services)) {
    for (const key of serviceNetworkKeys(s)) if (project.networks[key] && !project.networks[key]!.external) used.add(`${ctx.daemonOf(s)}/${networkName(project, key)}`);
  }
  const twins = (observed.foreignNetworks ?? []).filter((f) => used.has(`${f.platform}/${f.name}`));
  if (twins.length) {
    const f = [...twins].sort((a, b) => byName(`${a.platform}/${a.name}/${a.id}`, `${b.platform}/${b.name}/${b.id}`))[0]!;
    const ours = sameName(observed, f.platform, f.name).map((n) => n.id.slice(0, ID_SUFFIX));
    const theirs = twins.filter((t) => t.platform === f.platform && t.name === f.name).map((t) => t.id.slice(0, ID_SUFFIX));
    if (!ours.length) {
      // Nothing of ours to keep: the create would meet it. Never adopted, never removed.
      throw new PlanError(
        `network ${f.name} already exists on the ${f.platform} daemon (id ${theirs.join(', ')}) and does not belong to project ${project.name}; ` +
          'remove it, or declare it `external: true` to use it',
      );
    }
    throw new PlanError(
      `network ${f.name} exists twice on the ${f.platform} daemon: ours (id ${ours.join(', ')}) and one that does not belong to project ${project.name} ` +
        `(id ${theirs.join(', ')}), so containers cannot be attached to it by name; remove the other one ` +
        `(docker network rm ${theirs.join(' ')}) or run \`mixcompose down\`, then \`up\` again`,
    );
  }
  const groups = new Map<string, ObservedNetwork[]>();
  for (const n of observed.networks) groups.set(`${n.platform}/${n.name}`, [...(groups.get(`${n.platform}/${n.name}`) ?? []), n]);
  for (const [key, group] of [...groups].sort(([a], [b]) => byName(a, b))) {
    if (group.length < 2) continue;
    const keep = keptNetwork(observed, group[0]!.platform, group[0]!.name)!;
    let previous: string | undefined;
    for (const n of group.filter((g) => g !== keep).sort((a, b) => byName(a.id, b.id))) {
      const id = networkRemovalId(observed, n);
      ctx.add({ kind: 'remove-network', id, deps: previous ? [previous] : [], daemon: n.platform, name: n.name, network: n.id, releaseWaitMs: ENDPOINT_RELEASE_WAIT_MS });
      plan.dropped.set(id, n);
      for (const c of attached(observed, n)) plan.recreate.add(c.id);
      previous = id;
    }
    plan.removals.set(key, previous!);
  }
}

function planOf(ctx: PlanContext): DuplicatePlan {
  return plans.get(ctx) ?? emptyPlan();
}

/** The operation a create on network `name` of `daemon` must wait for: the removal of its duplicates. */
export function duplicateRemovalFor(ctx: PlanContext, daemon: PlatformOs, name: string): string | undefined {
  return planOf(ctx).removals.get(`${daemon}/${name}`);
}

/**
 * Whether `up` recreates this container because it is attached to a network it drops, or to one of
 * the project's networks that is gone (removed while the container was stopped: it cannot start).
 */
export function networkRecreateReason(ctx: PlanContext, c: ObservedContainer): string | undefined {
  if (planOf(ctx).recreate.has(c.id)) return DUPLICATE_NETWORK_REASON;
  const { own, present } = networksOnce(ctx);
  const gone = Object.entries(c.networkIds ?? {}).some(([name, id]) => own.has(name) && !present.has(`${c.platform}/${id}`));
  return gone ? 'its network is gone' : undefined;
}

/** The names of the project's own networks, and `${platform}/${id}` of the observed ones: made once per plan, asked per container. */
const networksMade = new WeakMap<PlanContext, { own: ReadonlySet<string>; present: ReadonlySet<string> }>();
function networksOnce(ctx: PlanContext): { own: ReadonlySet<string>; present: ReadonlySet<string> } {
  let made = networksMade.get(ctx);
  if (!made) {
    made = {
      own: new Set(Object.entries(ctx.project.networks).filter(([, n]) => !n.external).map(([key]) => networkName(ctx.project, key))),
      present: new Set(ctx.observed.networks.map((n) => `${n.platform}/${n.id}`)),
    };
    networksMade.set(ctx, made);
  }
  return made;
}

/**
 * `up`, after everything else is planned: each dropped network is removed after the containers
 * attached to it; attached ones nothing else removes (orphans, one-offs) are removed first.
 */
export function wireDuplicateRemovals(ctx: PlanContext, removeContainer: (c: ObservedContainer, reason: string) => string): void {
  const plan = planOf(ctx);
  for (const [id, n] of plan.dropped) {
    const containers = attached(ctx.observed, n);
    for (const c of containers) if (!ctx.removed.has(c.id)) removeContainer(c, DUPLICATE_NETWORK_REASON);
    const ids = new Set(containers.map((c) => c.id));
    const removals = ctx.operations.filter((op) => op.kind === 'remove-container' && 'id' in op.container && ids.has(op.container.id)).map((op) => op.id);
    const index = ctx.operations.findIndex((op) => op.id === id);
    const op = ctx.operations[index]!;
    ctx.operations[index] = { ...op, deps: [...new Set([...op.deps, ...removals])].sort(byName) };
  }
}
