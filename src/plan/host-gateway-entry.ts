/**
 * `host.docker.internal` inside Windows containers. Docker adds it to a Linux container's
 * /etc/hosts (`host-gateway`), but Windows containers ignore extra_hosts (moby/moby#41165) and Docker
 * Desktop's name does not resolve in them (docker/for-win#1976). Windows services of a project that
 * uses the project resolver already ask it (their DNS is the resolver), so the resolver answers the
 * name for Windows askers with the address at which the Windows daemon's containers reach the host:
 * the gateway of their project network (the `nat` network's gateway is the host's vNIC on it).
 *
 * Pure: the planner decides the entry; the executor writes it as any hosts file.
 */
import type { PlatformOs } from '../model/project.js';
import { hostsFileContent, RESOLVER_HOSTS_DIR, RESOLVER_STATIC_DIRS, type ResolverLayout } from './resolver.js';

export const HOST_GATEWAY_NAME = 'host.docker.internal';
/** Hosts file name of the entry (beside the per-replica `<service>-<n>` files). */
export const HOST_GATEWAY_FILE = 'mixcompose-host-gateway';

/** What the resolver holds for the name: one hosts file in the hostsdir Windows askers read. */
export interface HostGatewayEntry {
  readonly name: typeof HOST_GATEWAY_NAME;
  readonly address: string;
  /** The hostsdir the Windows askers' dnsmasq reads. */
  readonly dir: string;
  readonly file: string;
  readonly content: string;
  /**
   * Linux askers read this directory too (both daemons reached by IP: one dnsmasq for everyone);
   * the entry then also answers them, unless their own /etc/hosts (extra_hosts: host-gateway) does first.
   */
  readonly sharedWithLinux: boolean;
}

/**
 * The entry, when the project has Windows services, runs the resolver, and the Windows daemon's
 * project network has a gateway; undefined otherwise (nothing to answer, or nobody to ask).
 * `windowsGateway`: the IPAM gateway of the Windows daemon's (first) project network.
 */
export function hostGatewayEntry(input: {
  readonly platformsInUse: ReadonlySet<PlatformOs>;
  readonly resolverRuns: boolean;
  readonly windowsGateway: string | undefined;
  readonly layout: ResolverLayout;
}): HostGatewayEntry | undefined {
  if (!input.resolverRuns || !input.platformsInUse.has('windows') || !input.windowsGateway) return undefined;
  // Under published reach the Windows askers' dnsmasq reads its own directories; the static one for
  // Windows askers is theirs alone. Otherwise the one dnsmasq reads the shared hostsdir.
  const windowsDirs = input.layout.published?.dirs ?? input.layout.mainDirs;
  const own = windowsDirs.find((d) => d === RESOLVER_STATIC_DIRS.windows);
  const dir = own ?? (windowsDirs.includes(RESOLVER_HOSTS_DIR) ? RESOLVER_HOSTS_DIR : windowsDirs[0]!);
  return {
    name: HOST_GATEWAY_NAME,
    address: input.windowsGateway,
    dir,
    file: HOST_GATEWAY_FILE,
    content: hostsFileContent(input.windowsGateway, [HOST_GATEWAY_NAME]),
    sharedWithLinux: input.layout.mainDirs.includes(dir),
  };
}
