/**
 * Where the project's containers ask the project resolver (their first DNS server, HostConfig.Dns),
 * for `up` (the create bodies) and for `ps` (is it still there?). A container's DNS list is fixed
 * when it is created: if the resolver later gets another IP (the linux daemon restarted, the
 * resolver was recreated), names across daemons silently stop resolving in it until `up` recreates
 * it (the config hash holds the DNS list). `ps` reads each container's list (engine/container-dns.ts)
 * and says which ones point at the old address.
 */
import type { PlatformOs, Project, Service } from '../model/project.js';
import { PlanError } from '../errors.js';
import { networkName, serviceNetworkKeys } from './create-body.js';
import { LABEL_ROLE } from './labels.js';
import type { ObservedContainer, ObservedState } from './observed-state.js';
import { PlanContext } from './plan-context.js';
import { spansTwoDaemons, type Placement } from './placement.js';
import { decideReach } from './reach.js';
import { resolverLayout, type AddressIps, type ResolverLayout } from './resolver.js';
import { byName } from '../graph/dependency-graph.js';

/** Whether the project runs a resolver: its services span two daemons and it is not disabled. */
export function projectUsesResolver(project: Project, placement: Placement): boolean {
  const platforms = Object.values(project.services).map((s) => s.platform.os);
  return project.extension.resolver?.enabled !== false && spansTwoDaemons(placement, platforms);
}

/** The network key the resolver joins: `default` if a service on its daemon joins it, else the first by name. */
export function resolverNetworkKey(project: Project, placement: Placement): string | undefined {
  const resolverDaemon = placement.linux;
  const keys = [
    ...new Set(
      Object.values(project.services)
        .filter((s) => placement[s.platform.os] === resolverDaemon)
        .flatMap((s) => serviceNetworkKeys(s)),
    ),
  ].sort(byName);
  return keys.includes('default') ? 'default' : keys[0];
}

/** An address on `network`, else on the first network by name. */
export function primaryIp(ips: Readonly<Record<string, string>>, network: string | undefined): string | undefined {
  if (network && ips[network]) return ips[network];
  const first = Object.keys(ips).sort(byName)[0];
  return first ? ips[first] : undefined;
}

/**
 * Where a container of `platform` asks the resolver: windows containers under published reach at
 * the linux daemon's address (port 53 published there), every other one at the resolver's container IP.
 */
export function resolverAskedAt(platform: PlatformOs, layout: ResolverLayout | undefined): { readonly published: string } | 'container-ip' {
  return platform === 'windows' && layout?.published ? { published: layout.published.address } : 'container-ip';
}

/** The first DNS server every project container should have now, per declared platform. */
export interface ResolverDnsNow {
  /** The running resolver container. */
  readonly resolver: string;
  readonly dnsFor: Readonly<Record<PlatformOs, string>>;
}

/**
 * The DNS server `up` would give each platform's containers now: the running resolver's IP (or,
 * for windows containers under published reach, the linux daemon's address). Undefined when the
 * project uses no resolver, the resolver does not run (resolverOutage reports that) or its
 * address cannot be decided (a missing `address`: `up` says so).
 */
export function resolverDnsNow(project: Project, observed: ObservedState, addressIps: AddressIps = {}): ResolverDnsNow | undefined {
  const ctx = new PlanContext(project, observed, {});
  if (!projectUsesResolver(project, ctx.placement)) return undefined;
  const resolver = ctx.resolverContainers().find((c) => c.status === 'running');
  const key = resolverNetworkKey(project, ctx.placement);
  const resolverIp = resolver && key ? primaryIp(resolver.ips, networkName(project, key)) : undefined;
  if (!resolver || !resolverIp) return undefined;
  const reach = decideReach(ctx);
  let layout: ResolverLayout;
  try {
    layout = resolverLayout(project, { linux: reach.linux?.reach ?? 'ip', windows: reach.windows?.reach ?? 'ip' }, addressIps);
  } catch (error) {
    if (error instanceof PlanError) return undefined;
    throw error;
  }
  const at = (platform: PlatformOs): string => {
    const asked = resolverAskedAt(platform, layout);
    return asked === 'container-ip' ? resolverIp : asked.published;
  };
  return { resolver: resolver.name, dnsFor: { linux: at('linux'), windows: at('windows') } };
}

/** One project container's DNS server against where the resolver is now, for `ps`. */
export interface ResolverDnsCheck {
  readonly container: string;
  /** `<service>-<number>`, as ps names it in its lines. */
  readonly replica: string;
  readonly state: 'current' | 'stale';
  /** The container's first DNS server (the resolver address it was created with). */
  readonly dnsServer: string;
  /** Where the project resolver is asked now. */
  readonly resolverAt: string;
}

function isServiceContainer(c: ObservedContainer): boolean {
  return !c.oneoff && c.labels[LABEL_ROLE] !== 'resolver';
}

/**
 * The resolver address a container was created with, from its DNS list: `up` writes the resolver
 * first, then the service's own `dns:`. A list of another shape (created with no resolver, or
 * before the service's `dns:` changed) is no resolver address: a config change, not a moved resolver.
 */
function createdResolverAddress(service: Service, dns: readonly string[]): string | undefined {
  const own = service.dns ?? [];
  if (dns.length !== own.length + 1 || own.some((server, i) => dns[i + 1] !== server)) return undefined;
  return dns[0];
}

/**
 * For `ps`: each project container whose DNS list was read (`dnsById`, container id → HostConfig.Dns)
 * and that was created to ask the resolver, with whether it asks where the resolver is now.
 * Empty when the project uses no resolver or the resolver does not run (see resolverDnsNow).
 */
export function resolverDnsChecks(
  project: Project,
  observed: ObservedState,
  dnsById: ReadonlyMap<string, readonly string[]>,
  addressIps: AddressIps = {},
): ResolverDnsCheck[] {
  const now = resolverDnsNow(project, observed, addressIps);
  if (!now) return [];
  const out: ResolverDnsCheck[] = [];
  for (const c of observed.containers) {
    const service = project.services[c.service];
    const dns = dnsById.get(c.id);
    if (!isServiceContainer(c) || !service || !dns) continue;
    const dnsServer = createdResolverAddress(service, dns);
    if (!dnsServer) continue;
    const resolverAt = now.dnsFor[service.platform.os];
    out.push({ container: c.name, replica: `${c.service}-${c.number}`, state: dnsServer === resolverAt ? 'current' : 'stale', dnsServer, resolverAt });
  }
  return out.sort((a, b) => byName(a.replica, b.replica));
}

/** The `ps` line for a container that asks an old resolver address. */
export function describeResolverDns(check: ResolverDnsCheck): string | undefined {
  if (check.state === 'current') return undefined;
  return `${check.replica}: dns points at ${check.dnsServer}, the project resolver is at ${check.resolverAt}: run mixcompose up (it recreates the containers that use the old address)`;
}
