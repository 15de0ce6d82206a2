/**
 * ObservedState from both daemons: containers, networks and volumes carrying this project's
 * label (nothing unlabelled is ever looked at, so nothing unlabelled is ever touched), plus the
 * local images the services name. Each distinct daemon is asked once, all calls in parallel.
 */
import { withDefaultTag } from '../model/image-ref.js';
import type { PlatformOs, Project } from '../model/project.js';
import { networkName, serviceImage } from '../plan/create-body.js';
import { LABEL_CONFIG_FILES, LABEL_CONFIG_HASH, LABEL_NUMBER, LABEL_ONEOFF, LABEL_PROJECT, LABEL_ROLE, LABEL_SERVICE, projectFilter, ROLE_REACH_PROBE } from '../plan/labels.js';
import { RESOLVER_HOSTS_DIR, resolverContainerName, resolverImage } from '../plan/resolver.js';
import { projectUsesResolver } from '../plan/resolver-dns.js';
import { parseHostsFile } from '../plan/resolver-entries.js';
import type {
  ContainerStatus,
  DaemonFacts,
  ObservedContainer,
  ObservedImage,
  ObservedNetwork,
  ObservedResolverHosts,
  ObservedState,
  ResolverHostsFile,
  ObservedVolume,
  ProbeLeftover,
  PortHolder,
} from '../plan/observed-state.js';
import { placeServices, spansTwoDaemons } from '../plan/placement.js';
import type { ContainerSummary, DaemonClient, EngineBody } from './daemon-client.js';
import { tarFiles } from './tar.js';
import { statBindSources } from './bind-sources.js';
import { lookupDaemonAddresses, type AddressLookup } from './daemon-addresses.js';
import { gatherImageFacts, type ImageFactOptions } from './image-facts.js';

/** "Up 3 seconds (healthy)" → healthy; "Exited (137) 2 minutes ago" → 137. */
export function parseStatus(status: string | undefined): { health?: ObservedContainer['health']; exitCode?: number } {
  const out: { health?: ObservedContainer['health']; exitCode?: number } = {};
  if (!status) return out;
  const health = /\((healthy|unhealthy|health: starting)\)/.exec(status)?.[1];
  if (health) out.health = health === 'health: starting' ? 'starting' : (health as 'healthy' | 'unhealthy');
  const exit = /^Exited \((-?\d+)\)/.exec(status)?.[1];
  if (exit !== undefined) out.exitCode = Number(exit);
  return out;
}

export function observedContainer(c: ContainerSummary, daemon: PlatformOs): ObservedContainer {
  const ips: Record<string, string> = {};
  const networkIds: Record<string, string> = {};
  for (const [name, n] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
    if (n.IPAddress) ips[name] = n.IPAddress;
    if (n.NetworkID) networkIds[name] = n.NetworkID;
  }
  return {
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
    platform: daemon,
    service: c.Labels[LABEL_SERVICE] ?? '',
    number: Number(c.Labels[LABEL_NUMBER] ?? '1'),
    oneoff: (c.Labels[LABEL_ONEOFF] ?? 'False').toLowerCase() === 'true',
    status: (c.State || 'created') as ContainerStatus,
    ...parseStatus(c.Status),
    image: c.Image,
    ...(c.ImageID ? { imageId: c.ImageID } : {}),
    ...(c.Labels[LABEL_CONFIG_HASH] ? { configHash: c.Labels[LABEL_CONFIG_HASH] } : {}),
    labels: c.Labels,
    ips,
    ports: (c.Ports ?? []).map((p) => ({
      target: p.PrivatePort,
      ...(p.PublicPort ? { published: p.PublicPort } : {}),
      protocol: p.Type,
      ...(p.IP ? { hostIp: p.IP } : {}),
    })),
    ...(c.Created ? { created: new Date(c.Created * 1000).toISOString() } : {}),
    // Which of two same-named networks it is on (plan/duplicates.ts). i12b.
    ...(Object.keys(networkIds).length ? { networkIds } : {}),
  };
}

/**
 * The hosts files of the running project resolver (what it answers for the other daemon's
 * containers), so the planner and `ps` can see stale entries. Undefined when they cannot be read:
 * planning then falls back to registering only what it starts.
 */
export async function readResolverHosts(client: DaemonClient, resolver: ObservedContainer): Promise<ObservedResolverHosts | undefined> {
  const files = await readHostsFiles(client, resolver.id);
  return files ? { container: resolver.id, files } : undefined;
}

