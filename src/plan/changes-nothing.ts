/**
 * Whether a plan changes anything on the daemons. The CLI's optimistic `up` (engine/apply.ts,
 * cli/project-lock-hook.ts) observes without the project lock and may run a plan made from that
 * observation only when this says it changes nothing: such a plan needs no exclusion, so it needs no
 * lock. Every other plan is made again from an observation under the lock.
 *
 * The switch is exhaustive on purpose: a new kind of operation must be classified here (the
 * compiler asks), and one that writes anything, even a throw-away container, counts as a change.
 */
import type { Operation, Plan } from './plan.js';

/** Whether running `op` may change anything on a daemon (create, start, stop, remove, write, pull, build, probe). */
export function operationChanges(op: Operation): boolean {
  switch (op.kind) {
    case 'wait':
      return false; // watches a container's state (`up --wait`)
    case 'by-reach':
      // Its variant runs once the probe answered; it changes nothing only if no variant does.
      return Object.values(op.variants).some((variant) => variant !== undefined && operationChanges(variant));
    case 'create-network':
    case 'create-volume':
    case 'ensure-helper-image':
    case 'pull-image':
    case 'build-image':
    case 'create-container':
    case 'start-container':
    case 'stop-container':
    case 'remove-container':
    case 'restart-container':
    case 'register-hosts':
    case 'unregister-hosts':
    case 'remove-network':
    case 'remove-volume':
    case 'remove-image':
    case 'probe-reach': // pings between the daemons (maybe from a throw-away container), and removes an earlier probe's leftovers
      return true;
    default: {
      const unknown: never = op;
      return Boolean(unknown);
    }
  }
}

/** Whether `plan` (and the problems found while planning it) leaves the daemons exactly as they are. */
export function changesNothing(plan: Pick<Plan, 'operations'>, problems: readonly unknown[] = []): boolean {
  return problems.length === 0 && !plan.operations.some(operationChanges);
}
