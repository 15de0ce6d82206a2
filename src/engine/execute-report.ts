/**
 * What the executor says: the step event shape of each operation, and the error a failed run ends
 * with (dependency and plan errors as they are; daemon failures with the fault report).
 */
import { DaemonError, DependencyError, PlanError } from '../errors.js';
import type { ResourceKind } from '../model/events.js';
import type { PlatformOs } from '../model/project.js';
import { daemonFault, type ResumeCommand } from '../plan/fault-report.js';
import { briefOperation, describeOperation } from '../plan/format-plan.js';
import type { Operation, Plan } from '../plan/plan.js';
import { resolverBindFailure } from '../plan/resolver.js';
import type { DaemonClient } from './daemon-client.js';

export function stepShape(op: Operation): { resource: ResourceKind; action: string; name: string; platform?: PlatformOs } {
  switch (op.kind) {
    case 'create-network':
      return { resource: 'network', action: 'create', name: op.name, platform: op.daemon };
    case 'remove-network':
      return { resource: 'network', action: 'remove', name: op.name, platform: op.daemon };
    case 'create-volume':
      return { resource: 'volume', action: 'create', name: op.name, platform: op.daemon };
    case 'remove-volume':
      return { resource: 'volume', action: 'remove', name: op.name, platform: op.daemon };
    case 'remove-image':
      return { resource: 'image', action: 'remove', name: op.name, platform: op.daemon };
    case 'ensure-helper-image':
      return { resource: 'image', action: 'build', name: op.image, platform: op.daemon };
    case 'pull-image':
      return { resource: 'image', action: 'pull', name: op.image, platform: op.daemon };
    case 'build-image':
      return { resource: 'image', action: 'build', name: op.image, platform: op.daemon };
    case 'register-hosts':
      return { resource: 'service', action: 'register', name: op.service, platform: op.daemon };
    case 'unregister-hosts':
      return { resource: 'service', action: 'unregister', name: op.service, platform: op.daemon };
    case 'create-container':
      // A conditional recreate is a check: "Checked: unchanged: kept" or "Checked: recreated (config changed) ...".
      return { resource: 'container', action: op.replaces ? 'check' : op.reason === 'new' ? 'create' : 'recreate', name: op.name, platform: op.platform };
    case 'start-container':
      return { resource: 'container', action: 'start', name: op.name, platform: op.platform };
    case 'wait':
      // "Waiting → Healthy" for health; other conditions are a check ("Checked: running").
      return { resource: 'container', action: op.condition === 'healthy' ? 'wait' : 'check', name: op.name, platform: op.platform };
    case 'stop-container':
      return { resource: 'container', action: 'stop', name: op.name, platform: op.platform };
    case 'remove-container':
      return { resource: 'container', action: 'remove', name: op.name, platform: op.platform };
    case 'restart-container':
      return { resource: 'container', action: 'restart', name: op.name, platform: op.platform };
    case 'probe-reach':
      // One end of the probe (its throw-away container), or the probe itself (the pings and the answer).
      if (op.side) return { resource: 'container', action: 'start', name: `reach probe (${op.side} end)`, platform: op.daemon };
      return { resource: 'network', action: 'probe', name: 'reach between daemons' };
    case 'by-reach': {
      // Run as its variant (execute.ts); unresolved, it is named by any of them.
      const variant = Object.values(op.variants).find((v) => v !== undefined);
      return variant ? stepShape(variant) : { resource: 'network', action: 'probe', name: 'reach between daemons' };
    }
  }
}

/** What was done and what not, for the messages of a run that ended early. */
export function progressOf(plan: Plan, completed: readonly string[]): { done: string[]; notDone: string[] } {
  const done = new Set(completed);
  const byId = new Map(plan.operations.map((o) => [o.id, o]));
  const brief = (o: Operation) => `${briefOperation(o)} (${o.daemon})`;
  return { done: completed.map((id) => brief(byId.get(id)!)), notDone: plan.operations.filter((o) => !done.has(o.id)).map(brief) };
}

export interface FailureContext {
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  readonly command?: string;
  readonly resume?: ResumeCommand;
}

/** Dependency and plan errors pass as they are; daemon failures get the fault report. */
export function translateFailure(plan: Plan, failure: { op: Operation; error: unknown }, completed: readonly string[], context: FailureContext): unknown {
  const { op, error } = failure;
  if (error instanceof DependencyError || error instanceof PlanError) return error;
  const progress = progressOf(plan, completed);
  const daemonLabel = context.clients[op.daemon]?.label ?? op.daemon;
  const command = context.command ?? 'up';
  // A failure the plan knows the cause of (the resolver's port 53 bind), with its setting and fix; no
  // "to continue": up again would fail the same way.
  const explained = op.kind === 'start-container' && op.explainFailure === 'resolver-bind' ? resolverBindFailure(error) : undefined;
  if (explained) return new DaemonError(daemonLabel, `${command}: ${describeOperation(op)}`, new Error(explained), progress);
  if (!context.resume) {
    return error instanceof DaemonError ? new DaemonError(daemonLabel, describeOperation(op), error.cause ?? error, progress) : error;
  }
  return daemonFault({
    daemon: daemonLabel,
    operation: `${command}: ${describeOperation(op)}`,
    cause: error instanceof DaemonError ? (error.cause ?? error) : error,
    ...progress,
    resume: context.resume,
  });
}