/** The hosts files in RESOLVER_HOSTS_DIR of a container (by ID or name), sorted; undefined when they cannot be read. */
async function readHostsFiles(client: DaemonClient, container: string): Promise<ResolverHostsFile[] | undefined> {
  let archive: Buffer | undefined;
  try {
    archive = await client.getArchive(container, RESOLVER_HOSTS_DIR);
  } catch {
    return undefined;
  }
  return archive
    ? tarFiles(archive)
        .map((f) => ({ name: f.path.replace(/\/+$/, '').split('/').pop()!, content: f.content.toString('utf8') }))
        .filter((f) => f.name && !f.name.startsWith('.'))
        .map((f) => parseHostsFile(f.name, f.content))
        .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    : [];
}

/**
 * The resolver's hosts files read by the resolver's container NAME beside the container list (the
 * archive read is the slowest call of a second `up`: Docker 20.10 runs a helper process for it), and
 * taken when the list shows that the resolver found is the container of that name on that daemon.
 * Otherwise (a resolver of another name, the early read failed) the files are read by ID after the
 * list, as before.
 */
export interface EarlyHostsRead {
  readonly platform: PlatformOs;
  readonly name: string;
  readonly files: Promise<ResolverHostsFile[] | undefined>;
}

/**
 * Starts reading the project resolver's hosts files by its name on the linux daemon, for the next
 * observe to take (ObserveOptions.earlyResolverHosts). Start it only while holding the project lock:
 * the CLI does so right after taking the lock, beside connecting.
 */
export function startResolverHostsRead(client: DaemonClient, project: string, platform: PlatformOs = 'linux'): EarlyHostsRead {
  const name = resolverContainerName(project);
  return { platform, name, files: readHostsFiles(client, name) };
}

/** A read made ahead for the next observation only (Daemons.resolverHostsRead). */
export interface PrefetchedRead {
  take(): EarlyHostsRead | undefined;
}

/** Holds `read` for one taker. */
export function prefetchedRead(read: EarlyHostsRead): PrefetchedRead {
  let held: EarlyHostsRead | undefined = read;
  return {
    take() {
      const taken = held;
      held = undefined;
      return taken;
    },
  };
}

async function resolverHostsOf(
  resolver: ObservedContainer,
  client: DaemonClient,
  early: EarlyHostsRead | undefined,
): Promise<ObservedResolverHosts | undefined> {
  if (early && early.platform === resolver.platform && early.name === resolver.name) {
    const files = await early.files;
    if (files) return { container: resolver.id, files };
  }
  return readResolverHosts(client, resolver);
}

/**
 * Running containers of any project that publish host `port` (udp or tcp). Docker's `publish`
 * filter matches container ports, not host ports, so the running list is read whole.
 */
export async function hostPortHolders(client: DaemonClient, port: number): Promise<PortHolder[]> {
  const holders: PortHolder[] = [];
  for (const c of await client.listContainers({}, false)) {
    for (const p of c.Ports ?? []) {
      if (p.PublicPort !== port) continue;
      holders.push({
        name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
        ...(c.Labels?.[LABEL_PROJECT] ? { project: c.Labels[LABEL_PROJECT] } : {}),
        ...(c.Labels?.[LABEL_ROLE] ? { role: c.Labels[LABEL_ROLE] } : {}),
        ...(c.Labels?.[LABEL_CONFIG_FILES] ? { configFiles: c.Labels[LABEL_CONFIG_FILES].split(',') } : {}),
        hostIp: p.IP ?? '0.0.0.0',
        protocol: p.Type,
      });
    }
  }
  return holders;
}

/** Whether the project's resolver may publish port 53 on the linux `address` (two daemons, resolver on, a reach that may be published). */
function mayPublishResolver(project: Project, facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>): boolean {
  const platforms = Object.values(project.services).map((s) => s.platform.os);
  if (project.extension.resolver?.enabled === false || !spansTwoDaemons(placeServices(facts), platforms)) return false;
  return !(['linux', 'windows'] as const).every((p) => project.extension.daemons[p]?.reach === 'ip');
}

/** The distinct daemons: daemon key → client. */
export function distinctDaemons(
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>,
): [PlatformOs, DaemonClient][] {
  const placement = placeServices(facts);
  const out = new Map<PlatformOs, DaemonClient>();
  for (const platform of ['linux', 'windows'] as const) {
    const client = clients[platform];
    if (client && !out.has(placement[platform])) out.set(placement[platform], client);
  }
  return [...out];
}

