/**
 * Keeping the project resolver's names true over time. A container away from the resolver's daemon
 * that Docker restarts by itself (restart policy, daemon restart) can come back with another IP;
 * the resolver would go on answering the old one. These pure functions compare what the resolver
 * holds (ObservedState.resolverHosts, read from its hostsdir) with the containers as they are, for
 * the planner (register what is stale or missing, unregister what has no container) and for `ps`.
 */
import type { PlatformOs, Project, Service } from '../model/project.js';
import { networkName, serviceNetworkKeys } from './create-body.js';
import { LABEL_ROLE } from './labels.js';
import type { ObservedContainer, ObservedResolverHosts, ObservedState, ResolverHostsFile } from './observed-state.js';
import type { Operation, RegisterHostsOp } from './plan.js';
import type { PlanContext } from './plan-context.js';
import { placeServices } from './placement.js';
import { primaryIp, projectUsesResolver } from './resolver-dns.js';
import { RESOLVER_HOSTS_DIR, resolverContainerName, unregistrableName } from './resolver.js';
import { PlanError } from '../errors.js';
import { byName } from '../graph/dependency-graph.js';
import { HOST_GATEWAY_FILE } from './host-gateway-entry.js';

/** Hosts file name of a replica: `<service>-<number>`. */
export function hostsFileName(service: string, number: number): string {
  return `${service}-${number}`;
}

/** The names a replica answers to across daemons: service, container name, network aliases. */
export function hostsNames(service: Service | undefined, serviceName: string, containerName: string): string[] {
  // Each name once, in this order (asked per container: no Set and spreads for two or three names).
  const names = [serviceName];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  add(containerName);
  for (const network of Object.values(service?.networks ?? {})) for (const alias of network?.aliases ?? []) add(alias);
  return names;
}

/**
 * Problems of the network aliases the project resolver would be given (hostsNames): one that a hosts
 * line cannot hold (unregistrableName), found while planning so that nothing starts. Service and
 * container names cannot hold such characters (the loader checks them).
 */
export function aliasProblems(services: readonly Service[]): PlanError[] {
  const problems: PlanError[] = [];
  for (const service of services) {
    for (const [network, settings] of Object.entries(service.networks ?? {})) {
      for (const alias of settings?.aliases ?? []) {
        if (!unregistrableName(alias)) continue;
        problems.push(
          new PlanError(
            `service ${service.name}: networks.${network}.aliases: ${JSON.stringify(alias)} cannot be a name across daemons (the project resolver's hosts lines hold no space or control character); rename the alias`,
          ),
        );
      }
    }
  }
  return problems;
}

/** A hosts file as written by hostsFileContent (`ip name` lines) → its address and names. */
export function parseHostsFile(file: string, content: string): ResolverHostsFile {
  const ips = new Set<string>();
  const names: string[] = [];
  for (const raw of content.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [ip, ...rest] = line.split(/\s+/);
    ips.add(ip!);
    names.push(...rest);
  }
  return { file, ...(ips.size === 1 ? { ip: [...ips][0]! } : {}), names };
}

/** Whether the resolver's entry answers `names` with `ip`. */
export type EntryState = 'fresh' | 'stale' | 'missing';

export function entryState(entry: ResolverHostsFile | undefined, ip: string, names: readonly string[]): EntryState {
  if (!entry || entry.names.length === 0) return 'missing';
  const same = entry.ip === ip && entry.names.length === names.length && names.every((n) => entry.names.includes(n));
  return same ? 'fresh' : 'stale';
}

/** Why an entry that is not fresh is written again (for plans and progress lines). */
export function registrationReason(entry: ResolverHostsFile | undefined, ip: string): string {
  if (!entry || entry.names.length === 0) return 'it had no entry';
  return entry.ip === ip ? 'its names changed' : `it answered ${entry.ip ?? 'several addresses'}`;
}

/** The address a replica is registered with: on its service's first network, else its first by name. */
export function registeredIp(project: Project, service: Service | undefined, ips: Readonly<Record<string, string>>): string | undefined {
  const key = service ? serviceNetworkKeys(service)[0] : undefined;
  return primaryIp(ips, key ? networkName(project, key) : undefined);
}

