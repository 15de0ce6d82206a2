/**
 * Wiring one service once its containers are planned (planServiceContainers, reconcile-up.ts): the
 * starts after what they wait for, `restart: true` restarts, and the names across daemons that the
 * project resolver answers.
 */
import type { PlatformOs, Service } from '../model/project.js';
import { byName } from '../graph/dependency-graph.js';
import { addressNetwork } from './create-body.js';
import type { ObservedState } from './observed-state.js';
import type { RuntimeIp } from './plan.js';
import { primaryIp } from './resolver-dns.js';
import { entryState, hostsFileName, hostsFilesOf, hostsNames, registrationReason } from './resolver-entries.js';
import type { PlannedContainer, UpSteps } from './reconcile-up.js';

/** The service being wired: its name, model and daemon. */
interface WiredService {
  readonly serviceName: string;
  readonly service: Service;
  readonly daemon: PlatformOs;
}

/** One service's starts (after what they wait for), `restart: true` restarts, and its names across daemons. */
export function planServiceWiring(s: UpSteps, serviceName: string, results: PlannedContainer[]): void {
  const service = s.ctx.project.services[serviceName]!;
  const at: WiredService = { serviceName, service, daemon: s.ctx.daemonOf(service) };
  planStarts(s, at, results);
  if (!s.ctx.options.noStart) planDependencyRestarts(s, at, results);
  planCrossDaemonNames(s, at, results);
  // Names across daemons under published reach: this service's names → its daemon's address.
  s.resolver.registerStaticNames(service, results);
}

/** The fields naming a replica in its start or restart operation. */
function replicaFields(at: WiredService, r: PlannedContainer) {
  return { daemon: at.daemon, platform: at.service.platform.os, service: at.serviceName, number: r.number, name: r.name, container: r.ref };
}

/** A start for each replica the plan starts (created, or stopped before), after what it waits for. */
function planStarts(s: UpSteps, at: WiredService, results: readonly PlannedContainer[]): void {
  for (const r of results) {
    if (!r.startOp) continue;
    s.ctx.add({
      kind: 'start-container',
      id: r.startOp,
      deps: startDependencies(s, at, r),
      ...replicaFields(at, r),
      inspect: true,
    });
  }
}

/**
 * What a replica's start waits for: its create; per depends_on, the provider's start, or a wait for
 * it to be healthy or completed; the starts of the services its address references name; and, for
 * those on the other daemon, their names registered in the resolver (before this starts, they must
 * resolve from here; on one daemon Docker resolves them itself).
 */
function startDependencies(s: UpSteps, at: WiredService, r: PlannedContainer): string[] {
  const { project } = s.ctx;
  const { plannedOf, dependencyTimeoutMs, waitOp } = s.tracker;
  const { serviceName, service, daemon } = at;
  const startDeps = new Set<string>(r.createOp ? [r.createOp] : []);
  for (const [providerName, d] of Object.entries(service.depends_on ?? {}).sort(([a], [b]) => byName(a, b))) {
    if (!project.services[providerName]) continue;
    const condition =
      d.condition === 'service_healthy' ? 'healthy' : d.condition === 'service_completed_successfully' ? 'completed' : undefined;
    if (condition) {
      waitOp(providerName, condition, dependencyTimeoutMs, serviceName).forEach((id) => startDeps.add(id));
    } else {
      for (const p of plannedOf(providerName)) if (p.startOp) startDeps.add(p.startOp);
    }
    // Its name must resolve from here before this starts: only across daemons is that our registration.
    for (const p of plannedOf(providerName)) if (p.hostsOp && p.daemon !== daemon) startDeps.add(p.hostsOp);
  }
  for (const ref of service.addressReferences ?? []) {
    for (const p of plannedOf(ref.service)) {
      if (p.startOp) startDeps.add(p.startOp);
      if (p.hostsOp && p.daemon !== daemon) startDeps.add(p.hostsOp);
    }
  }
  return [...startDeps].sort(byName);
}