export interface ObserveOptions {
  /** The resolver image asked for (MIXCOMPOSE_RESOLVER_IMAGE), else the project's or the default. */
  readonly resolverImage?: string;
  /**
   * Also gather the host facts `up` plans with (bind source kinds, daemon address lookups), beside
   * the daemon calls: one observe answers everything the planner needs.
   */
  readonly hostFacts?: boolean | { readonly lookup?: AddressLookup };
  /** `up`: also gather the services' image facts for planning pulls and builds (engine/image-facts.ts). */
  readonly images?: ImageFactOptions;
  /** The resolver's hosts files, read already (startResolverHostsRead); else observe reads them by name beside the lists. */
  readonly earlyResolverHosts?: EarlyHostsRead;
}

export async function observe(
  project: Project,
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>,
  options: ObserveOptions = {},
): Promise<ObservedState> {
  const host = options.hostFacts ? hostFactsOf(project, options.hostFacts === true ? {} : options.hostFacts) : undefined;
  const [daemonState, hostFacts] = await Promise.all([observeDaemons(project, clients, facts, options), host]);
  return hostFacts ? { ...daemonState, ...hostFacts } : daemonState;
}

/** The facts of the machine running mixcompose that the planner cannot read itself. */
async function hostFactsOf(project: Project, options: { readonly lookup?: AddressLookup }): Promise<Pick<ObservedState, 'bindSourceKinds' | 'addressIps'>> {
  const [bindSourceKinds, addressIps] = await Promise.all([statBindSources(project), lookupDaemonAddresses(project, options.lookup)]);
  return { bindSourceKinds, addressIps };
}

async function observeDaemons(
  project: Project,
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>,
  options: ObserveOptions,
): Promise<ObservedState> {
  const filter = projectFilter(project.name);
  const placement = placeServices(facts);
  const imagesByDaemon = new Map<PlatformOs, Set<string>>();
  const want = (daemon: PlatformOs, reference: string) => {
    if (!imagesByDaemon.has(daemon)) imagesByDaemon.set(daemon, new Set());
    imagesByDaemon.get(daemon)!.add(withDefaultTag(reference));
  };
  for (const s of Object.values(project.services)) want(placement[s.platform.os], serviceImage(project.name, s));
  // The resolver's image, looked for in the same list call: the planner builds it when it is missing.
  const helper = projectUsesResolver(project, placement) ? { platform: placement.linux, reference: withDefaultTag(resolverImage(project, options.resolverImage)) } : undefined;
  if (helper) want(helper.platform, helper.reference);
  const daemons = distinctDaemons(clients, facts);
  const linuxClient = daemons.find(([daemon]) => daemon === placement.linux)?.[1];
  // Beside the lists, not after them: the resolver's files (by its name) and the holders of port 53.
  const early: EarlyHostsRead | undefined = !helper || !linuxClient ? undefined : (options.earlyResolverHosts ?? startResolverHostsRead(linuxClient, project.name, helper.platform));
  // A failed list leaves the plan to the daemon's own bind error (execute translates it).
  const dnsPortHolders = linuxClient && mayPublishResolver(project, facts) ? hostPortHolders(linuxClient, 53).catch(() => undefined) : undefined;
  const imageFacts = options.images ? gatherImageFacts(project, clients, facts, options.images) : undefined;
  imageFacts?.catch(() => undefined); // awaited below; a failure there is observe's failure
  const parts = await Promise.all(
    daemons.map(async ([daemon, client]) => {
      const wanted = [...(imagesByDaemon.get(daemon) ?? [])];
      const [containers, networks, volumes, images, named] = await Promise.all([
        client.listContainers(filter, true),
        client.listNetworks(filter),
        client.listVolumes(filter),
        wanted.length ? client.listImages({ reference: wanted }) : Promise.resolve([] as EngineBody[]),
        // i12b: networks named like the project's but not labelled as its own (foreign twins).
        projectNetworkNames(project).length ? client.listNetworks({ name: projectNetworkNames(project) }).catch(() => undefined) : Promise.resolve([] as EngineBody[]),
      ]);
      const observedImages: ObservedImage[] = [];
      for (const image of images) {
        const tags = (image.RepoTags as string[] | null | undefined) ?? [];
        for (const tag of tags) {
          if (!wanted.includes(tag)) continue;
          observedImages.push({ platform: daemon, reference: tag, id: String(image.Id), ...(typeof image.Size === 'number' ? { size: image.Size } : {}) });
          if (tag.endsWith(':latest')) observedImages.push({ platform: daemon, reference: tag.slice(0, -':latest'.length), id: String(image.Id), ...(typeof image.Size === 'number' ? { size: image.Size } : {}) });
        }
      }
      // `up`'s reach probe (engine/reach-probe.ts) is not part of the stack: what a killed `up` left of
      // it is listed apart, for `down` and `up` to remove.
      const probeLeftovers: ProbeLeftover[] = [
        ...containers
          .filter((c) => c.Labels[LABEL_ROLE] === ROLE_REACH_PROBE)
          .map((c): ProbeLeftover => ({ kind: 'container', platform: daemon, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), id: c.Id })),
        ...networks
          .filter((n) => (n.Labels as Record<string, string> | undefined)?.[LABEL_ROLE] === ROLE_REACH_PROBE)
          .map((n): ProbeLeftover => ({ kind: 'network', platform: daemon, name: String(n.Name), id: String(n.Id) })),
      ];
      return {
        probeLeftovers,
        containers: containers.filter((c) => c.Labels[LABEL_ROLE] !== ROLE_REACH_PROBE).map((c) => observedContainer(c, daemon)),
        networks: networks.filter((n) => (n.Labels as Record<string, string> | undefined)?.[LABEL_ROLE] !== ROLE_REACH_PROBE).map((n) => observedNetwork(n, daemon)),
        foreignNetworks: named ? foreignTwins(project, named, daemon) : undefined,
        volumes: volumes.map(
          (v): ObservedVolume => ({
            name: String(v.Name),
            platform: daemon,
            driver: String(v.Driver ?? ''),
            labels: (v.Labels as Record<string, string> | undefined) ?? {},
          }),
        ),
        images: observedImages,
      };
    }),
  );
  const containers = parts.flatMap((p) => p.containers);
  // The running resolver; else a stopped one (its files outlive a stop, and `up` starts it again).
  const resolvers = containers.filter((c) => c.labels[LABEL_ROLE] === 'resolver');
  const resolver = resolvers.find((c) => c.status === 'running') ?? resolvers[0];
  const resolverClient = resolver ? daemons.find(([daemon]) => daemon === resolver.platform)?.[1] : undefined;
  const [resolverHosts, portHolders] = await Promise.all([resolver && resolverClient ? resolverHostsOf(resolver, resolverClient, early) : undefined, dnsPortHolders]);
  return {
    daemons: facts,
    containers,
    networks: parts.flatMap((p) => p.networks),
    volumes: parts.flatMap((p) => p.volumes),
    images: parts.flatMap((p) => p.images),
    ...(imageFacts ? { imageFacts: await imageFacts } : {}),
    ...(resolverHosts ? { resolverHosts } : {}),
    ...(portHolders ? { dnsPortHolders: portHolders } : {}),
    ...(parts.some((p) => p.probeLeftovers.length) ? { probeLeftovers: parts.flatMap((p) => p.probeLeftovers) } : {}),
    ...(parts.every((p) => p.foreignNetworks) ? { foreignNetworks: parts.flatMap((p) => p.foreignNetworks ?? []) } : {}),
    ...(helper && daemons.some(([daemon]) => daemon === helper.platform)
      ? { helperImages: [{ ...helper, present: parts.some((p) => p.images.some((i) => i.platform === helper.platform && i.reference === helper.reference)) }] }
      : {}),
  };
}