/**
 * The observed hosts files of a hostsdir (RESOLVER_HOSTS_DIR unless said, or a static answers' dir)
 * by name, when they were read from `resolverId` (else unknown).
 */
export function hostsFilesOf(observed: ObservedState, resolverId: string | undefined, dir = RESOLVER_HOSTS_DIR): ReadonlyMap<string, ResolverHostsFile> | undefined {
  const hosts: ObservedResolverHosts | undefined = observed.resolverHosts;
  if (!hosts || !resolverId || hosts.container !== resolverId) return undefined;
  const files = dir === RESOLVER_HOSTS_DIR ? hosts.files : hosts.static?.[dir];
  return files && new Map(files.map((f) => [f.file, f]));
}

function isServiceContainer(c: ObservedContainer): boolean {
  return !c.oneoff && c.labels[LABEL_ROLE] !== 'resolver';
}

/** One running container's name entry in the resolver, for `ps`. */
export interface NameEntryCheck {
  readonly container: string;
  readonly file: string;
  readonly state: EntryState;
  /** What the resolver answers now (absent: nothing). */
  readonly resolverIp?: string;
  readonly containerIp: string;
  /** The project resolver does not run (stopped, or its container is gone): nothing answers. */
  readonly resolverState?: ResolverOutage['state'];
}

/** The project resolver, needed but not running (see resolverOutage). */
export interface ResolverOutage {
  readonly container: string;
  readonly state: 'stopped' | 'missing';
  /** Docker's state of a stopped one (exited, created, ...). */
  readonly status?: string;
}

/**
 * For `ps`: names across daemons need the project resolver (the services span two daemons, the
 * resolver is not disabled, and some service container runs), but it does not run. Else undefined.
 */
export function resolverOutage(project: Project, observed: ObservedState): ResolverOutage | undefined {
  if (!projectUsesResolver(project, placeServices(observed.daemons))) return undefined;
  if (!observed.containers.some((c) => isServiceContainer(c) && c.status === 'running')) return undefined;
  const resolvers = observed.containers.filter((c) => c.labels[LABEL_ROLE] === 'resolver');
  if (resolvers.some((c) => c.status === 'running')) return undefined;
  const stopped = resolvers[0];
  return stopped ? { container: stopped.name, state: 'stopped', status: stopped.status } : { container: resolverContainerName(project.name), state: 'missing' };
}

/** The `ps` line under the table for a resolver outage, with the fix. */
export function describeResolverOutage(outage: ResolverOutage): string {
  const what = outage.state === 'missing' ? 'is missing (removed)' : `is stopped (${outage.status ?? 'not running'})`;
  return `names across daemons: the resolver ${outage.container} ${what}, so service names do not resolve across the daemons: run mixcompose up`;
}

/** A check with what registering the container again needs. */
interface EntryCheck extends NameEntryCheck {
  readonly resolver: ObservedContainer;
  readonly observedContainer: ObservedContainer;
  readonly names: readonly string[];
  readonly entry?: ResolverHostsFile;
}

function entryChecks(project: Project, observed: ObservedState): EntryCheck[] {
  const resolver = observed.containers.find((c) => c.labels[LABEL_ROLE] === 'resolver' && c.status === 'running');
  const files = hostsFilesOf(observed, resolver?.id);
  if (!resolver || !files) return [];
  const out: EntryCheck[] = [];
  for (const c of observed.containers) {
    if (!isServiceContainer(c) || c.platform === resolver.platform || c.status !== 'running') continue;
    const service = project.services[c.service];
    const ip = registeredIp(project, service, c.ips);
    if (!ip) continue;
    const file = hostsFileName(c.service, c.number);
    const entry = files.get(file);
    const names = hostsNames(service, c.service, c.name);
    out.push({
      container: c.name,
      file,
      state: entryState(entry, ip, names),
      ...(entry?.ip && entry.names.length ? { resolverIp: entry.ip } : {}),
      containerIp: ip,
      resolver,
      observedContainer: c,
      names,
      ...(entry ? { entry } : {}),
    });
  }
  return out.sort((a, b) => byName(a.file, b.file));
}

/**
 * For `ps`: every running service container away from the resolver's daemon, with whether the
 * resolver answers its names with its current address. Empty when the resolver's files are unknown.
 */
