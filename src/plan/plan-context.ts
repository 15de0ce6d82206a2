/**
 * What every planning function shares: placement, the project's observed containers grouped by
 * service, stop timeouts, and a list of operations being built.
 */
import type { PlatformOs, Project, Service } from '../model/project.js';
import { PlanError } from '../errors.js';
import { checkServiceNames } from './dependencies.js';
import type { ObservedContainer, ObservedState } from './observed-state.js';
import type { BoundedStop, Operation } from './plan.js';
import { placeServices, type Placement } from './placement.js';
import { LABEL_PLATFORM, LABEL_ROLE } from './labels.js';
import { DEFAULT_STOP_TIMEOUT_SECONDS, type ReconcileOptions } from './reconcile-options.js';
import { KILL_WAIT_SECONDS, stopSettingsFor } from './stop-policy.js';

export class PlanContext {
  readonly placement: Placement;
  readonly operations: Operation[] = [];
  readonly warnings: string[] = [];
  /** User problems found while planning: the plan must not run (reconcile returns them). */
  readonly problems: PlanError[] = [];
  /** Ids of existing containers the plan removes. */
  readonly removed = new Set<string>();
  private readonly ids = new Set<string>();

  constructor(
    readonly project: Project,
    readonly observed: ObservedState,
    readonly options: ReconcileOptions,
  ) {
    this.placement = placeServices(observed.daemons);
  }

  add<T extends Operation>(op: T): T {
    if (this.ids.has(op.id)) throw new Error(`internal: duplicate plan operation ${op.id}`);
    this.ids.add(op.id);
    this.operations.push(op);
    return op;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  daemonOf(service: Service): PlatformOs {
    return this.placement[service.platform.os];
  }

  /** Service containers (not one-off, not the resolver), sorted by number then id. */
  containersOf(service: string): ObservedContainer[] {
    this.byService ??= serviceContainers(this.observed.containers);
    return [...(this.byService.get(service) ?? [])];
  }

  /** The observed service containers by service, made once (a service at a time would read them all per service). */
  private byService: ReadonlyMap<string, readonly ObservedContainer[]> | undefined;

  resolverContainers(): ObservedContainer[] {
    return this.observed.containers.filter((c) => c.labels[LABEL_ROLE] === 'resolver');
  }

  /** -t, else stop_grace_period, else the platform default, else 10 s. */
  stopTimeout(service: Service | undefined): number {
    if (!service) return this.options.timeout ?? DEFAULT_STOP_TIMEOUT_SECONDS;
    // -t > stop_grace_period > x-mixcompose.daemons.<p>.stop_grace_period > 10 s (stop policy).
    return stopSettingsFor(service, this.project.extension, { timeoutSeconds: this.options.timeout }).graceSeconds;
  }

  /**
   * How a container of `service` (declared `platform`) is stopped: grace, signal (none on Windows),
   * the bound on the kill, and whether a stuck container fails the operation or is a warning.
   */
  boundedStop(service: Service | undefined, platform: PlatformOs, stuck: BoundedStop['stuck']): BoundedStop {
    const signal = service?.stop_signal;
    return {
      timeoutSeconds: this.stopTimeout(service),
      ...(signal && platform !== 'windows' ? { signal } : {}),
      killWaitSeconds: KILL_WAIT_SECONDS[platform],
      stuck,
    };
  }

  /** Services named on the command line, checked. */
  selectedServices(): string[] {
    const named = this.options.services ?? [];
    checkServiceNames(this.project, named);
    return named.length ? [...named] : Object.keys(this.project.services);
  }

  scaleOf(service: Service): number {
    const deployReplicas = (service.deploy as { replicas?: number } | undefined)?.replicas;
    return service.scale ?? deployReplicas ?? 1;
  }
}

/** Service containers (not one-off, not the resolver) by service, each list sorted by number then id. */
function serviceContainers(containers: readonly ObservedContainer[]): Map<string, ObservedContainer[]> {
  const byService = new Map<string, ObservedContainer[]>();
  for (const c of containers) {
    if (c.oneoff || c.labels[LABEL_ROLE] === 'resolver') continue;
    const list = byService.get(c.service);
    if (list) list.push(c);
    else byService.set(c.service, [c]);
  }
  for (const list of byService.values()) list.sort((a, b) => a.number - b.number || (a.id < b.id ? -1 : 1));
  return byService;
}

/** The fields every operation on an existing container carries. */
export function observedContainerFields(c: ObservedContainer): {
  daemon: PlatformOs;
  platform: PlatformOs;
  service: string;
  number: number;
  name: string;
  container: { id: string };
} {
  return {
    daemon: c.platform,
    platform: (c.labels[LABEL_PLATFORM] as PlatformOs | undefined) ?? c.platform,
    service: c.service,
    number: c.number,
    name: c.name,
    container: { id: c.id },
  };
}
