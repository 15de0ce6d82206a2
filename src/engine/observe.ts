/**
 * ObservedState from both daemons: containers, networks and volumes carrying this project's
 * label (nothing unlabelled is ever looked at, so nothing unlabelled is ever touched), plus the
 * local images the services name. Each distinct daemon is asked once, all calls in parallel.
 */
import { withDefaultTag } from '../model/image-ref.js';
import type { PlatformOs, Project } from '../model/project.js';
import { networkName, serviceImage } from '../plan/create-body.js';
import { LABEL_CONFIG_FILES, LABEL_CONFIG_HASH, LABEL_NUMBER, LABEL_ONEOFF, LABEL_PROJECT, LABEL_ROLE, LABEL_SERVICE, projectFilter, ROLE_REACH_PROBE, ROLE_REACH_RECORD } from '../plan/labels.js';
import { resolverImage } from '../plan/resolver.js';
import { projectUsesResolver } from '../plan/resolver-dns.js';
import type {
  ContainerStatus,
  DaemonFacts,
  ObservedContainer,
  ObservedImage,
  ObservedNetwork,
  ObservedState,
  ObservedVolume,
  ProbeLeftover,
  PortHolder,
} from '../plan/observed-state.js';
import { placeServices, spansTwoDaemons, type Placement } from '../plan/placement.js';
import type { ContainerSummary, DaemonClient, EngineBody } from './daemon-client.js';
export { readResolverHosts, startResolverHostsRead, type EarlyHostsRead } from './resolver-hosts-read.js';
import { callNow, ListsAhead, wrapClients, type ListCaller } from './observe-ahead.js';
import type { ResolverHostsCache } from './resolver-hosts-cache.js';
import { resolverHostsOf, startResolverHostsRead, type EarlyHostsRead } from './resolver-hosts-read.js';
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