export function nameEntryChecks(project: Project, observed: ObservedState): NameEntryCheck[] {
  const outage = resolverOutage(project, observed);
  if (outage) {
    // Nothing answers: every running container away from the resolver's daemon has no entry.
    const resolverDaemon = placeServices(observed.daemons).linux;
    return observed.containers
      .filter((c) => isServiceContainer(c) && c.status === 'running' && c.platform !== resolverDaemon)
      .flatMap((c) => {
        const containerIp = registeredIp(project, project.services[c.service], c.ips);
        return containerIp ? [{ container: c.name, file: hostsFileName(c.service, c.number), state: 'missing' as const, containerIp, resolverState: outage.state }] : [];
      })
      .sort((a, b) => byName(a.file, b.file));
  }
  return entryChecks(project, observed).map(({ container, file, state, resolverIp, containerIp }) => ({
    container,
    file,
    state,
    ...(resolverIp ? { resolverIp } : {}),
    containerIp,
  }));
}

/**
 * For attached `up`, on a start event of the other daemon: register every running container whose
 * entry is stale or missing (Docker restarted it meanwhile), nothing else.
 */
export function nameRefreshOperations(project: Project, observed: ObservedState): RegisterHostsOp[] {
  return entryChecks(project, observed)
    .filter((check) => check.state !== 'fresh')
    .map((check) => ({
      kind: 'register-hosts',
      id: `hosts:${check.observedContainer.service}:${check.observedContainer.number}`,
      deps: [],
      daemon: check.resolver.platform,
      resolver: { id: check.resolver.id },
      file: check.file,
      names: check.names,
      ip: { value: check.containerIp },
      service: check.observedContainer.service,
      reason: registrationReason(check.entry, check.containerIp),
      ifNoAddress: 'fail' as const,
    }));
}

/** The `ps` line for an entry that is not fresh. */
export function describeNameEntry(check: NameEntryCheck): string | undefined {
  // A resolver outage is one line for all (describeResolverOutage).
  if (check.state === 'fresh' || check.resolverState) return undefined;
  const answer = check.resolverIp ? `the resolver answers ${check.resolverIp}` : 'the resolver has no entry for it';
  return `${check.file}: ${answer}, the container has ${check.containerIp}: run mixcompose up`;
}

/**
 * After the services are planned: entries of the kept resolver with no container left away from its
 * daemon (scaled down, service removed, moved to the resolver's daemon) are emptied. A container
 * removed by the plan is unregistered once it is gone; a resolver the plan starts again (same
 * container, its files kept) is written once it runs (`after`).
 */
export function planHostsCleanup(ctx: PlanContext, resolverDaemon: PlatformOs, resolverId: string, after: readonly string[] = []): void {
  const files = hostsFilesOf(ctx.observed, resolverId);
  if (!files) return;
  const keep = new Set<string>();
  for (const c of ctx.observed.containers) {
    if (isServiceContainer(c) && c.platform !== resolverDaemon && !ctx.removed.has(c.id)) keep.add(hostsFileName(c.service, c.number));
  }
  for (const op of ctx.operations) if (op.kind === 'register-hosts') keep.add(op.file);
  // host.docker.internal for Windows askers (planHostGateway): kept while the project has Windows services.
  if (Object.values(ctx.project.services).some((s) => s.platform.os === 'windows')) keep.add(HOST_GATEWAY_FILE);
  const removals = ctx.operations.filter((op): op is Extract<Operation, { kind: 'remove-container' }> => op.kind === 'remove-container');
  for (const entry of [...files.values()].sort((a, b) => byName(a.file, b.file))) {
    if (entry.names.length === 0 || keep.has(entry.file)) continue;
    const gone = removals.filter((op) => hostsFileName(op.service, op.number) === entry.file).map((op) => op.id);
    const deps = [...new Set([...gone, ...after])];
    const service = entry.file.replace(/-\d+$/, '');
    ctx.add({
      kind: 'unregister-hosts',
      id: `unhosts:${entry.file}`,
      deps: deps.sort(byName),
      daemon: resolverDaemon,
      resolver: { id: resolverId },
      file: entry.file,
      names: entry.names,
      service,
    });
  }
}
