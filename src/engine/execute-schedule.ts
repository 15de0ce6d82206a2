/**
 * The executor's schedule: what waits for what while a plan runs, and in which groups and order
 * the ready operations launch. Everything here follows from the Plan (its dependencies, the reach
 * probes' answers); the executor (execute.ts) only asks it what may start next.
 */
import type { Operation, Plan, RegisterHostsOp, UnregisterHostsOp } from '../plan/plan.js';

/** An operation that writes the hosts of a resolver. */
export type HostsOp = RegisterHostsOp | UnregisterHostsOp;

export const isHostsOp = (op: Operation): op is HostsOp => op.kind === 'register-hosts' || op.kind === 'unregister-hosts';

/** Which resolver a hosts write goes to. */
export const resolverKey = (op: HostsOp): string => `${op.daemon}|${'id' in op.resolver ? op.resolver.id : op.resolver.createdBy}`;

/**
 * Ready operations in launch groups: one per operation, except hosts writes to one resolver, which
 * are one write for all of them. While a write to a resolver is in flight (`busy`), the next ones
 * gather and go together once it is done: one write per wave, not one per container.
 */
export function launchGroups(ready: readonly Operation[], busy: ReadonlySet<string>): Operation[][] {
  const groups: Operation[][] = [];
  const hosts = new Map<string, HostsOp[]>();
  for (const op of ready) {
    if (!isHostsOp(op)) {
      groups.push([op]);
      continue;
    }
    const key = resolverKey(op);
    if (busy.has(key)) continue;
    if (!hosts.has(key)) {
      const group: HostsOp[] = [];
      hosts.set(key, group);
      groups.push(group);
    }
    hosts.get(key)!.push(op);
  }
  return groups;
}

/** Length of the longest chain of operations after each one (its own included): the critical path goes first. */
export function chainDepths(plan: Plan, users: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const d = 1 + Math.max(0, ...(users.get(id) ?? []).map(depthOf));
    depth.set(id, d);
    return d;
  };
  for (const op of plan.operations) depthOf(op.id);
  return depth;
}

/** Every operation a by-reach operation may wait for (any variant's dependencies, and its probe). */
function possibleDeps(op: Operation): string[] {
  if (op.kind !== 'by-reach') return [...op.deps];
  return [...new Set([...op.deps, ...Object.values(op.variants).flatMap((v) => (v ? v.deps : []))])];
}

/**
 * What waits for what while the plan runs. A by-reach operation whose probe answered becomes its
 * outcome's variant (`pickVariants`), waiting for what that variant waits for; an outcome without
 * one is done at once.
 */
export function schedule(plan: Plan, reachOutcomes: ReadonlyMap<string, string>) {
  const ops = new Map(plan.operations.map((op) => [op.id, op]));
  const waiting = new Map(plan.operations.map((op) => [op.id, new Set(op.deps.filter((d) => ops.has(d)))]));
  const users = new Map<string, string[]>();
  for (const op of plan.operations) for (const d of possibleDeps(op)) users.set(d, [...(users.get(d) ?? []), op.id]);
  const doneIds = new Set<string>();
  const release = (id: string) => {
    doneIds.add(id);
    for (const u of users.get(id) ?? []) waiting.get(u)?.delete(id);
  };
  /** By-reach operations with nothing to do under the probe's answer. */
  const nothingToDo = new Set<string>();
  const pickVariants = () => {
    for (let picked = true; picked; ) {
      picked = false;
      for (const [id, deps] of waiting) {
        const op = ops.get(id)!;
        if (op.kind !== 'by-reach' || deps.size > 0) continue;
        picked = true;
        const variant = op.variants[reachOutcomes.get(op.probe) ?? ''];
        if (!variant) {
          waiting.delete(id);
          nothingToDo.add(id);
          release(id);
          continue;
        }
        ops.set(id, variant);
        waiting.set(id, new Set(variant.deps.filter((d) => ops.has(d) && !doneIds.has(d))));
      }
    }
  };
  /** The plan as it ran: by-reach operations as their picked variant, those with nothing to do left out. */
  const ranPlan = (): Plan => ({ ...plan, operations: plan.operations.filter((op) => !nothingToDo.has(op.id)).map((op) => ops.get(op.id)!) });
  return { ops, waiting, users, release, pickVariants, ranPlan };
}