/** `restart: true`: a kept, running dependant restarts when its dependency changed (after that one's start). */
function planDependencyRestarts(s: UpSteps, at: WiredService, results: readonly PlannedContainer[]): void {
  const { ctx } = s;
  const { serviceName, service } = at;
  for (const r of results) {
    if (r.changed || r.startOp) continue;
    const restartAfter: string[] = [];
    for (const [providerName, d] of Object.entries(service.depends_on ?? {})) {
      if (!d.restart || !ctx.project.services[providerName]) continue;
      for (const p of s.tracker.plannedOf(providerName)) if (p.changed && p.startOp) restartAfter.push(p.startOp);
    }
    if (!restartAfter.length) continue;
    ctx.add({
      kind: 'restart-container',
      id: `restart:${serviceName}:${r.number}`,
      deps: restartAfter.sort(byName),
      ...replicaFields(at, r),
      ...ctx.boundedStop(service, service.platform.os, 'fail'),
    });
  }
}

/**
 * Names across daemons: containers away from the resolver's daemon are registered in it (see
 * hostsRegistration for which). A container with no address of its own (network_mode host,
 * service:x) has nothing to register.
 */
function planCrossDaemonNames(s: UpSteps, at: WiredService, results: readonly PlannedContainer[]): void {
  const { ctx } = s;
  const { useResolver, resolverDaemon, resolverRef, resolverChanged, resolverDeps } = s.resolver;
  const { serviceName, service, daemon } = at;
  const network = addressNetwork(ctx.project, service);
  if (!useResolver || daemon === resolverDaemon || !network) return;
  const entries = resolverChanged || !resolverRef || !('id' in resolverRef) ? undefined : hostsFilesOnce(ctx.observed, resolverRef.id);
  for (const r of results) {
    const names = hostsNames(service, serviceName, r.name);
    const registration = hostsRegistration(s, at, r, { network, names, entries });
    if (!registration) continue;
    const id = `hosts:${serviceName}:${r.number}`;
    ctx.add({
      kind: 'register-hosts',
      id,
      deps: [...resolverDeps, ...registration.deps].sort(byName),
      daemon: resolverDaemon,
      resolver: resolverRef!,
      file: hostsFileName(serviceName, r.number),
      names,
      ip: registration.ip,
      service: serviceName,
      ...(registration.reason ? { reason: registration.reason } : {}),
      // A container that exited at once has no address: nothing to answer for it.
      ifNoAddress: 'skip',
    });
    r.hostsOp = id;
  }
}

/**
 * Whether and with which address a replica is registered: the ones this plan starts or restarts
 * (their address read after that operation, which it then waits for), all running ones when the
 * resolver is new or restarted, and kept ones whose entry is missing or stale (Docker restarted them
 * by themselves and they came back with another address; see resolver-entries.ts).
 */
function hostsRegistration(
  s: UpSteps,
  at: WiredService,
  r: PlannedContainer,
  known: { network: string; names: ReturnType<typeof hostsNames>; entries: ReturnType<typeof hostsFilesOf> },
): { ip: { value?: string; runtime?: RuntimeIp }; deps: string[]; reason?: string } | undefined {
  const { network, names, entries } = known;
  const restartId = `restart:${at.serviceName}:${r.number}`;
  if (r.startOp) return { ip: { runtime: { ipOf: r.startOp, network } }, deps: [r.startOp] };
  if (s.ctx.has(restartId)) return { ip: { runtime: { ipOf: restartId, network } }, deps: [restartId] };
  const value = primaryIp(r.ips, network);
  if (s.resolver.resolverChanged) return value ? { ip: { value }, deps: [] } : undefined;
  if (!entries || !value) return undefined;
  const entry = entries.get(hostsFileName(at.serviceName, r.number));
  if (entryState(entry, value, names) === 'fresh') return undefined;
  return { ip: { value }, deps: [], reason: registrationReason(entry, value) };
}

/** hostsFilesOf, made once per observation (it is asked once per service: 200 services, 200 maps). */
const hostsFilesMade = new WeakMap<object, ReturnType<typeof hostsFilesOf>>();
function hostsFilesOnce(observed: ObservedState, resolverId: string): ReturnType<typeof hostsFilesOf> {
  const key = observed.resolverHosts;
  if (!key || key.container !== resolverId) return undefined;
  if (!hostsFilesMade.has(key)) hostsFilesMade.set(key, hostsFilesOf(observed, resolverId));
  return hostsFilesMade.get(key);
}
