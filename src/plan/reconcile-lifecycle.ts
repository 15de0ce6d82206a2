/**
 * Planning `down`, `stop`, `start` and `restart` over what exists. Stops go in reverse dependency
 * order: a container stops once every container of the services depending on it has stopped,
 * and independent ones stop in parallel.
 */
import type { PlatformOs, Service } from '../model/project.js';
import { DEFAULT_DEPENDENCY_TIMEOUT_MS, ENDPOINT_RELEASE_WAIT_MS } from './reconcile-options.js';
import { dependencyOrder, dependents, serviceDependencies } from './dependencies.js';
import { LABEL_ROLE } from './labels.js';
import type { ObservedContainer } from './observed-state.js';
import { observedContainerFields, type PlanContext } from './plan-context.js';
import { removeContainerOps } from './reconcile-up.js';
import { addressNetwork, serviceImage } from './create-body.js';
import { hostsFileName, hostsNames } from './resolver-entries.js';
import { byName } from '../graph/dependency-graph.js';
import { probeLeftoverRemovals } from './probe-leftovers.js';
import { removeReachRecords } from './reach-record.js';
import { containerOpId, networkRemovalId, removeByIdNeeded } from './duplicates.js';

function isRunning(c: ObservedContainer): boolean {
  return c.status === 'running' || c.status === 'restarting' || c.status === 'paused';
}

/**
 * Op ids that must finish before `c` may stop: the stops (by `prefix`) of the containers of
 * services that depend on c's service, among `containers`.
 */
function reverseDeps(ctx: PlanContext, c: ObservedContainer, containers: readonly ObservedContainer[], idOf: (c: ObservedContainer) => string | undefined): string[] {
  const users = dependents(ctx.project).get(c.service) ?? [];
  return containers
    .filter((o) => users.includes(o.service))
    .map(idOf)
    .filter((id): id is string => Boolean(id))
    .sort(byName);
}