/** The running containers of any project that publish host `port` (udp or tcp), from the running list. */
export function portHoldersOf(running: readonly ContainerSummary[], port: number): PortHolder[] {
  const holders: PortHolder[] = [];
  for (const c of running) {
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

/**
 * Running containers of any project that publish host `port` (udp or tcp). Docker's `publish`
 * filter matches container ports, not host ports, so the running list is read whole.
 */
export async function hostPortHolders(client: DaemonClient, port: number, call: ListCaller = callNow): Promise<PortHolder[]> {
  return portHoldersOf(await call(client, 'listContainers', {}, false), port);
}

/** Whether the project's resolver may publish port 53 on the linux `address` (two daemons, resolver on, a reach that may be published). */
function mayPublishResolver(project: Project, placement: Placement): boolean {
  const platforms = Object.values(project.services).map((s) => s.platform.os);
  if (project.extension.resolver?.enabled === false || !spansTwoDaemons(placement, platforms)) return false;
  return !(['linux', 'windows'] as const).every((p) => project.extension.daemons[p]?.reach === 'ip');
}

/** The distinct daemons: daemon key → client. */
export function distinctDaemons(
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>,
): [PlatformOs, DaemonClient][] {
  return daemonsOf(clients, placeServices(facts));
}

function daemonsOf(clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>, placement: Placement): [PlatformOs, DaemonClient][] {
  const out = new Map<PlatformOs, DaemonClient>();
  for (const platform of ['linux', 'windows'] as const) {
    const client = clients[platform];
    if (client && !out.has(placement[platform])) out.set(placement[platform], client);
  }
  return [...out];
}

/**
 * The placement the clients show before /info answers: one client for both platforms is one daemon
 * (named linux here; only the grouping matters for what is listed), else one daemon each. It is
 * the placement of the facts (placeServices) up to the shared daemon's name.
 */
function placementOfClients(clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>): Placement {
  return clients.linux && clients.linux === clients.windows ? { linux: 'linux', windows: 'linux' } : { linux: 'linux', windows: 'windows' };
}

/** The images observe looks for on each daemon (the services', and the resolver's when the project uses one). */
function wantedImages(project: Project, placement: Placement, resolverImageOverride: string | undefined) {
  const byDaemon = new Map<PlatformOs, Set<string>>();
  const want = (daemon: PlatformOs, reference: string) => {
    if (!byDaemon.has(daemon)) byDaemon.set(daemon, new Set());
    byDaemon.get(daemon)!.add(withDefaultTag(reference));
  };
  for (const s of Object.values(project.services)) want(placement[s.platform.os], serviceImage(project.name, s));
  // The resolver's image, looked for in the same list call: the planner builds it when it is missing.
  const helper = projectUsesResolver(project, placement) ? { platform: placement.linux, reference: withDefaultTag(resolverImage(project, resolverImageOverride)) } : undefined;
  if (helper) want(helper.platform, helper.reference);
  return { wanted: (daemon: PlatformOs) => [...(byDaemon.get(daemon) ?? [])], helper };
}

/** The list calls of one daemon: the project's containers, networks, volumes, the wanted images, networks named like the project's. */
function askProjectLists(call: ListCaller, project: Project, client: DaemonClient, wanted: readonly string[]) {
  const filter = projectFilter(project.name);
  const names = projectNetworkNames(project);
  return [
    call(client, 'listContainers', filter, true),
    call(client, 'listNetworks', filter),
    call(client, 'listVolumes', filter),
    wanted.length ? call(client, 'listImages', { reference: [...wanted] }) : Promise.resolve([] as EngineBody[]),
    names.length ? call(client, 'listNetworks', { name: names }) : Promise.resolve([] as EngineBody[]),
  ] as const;
}

/** What the next observation of a command asks, asked ahead (ObserveOptions.ahead); taken once. */
export interface ObservationAhead {
  readonly lists?: ListsAhead;
  readonly hosts?: EarlyHostsRead;
}

/** Holds an ObservationAhead for one taker (the command's first observation). */
export interface PrefetchedObservation {
  take(): ObservationAhead | undefined;
}

export function prefetched(ahead: ObservationAhead): PrefetchedObservation {
  let held: ObservationAhead | undefined = ahead;
  return {
    take() {
      const taken = held;
      held = undefined;
      return taken;
    },
  };
}

/**
 * Starts the daemon calls of the project's next observation: each distinct daemon's lists, the
 * running list when port 53 may be published, and the resolver's hosts files (cache first; with
 * `staticAnswers`, `up`'s, the cached static answers' dirs are checked beside). Start
 * it only while holding the project lock (the CLI does so right after taking it, beside /version
 * and /info), or for an optimistic `up`, whose plan from it runs only when it changes nothing
 * (engine/apply.ts). A call that observe then makes otherwise (another placement, another image) is
 * simply asked again.
 */
export function startObservationAhead(
  project: Project,
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  options: { readonly resolverImage?: string; readonly hostsCache?: ResolverHostsCache; readonly imageInspects?: boolean; readonly staticAnswers?: boolean } = {},
): PrefetchedObservation {
  const placement = placementOfClients(clients);
  const { wanted, helper } = wantedImages(project, placement, options.resolverImage);
  const lists = new ListsAhead();
  for (const [daemon, client] of daemonsOf(clients, placement)) void askProjectLists(lists.ask, project, client, wanted(daemon));
  const linuxClient = clients.linux;
  if (linuxClient && mayPublishResolver(project, placement)) void lists.ask(linuxClient, 'listContainers', {}, false);
  // `up`'s image facts inspect each service's image on its daemon (engine/image-facts.ts).
  for (const s of options.imageInspects ? Object.values(project.services) : []) {
    const client = clients[s.platform.os];
    if (client) void lists.ask(client, 'inspectImage', serviceImage(project.name, s));
  }
  const hosts = linuxClient && helper ? startResolverHostsRead(linuxClient, project.name, 'linux', options.hostsCache, options.staticAnswers) : undefined;
  return prefetched({ lists, ...(hosts ? { hosts } : {}) });
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
  /** Calls asked already under the project lock (startObservationAhead); each is taken when observe makes the same call. */
  readonly ahead?: ObservationAhead;
  /** The client-side cache of the resolver's hosts files (engine/resolver-hosts-cache.ts); none: always read. */
  readonly hostsCache?: ResolverHostsCache;
  /**
   * `up`: also read back the resolver's static answers (published reach: the hostsdirs its label
   * names), for the planner to write again one that is missing or changed. Nothing more under ip reach.
   */
  readonly staticAnswers?: boolean;
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

/** One daemon's part of the observation, from its lists. */
async function observeDaemon(call: ListCaller, project: Project, daemon: PlatformOs, client: DaemonClient, wanted: readonly string[]) {
  const [listedContainers, listedNetworks, listedVolumes, listedImages, listedNamed] = askProjectLists(call, project, client, wanted);
  // i12b: networks named like the project's but not labelled as its own (foreign twins); unknown when that list fails.
  const [containers, networks, volumes, images, named] = await Promise.all([listedContainers, listedNetworks, listedVolumes, listedImages, listedNamed.catch(() => undefined)]);
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
  const stack = containers.filter((c) => c.Labels[LABEL_ROLE] !== ROLE_REACH_PROBE).map((c) => observedContainer(c, daemon));
  return {
    probeLeftovers,
    // The probe's recorded answer (plan/reach-record.ts) is no service: listed apart.
    reachRecords: stack.filter((c) => c.labels[LABEL_ROLE] === ROLE_REACH_RECORD),
    containers: stack.filter((c) => c.labels[LABEL_ROLE] !== ROLE_REACH_RECORD),
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
}

async function observeDaemons(
  project: Project,
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>,
  options: ObserveOptions,
): Promise<ObservedState> {
  const placement = placeServices(facts);
  const lists = options.ahead?.lists;
  const call = lists?.take ?? callNow;
  const { wanted, helper } = wantedImages(project, placement, options.resolverImage);
  const daemons = daemonsOf(clients, placement);
  const linuxClient = daemons.find(([daemon]) => daemon === placement.linux)?.[1];
  // Beside the lists, not after them: the resolver's files (cache first, else by its name) and the holders of port 53.
  const early: EarlyHostsRead | undefined = !helper || !linuxClient ? undefined : (options.ahead?.hosts ?? startResolverHostsRead(linuxClient, project.name, helper.platform, options.hostsCache, options.staticAnswers));
  // A failed list leaves the plan to the daemon's own bind error (execute translates it).
  const dnsPortHolders = linuxClient && mayPublishResolver(project, placement) ? hostPortHolders(linuxClient, 53, call).catch(() => undefined) : undefined;
  const imageFacts = options.images ? gatherImageFacts(project, lists ? wrapClients(clients, (c) => lists.serve(c)) : clients, facts, options.images) : undefined;
  imageFacts?.catch(() => undefined); // awaited below; a failure there is observe's failure
  const parts = await Promise.all(daemons.map(([daemon, client]) => observeDaemon(call, project, daemon, client, wanted(daemon))));
  const containers = parts.flatMap((p) => p.containers);
  // The running resolver; else a stopped one (its files outlive a stop, and `up` starts it again).
  const resolvers = containers.filter((c) => c.labels[LABEL_ROLE] === 'resolver');
  const resolver = resolvers.find((c) => c.status === 'running') ?? resolvers[0];
  const resolverClient = resolver ? daemons.find(([daemon]) => daemon === resolver.platform)?.[1] : undefined;
  const [resolverHosts, portHolders] = await Promise.all([
    resolver && resolverClient ? resolverHostsOf(resolver, resolverClient, early, options.hostsCache, project.name, options.staticAnswers) : undefined,
    dnsPortHolders,
  ]);
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
    ...(parts.some((p) => p.reachRecords.length) ? { reachRecords: parts.flatMap((p) => p.reachRecords) } : {}),
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