function observedNetwork(n: EngineBody, daemon: PlatformOs): ObservedNetwork {
  return {
    id: String(n.Id),
    name: String(n.Name),
    platform: daemon,
    driver: String(n.Driver ?? ''),
    subnets: ((n.IPAM as { Config?: { Subnet?: string }[] } | undefined)?.Config ?? []).flatMap((c) => (c.Subnet ? [c.Subnet] : [])),
    gateways: networkGateways(n),
    labels: (n.Labels as Record<string, string> | undefined) ?? {},
    ...(typeof n.Created === 'string' ? { created: n.Created } : {}),
  };
}

/** The daemon names of the project's own (not external) networks. */
function projectNetworkNames(project: Project): string[] {
  return Object.entries(project.networks)
    .filter(([, n]) => !n.external)
    .map(([key]) => networkName(project, key))
    .sort();
}

/** Networks with exactly one of the project's network names that are not labelled as the project's (the name filter matches substrings). */
function foreignTwins(project: Project, named: readonly EngineBody[], daemon: PlatformOs): ObservedNetwork[] {
  const names = new Set(projectNetworkNames(project));
  return named
    .filter((n) => names.has(String(n.Name)) && (n.Labels as Record<string, string> | undefined)?.[LABEL_PROJECT] !== project.name)
    .map((n) => observedNetwork(n, daemon));
}

/** IPAM gateways of a network body (list or inspect). */
export function networkGateways(network: EngineBody): string[] {
  return ((network.IPAM as { Config?: { Gateway?: string }[] } | undefined)?.Config ?? []).flatMap((c) => (c.Gateway ? [c.Gateway] : []));
}