export function planDown(ctx: PlanContext): void {
  const { project, observed, options } = ctx;
  const known = new Set([...Object.keys(project.services), ...Object.keys(project.disabledServices)]);
  const containers = observed.containers
    .filter((c) => c.labels[LABEL_ROLE] === 'resolver' || known.has(c.service) || c.oneoff || options.removeOrphans)
    .sort((a, b) => byName(a.name, b.name));
  const left = observed.containers.filter((c) => !containers.includes(c));
  for (const c of left) {
    ctx.warnings.push(`found orphan container ${c.name} (service ${c.service}) on the ${c.platform} daemon; run with --remove-orphans to remove it`);
  }
  // Dependants first: remove ids are deterministic, so compute them in dependency order.
  const removeIds = new Map<string, string>();
  const serviceOrder = new Map(dependencyOrder(project).map((s, i) => [s, i]));
  const ordered = [...containers].sort(
    (a, b) => (serviceOrder.get(b.service) ?? -1) - (serviceOrder.get(a.service) ?? -1) || byName(a.name, b.name),
  );
  const stoppedBy = (o: ObservedContainer): string | undefined => {
    const id = removeIds.get(o.id);
    if (!id) return undefined;
    return ctx.has(id.replace(/^remove:/, 'stop:')) ? id.replace(/^remove:/, 'stop:') : id;
  };
  const isResolver = (c: ObservedContainer) => c.labels[LABEL_ROLE] === 'resolver';
  for (const c of ordered.filter((o) => !isResolver(o))) {
    removeIds.set(c.id, removeContainerOps(ctx, c, 'down', reverseDeps(ctx, c, containers, stoppedBy)));
  }
  // Every container of the project asks the resolver for names (its `dns:`), also while it shuts
  // down (a stop hook that calls another service): the resolver stops last, once all others have.
  const others = containers.filter((o) => !isResolver(o)).map(stoppedBy).filter((id): id is string => Boolean(id)).sort(byName);
  for (const c of ordered.filter(isResolver)) {
    removeIds.set(c.id, removeContainerOps(ctx, c, 'down', others));
  }
  // The reach probe's recorded answer goes with the stack (plan/reach-record.ts).
  removeReachRecords(ctx, 'down');
  const removesOn = (daemon: PlatformOs) =>
    containers.filter((c) => c.platform === daemon).map((c) => removeIds.get(c.id)!).sort(byName);
  for (const n of [...observed.networks].sort((a, b) => byName(`${a.platform}/${a.name}/${a.id}`, `${b.platform}/${b.name}/${b.id}`))) {
    const inUse = left.some((c) => c.platform === n.platform && c.ips[n.name] !== undefined && (c.networkIds?.[n.name] ?? n.id) === n.id);
    if (inUse) {
      ctx.warnings.push(`network ${n.name} on the ${n.platform} daemon is kept: orphan containers use it`);
      continue;
    }
    // Every one of the project's networks goes, duplicates too, each by its id where the name repeats.
    ctx.add({
      kind: 'remove-network',
      id: networkRemovalId(observed, n),
      // A probe end left by a killed `up` may be on it too (plan/probe-leftovers.ts).
      deps: [...removesOn(n.platform), ...probeLeftoverRemovals(observed, n.platform)],
      daemon: n.platform,
      name: n.name,
      ...(removeByIdNeeded(observed, n) ? { network: n.id } : {}),
      releaseWaitMs: ENDPOINT_RELEASE_WAIT_MS,
    });
  }
  if (options.volumes) {
    for (const v of [...observed.volumes].sort((a, b) => byName(`${a.platform}/${a.name}`, `${b.platform}/${b.name}`))) {
      ctx.add({ kind: 'remove-volume', id: `volume-rm:${v.platform}:${v.name}`, deps: removesOn(v.platform), daemon: v.platform, name: v.name });
    }
  }
  if (options.rmi) {
    const seen = new Set<string>();
    for (const name of Object.keys(project.services).sort()) {
      const service = project.services[name]!;
      if (options.rmi === 'local' && service.image) continue;
      const daemon = ctx.daemonOf(service);
      const image = serviceImage(project.name, service);
      const key = `${daemon}/${image}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!observed.images.some((i) => i.platform === daemon && i.reference === image)) continue;
      ctx.add({ kind: 'remove-image', id: `image-rm:${daemon}:${image}`, deps: removesOn(daemon), daemon, name: image });
    }
  }
}

/**
 * `restart a`: also the services depending on a with `restart: true` (transitively), as compose
 * does, unless --no-deps.
 */
function withRestartDependents(ctx: PlanContext, names: readonly string[]): string[] {
  const result = new Set(names);
  if (ctx.options.noDeps || !ctx.options.services?.length) return [...result];
  const queue = [...names];
  while (queue.length) {
    const provider = queue.shift()!;
    for (const [name, service] of Object.entries(ctx.project.services)) {
      if (!result.has(name) && service.depends_on?.[provider]?.restart) {
        result.add(name);
        queue.push(name);
      }
    }
  }
  return [...result];
}

function selectedContainers(ctx: PlanContext, restart = false): ObservedContainer[] {
  const names = new Set(restart ? withRestartDependents(ctx, ctx.selectedServices()) : ctx.selectedServices());
  return ctx.observed.containers
    .filter((c) => !c.oneoff && c.labels[LABEL_ROLE] !== 'resolver' && names.has(c.service))
    .sort((a, b) => byName(a.name, b.name));
}

export function planStop(ctx: PlanContext): void {
  const containers = selectedContainers(ctx).filter(isRunning);
  const stopId = (o: ObservedContainer) => containerOpId('stop', o, containers);
  for (const c of containers) {
    const service = ctx.project.services[c.service];
    const fields = observedContainerFields(c);
    ctx.add({
      kind: 'stop-container',
      id: stopId(c),
      deps: reverseDeps(ctx, c, containers, stopId),
      ...fields,
      // `stop` of a container that does not stop: said, and the other stops go on.
      ...ctx.boundedStop(service, fields.platform, 'warn'),
    });
  }
}

/** Start (or restart) in dependency order: a container goes once its dependencies' containers went. */
function planForward(ctx: PlanContext, kind: 'start-container' | 'restart-container'): void {
  const all = selectedContainers(ctx, kind === 'restart-container');
  const containers = kind === 'start-container' ? all.filter((c) => !isRunning(c)) : all;
  const prefix = kind === 'start-container' ? 'start' : 'restart';
  const anyResolver = ctx.resolverContainers()[0];
  const resolver = ctx.resolverContainers().find((c) => !isRunning(c));
  const resolverStart = resolver && kind === 'start-container' ? `start:${resolver.service}:1` : undefined;
  if (resolver && resolverStart) {
    ctx.add({
      kind: 'start-container',
      id: resolverStart,
      deps: [],
      daemon: resolver.platform,
      platform: 'linux',
      service: resolver.service,
      number: 1,
      name: resolver.name,
      container: { id: resolver.id },
      inspect: false,
    });
  }
  for (const c of containers) {
    const service = ctx.project.services[c.service];
    const needs = service ? serviceDependencies(ctx.project, service) : [];
    const deps = containers
      .filter((o) => needs.includes(o.service))
      .map((o) => containerOpId(prefix, o, containers))
      .concat(resolverStart ? [resolverStart] : [])
      .sort(byName);
    if (kind === 'start-container' && service) deps.push(...dependencyWaits(ctx, service, containers));
    deps.sort(byName);
    const base = { id: containerOpId(prefix, c, containers), deps, ...observedContainerFields(c) };
    // Away from the resolver's daemon the address may change on (re)start: register it again.
    const network = service ? addressNetwork(ctx.project, service) : undefined;
    const register = anyResolver !== undefined && c.platform !== anyResolver.platform && network !== undefined;
    if (kind === 'start-container') ctx.add({ ...base, kind, inspect: register });
    else ctx.add({ ...base, kind, ...ctx.boundedStop(service, base.platform, 'fail') });
    if (register && network) {
      ctx.add({
        kind: 'register-hosts',
        id: containerOpId('hosts', c, containers),
        deps: [base.id, ...(resolverStart ? [resolverStart] : [])].sort(byName),
        daemon: anyResolver.platform,
        resolver: { id: anyResolver.id },
        file: hostsFileName(c.service, c.number),
        names: hostsNames(service, c.service, c.name),
        ip: { runtime: { ipOf: base.id, network } },
        service: c.service,
        ifNoAddress: 'skip',
      });
    }
  }
}

/**
 * `start` waits for depends_on conditions like `up` does: a wait on each running (or now starting)
 * container of a provider with condition service_healthy / service_completed_successfully.
 */
function dependencyWaits(ctx: PlanContext, service: Service, starting: readonly ObservedContainer[]): string[] {
  const ids: string[] = [];
  for (const [provider, d] of Object.entries(service.depends_on ?? {}).sort(([a], [b]) => byName(a, b))) {
    const providerService = ctx.project.services[provider];
    const condition = d.condition === 'service_healthy' ? 'healthy' : d.condition === 'service_completed_successfully' ? 'completed' : undefined;
    if (!providerService || !condition) continue;
    if (condition === 'healthy' && (!providerService.healthcheck?.test || providerService.healthcheck.disable)) continue;
    for (const p of ctx.containersOf(provider)) {
      const startedHere = starting.includes(p);
      if (!startedHere && !isRunning(p) && condition === 'healthy') continue;
      const id = `${containerOpId('wait', p, ctx.containersOf(provider))}:${condition}`;
      if (!ctx.has(id)) {
        ctx.add({
          kind: 'wait',
          id,
          deps: startedHere ? [containerOpId('start', p, starting)] : [],
          ...observedContainerFields(p),
          condition,
          timeoutMs: ctx.options.dependencyTimeoutMs ?? DEFAULT_DEPENDENCY_TIMEOUT_MS,
          waiter: service.name,
        });
      }
      ids.push(id);
    }
  }
  return ids;
}

export function planStart(ctx: PlanContext): void {
  planForward(ctx, 'start-container');
}

export function planRestart(ctx: PlanContext): void {
  planForward(ctx, 'restart-container');
}
