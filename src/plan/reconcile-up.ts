/**
 * Planning `up`: networks and volumes per daemon, the project resolver when services span two
 * daemons, then per service (in dependency order) keep / start / create / recreate each replica,
 * with depends_on conditions as wait operations, and hosts registrations so names resolve
 * across daemons.
 */
import { PlanError, formatIssue } from '../errors.js';
import type { Network, PlatformOs, Service } from '../model/project.js';
import { resolveAddresses, type ProviderIp } from './addresses.js';
import { addressNetwork, containerName, createBody, networkName, serviceImage, serviceNetworkKeys } from './create-body.js';
import { dependencyOrder, dependents, serviceDependencies, withDependencies } from './dependencies.js';
import { LABEL_CONFIG_HASH, LABEL_NETWORK, LABEL_PROJECT, LABEL_VOLUME, containerLabels, projectLabels, LABEL_PLATFORM, LABEL_TEMPLATE_HASH } from './labels.js';
import { materializedHash, templateHash } from './materialize.js';
import type { ObservedContainer } from './observed-state.js';
import type { ContainerRef, ContainerSpec, Operation, ReachDecision, ReplacedContainer, Substitution } from './plan.js';

export { decideReach, reachFromEndpoints } from './reach.js';
import { observedContainerFields, type PlanContext } from './plan-context.js';
import { spansTwoDaemons } from './placement.js';
import { consumesAcrossDaemons, decideReach, reachLabels, type SourcedReach } from './reach.js';
import { planReachRecord } from './reach-record.js';
import { bindTargetFor } from '../model/host-paths.js';
import { createPlatformFor } from './daemon-check.js';
import { lintDatabaseStorage, linuxDaemonKind } from './database-lint.js';
import { IMAGE_CONDITIONAL_REASON, imageComparison, imageOperationFor } from './image-ops.js';
import { DEFAULT_DEPENDENCY_TIMEOUT_MS, REMOVAL_IN_PROGRESS_WAIT_MS } from './reconcile-options.js';
import {
  RESOLVER_IP_TEXT,
  RESOLVER_DEFAULT_IMAGE,
  RESOLVER_SERVICE,
  dnsPortClashes,
  dnsPortTakenMessage,
  resolverBody,
  resolverContainerName,
  resolverImage,
  resolverLayout,
  type ResolverLayout,
  unpublishedProviderWarnings,
} from './resolver.js';
import { primaryIp, projectUsesResolver, resolverAskedAt, resolverNetworkKey } from './resolver-dns.js';
import { aliasProblems, entryState, hostsFilesOf, planHostsCleanup, registrationReason } from './resolver-entries.js';
import { planServiceWiring } from './service-wiring.js';
import { byName } from '../graph/dependency-graph.js';
import { planStaticAnswersCleanup, staticAnswersPlanner, type RegisterStaticNames } from './static-answers.js';
import { hostGatewayEntry } from './host-gateway-entry.js';
// i12b: observed duplicates (two networks of one name, two containers of one number) converge.
import { duplicateRemovalFor, keptNetwork, networkRecreateReason, planDuplicateNetworks, preferredReplica, wireDuplicateRemovals } from './duplicates.js';

/** What a replica will be once the plan ran. */
export interface PlannedContainer {
  readonly service: string;
  readonly number: number;
  readonly name: string;
  readonly daemon: PlatformOs;
  readonly ref: ContainerRef;
  /** Set when the plan starts it: its IP is known only after this operation. */
  readonly startOp?: string;
  readonly createOp?: string;
  /** Running before and after, untouched: its IPs are known now. */
  readonly ips: Readonly<Record<string, string>>;
  /** Registered in the resolver by this operation. */
  hostsOp?: string;
  /** Recreated or restarted by the plan (for `restart: true` dependants). */
  readonly changed: boolean;
}

const RESOLVER_START = `start:${RESOLVER_SERVICE}:1`;


export function planUp(ctx: PlanContext): { reach: Partial<Record<PlatformOs, ReachDecision>>; resolver: boolean } {
  const { project, observed, options } = ctx;
  const reach = decideReach(ctx);
  const named = ctx.selectedServices();
  const selected = options.noDeps ? new Set(named) : withDependencies(project, named);
  const order = dependencyOrder(project).filter((s) => selected.has(s));
  const allServices = Object.values(project.services);
  const linuxFacts = observed.daemons[ctx.placement.linux];
  const linuxKind = linuxDaemonKind(linuxFacts, bindTargetFor(linuxFacts, project.extension.daemons.linux, options.hostPlatform).kind);
  for (const issue of lintDatabaseStorage(project, linuxKind ? { linuxDaemon: linuxKind } : {})) ctx.warnings.push(formatIssue(issue));

  planDuplicateNetworks(ctx); // i12b
  const infra = planInfrastructure(ctx, reach);
  const resolver = planResolver(ctx, reach, infra);
  // A probing up records the answer on one container of its own (reach-record.ts), not on the services.
  if (resolver.useResolver) {
    const imageOp = resolverImageOpId(resolver.resolverDaemon);
    planReachRecord(ctx, reach, resolver.resolverDaemon, resolverImage(project, options.resolverImage), ctx.has(imageOp) ? imageOp : undefined);
  }
  const steps: UpSteps = { ctx, reach, infra, resolver, tracker: trackServices(ctx) };
  // Services, dependencies first.
  for (const serviceName of order) planServiceWiring(steps, serviceName, planServiceContainers(steps, serviceName));
  const { waitOp, dependencyTimeoutMs } = steps.tracker;
  // --wait: every selected service running (or healthy when it has a healthcheck).
  if (options.wait && !options.noStart) {
    for (const name of order) {
      const service = project.services[name]!;
      const healthy = Boolean(service.healthcheck?.test && !service.healthcheck.disable);
      waitOp(name, healthy ? 'healthy' : 'running', options.waitTimeoutMs ?? dependencyTimeoutMs);
    }
  }

  planHostGateway(ctx, infra, resolver);
  planOrphans(ctx);
  const { useResolver, resolverRef, resolverDaemon, resolverDeps } = resolver;
  // Names across daemons: entries of the kept resolver (running, or started again) whose container is
  // gone, after every removal is planned.
  if (useResolver && resolverRef && 'id' in resolverRef) planHostsCleanup(ctx, resolverDaemon, resolverRef.id, resolverDeps);
  // Static answers (published reach) of services no longer in the project, once their containers are gone.
  if (useResolver) planStaticAnswersCleanup(ctx, { layout: resolver.layout, daemon: resolverDaemon, ref: resolverRef, changed: resolver.resolverChanged, deps: resolverDeps });
  wireDuplicateRemovals(ctx, (c, reason) => removeContainerOps(ctx, c, reason)); // i12b
  orderStops(ctx);
  inspectWhereNeeded(ctx);
  return { reach, resolver: useResolver };
}

/**
 * `host.docker.internal` for Windows askers (host-gateway-entry.ts): the gateway of the Windows
 * daemon's project network, observed when it exists, else read by the executor after its create.
 * Written when the resolver is (re)made or started, the network is new, or the entry is not fresh.
 */
function planHostGateway(ctx: PlanContext, infra: Infrastructure, resolver: ResolverPlan): void {
  const { project, observed } = ctx;
  const { useResolver, layout, resolverRef, resolverDaemon, resolverChanged, resolverDeps } = resolver;
  if (!useResolver || !layout || !resolverRef) return;
  const windowsServices = Object.values(project.services).filter((s) => s.platform.os === 'windows').sort((a, b) => byName(a.name, b.name));
  const key = windowsServices.map((s) => serviceNetworkKeys(s)[0]).find((k) => k !== undefined);
  const daemon = ctx.placement.windows;
  if (!key || daemon === resolverDaemon) return;
  const ensured = infra.ensureNetwork(daemon, key);
  // i12b: only a create reads a gateway (with duplicates, ensureNetwork names their removal); else the kept network's.
  const networkOp = ensured && ctx.operations.some((op) => op.id === ensured && op.kind === 'create-network') ? ensured : undefined;
  const name = networkName(project, key);
  const observedGateway = keptNetwork(observed, daemon, name)?.gateways?.[0];
  // Only the entry's place and name are taken here: the address may be a runtime value.
  const entry = hostGatewayEntry({ platformsInUse: new Set(['windows']), resolverRuns: true, windowsGateway: observedGateway ?? '0.0.0.0', layout });
  if (!entry || (!networkOp && !observedGateway)) return;
  let reason: string | undefined;
  if (!networkOp && !resolverChanged) {
    // An entry in a static answers' dir (published reach) is known when observe read that dir back (`up`).
    const files = 'id' in resolverRef ? hostsFilesOf(observed, resolverRef.id, entry.dir) : undefined;
    const current = files?.get(entry.file);
    if (!files || entryState(current, observedGateway!, [entry.name]) === 'fresh') return;
    reason = registrationReason(current, observedGateway!);
  }
  if (networkOp) {
    const index = ctx.operations.findIndex((op) => op.id === networkOp);
    ctx.operations[index] = { ...(ctx.operations[index] as Extract<Operation, { kind: 'create-network' }>), readGateway: true };
  }
  ctx.add({
    kind: 'register-hosts',
    id: `hosts:${entry.file}`,
    deps: [...new Set([...resolverDeps, ...(ensured ? [ensured] : [])])].sort(byName),
    daemon: resolverDaemon,
    resolver: resolverRef,
    dir: entry.dir,
    file: entry.file,
    names: [entry.name],
    ip: networkOp ? { gatewayOf: networkOp } : { value: observedGateway! },
    service: windowsServices[0]!.name,
    askers: 'windows',
    reason: reason ?? `the ${daemon} daemon's gateway on ${name}`,
    // A network with no IPAM gateway (some drivers): nothing to answer, the rest of `up` goes on.
    ifNoAddress: 'skip',
  });
}

/** Orphans: containers of services no longer in the file (removed with --remove-orphans, else a warning). */
function planOrphans(ctx: PlanContext): void {
  const { project, observed, options } = ctx;
  const known = new Set([...Object.keys(project.services), ...Object.keys(project.disabledServices)]);
  const orphans = observed.containers.filter(
    (c) => !c.oneoff && c.labels['io.mixcompose.role'] !== 'resolver' && !known.has(c.service),
  );
  for (const c of orphans.sort((a, b) => byName(a.name, b.name))) {
    if (options.removeOrphans) removeContainerOps(ctx, c, 'orphan');
    else ctx.warnings.push(`found orphan container ${c.name} (service ${c.service}) on the ${c.platform} daemon; run with --remove-orphans to remove it`);
  }
}

/** Inspect after start only where a later operation needs the container's address. */
function inspectWhereNeeded(ctx: PlanContext): void {
  const needed = new Set<string>();
  for (const op of ctx.operations) {
    if (op.kind === 'create-container') for (const s of op.spec.substitutions) if (s.runtime) needed.add(s.runtime.ipOf);
    if (op.kind === 'register-hosts' && op.ip.runtime) needed.add(op.ip.runtime.ipOf);
  }
  ctx.operations.forEach((op, i) => {
    if (op.kind === 'start-container' && op.inspect !== needed.has(op.id)) ctx.operations[i] = { ...op, inspect: needed.has(op.id) };
  });
}

/** Networks and volumes per daemon, each made once, for what the selected services use. */
interface Infrastructure {
  ensureNetwork(daemon: PlatformOs, key: string): string | undefined;
  ensureVolume(daemon: PlatformOs, key: string): string | undefined;
}

/**
 * Networks and volumes are planned lazily, once per daemon and key: the first service that uses one
 * decides its operation, later ones get the same answer (so each is created at most once).
 */
function planInfrastructure(ctx: PlanContext, reach: Partial<Record<PlatformOs, SourcedReach>>): Infrastructure {
  const networkOps = new Map<string, string>(); // `${daemon}/${key}` → op id
  const volumeOps = new Map<string, string>();
  const ensureNetwork = (daemon: PlatformOs, key: string): string | undefined =>
    oncePerDaemon(networkOps, daemon, key, () => planNetwork(ctx, daemon, key));
  const ensureVolume = (daemon: PlatformOs, key: string): string | undefined =>
    oncePerDaemon(volumeOps, daemon, key, () => planVolume(ctx, daemon, key));
  return { ensureNetwork, ensureVolume };
}

/**
 * Plans an object once per daemon and key and remembers the operation to wait for; '' records
 * "nothing to wait for", so an existing object is not looked at twice.
 */
function oncePerDaemon(ops: Map<string, string>, daemon: PlatformOs, key: string, plan: () => string | undefined): string | undefined {
  const mapKey = `${daemon}/${key}`;
  if (ops.has(mapKey)) return ops.get(mapKey) || undefined;
  const opId = plan();
  ops.set(mapKey, opId ?? '');
  return opId;
}

/**
 * A network the project uses on one daemon: external or already there means nothing to create
 * (only, for an existing one, a wait for the removal of its duplicates); otherwise a create.
 */
function planNetwork(ctx: PlanContext, daemon: PlatformOs, key: string): string | undefined {
  const { project, observed } = ctx;
  const network: Network | undefined = project.networks[key];
  const name = networkName(project, key);
  const exists = observed.networks.some((n) => n.platform === daemon && n.name === name);
  if (network?.external || exists) {
    // i12b: with duplicates of it, creates wait for their removal (a name that repeats is ambiguous).
    return network?.external ? undefined : duplicateRemovalFor(ctx, daemon, name);
  }
  const body = networkBody(ctx, daemon, key, name, network);
  const ifExists = {
    // Made meanwhile by a concurrent run of this project: use it. Someone else's: never adopt it.
    adoptWithLabels: { [LABEL_PROJECT]: project.name },
    refusal: `network ${name} already exists on the ${daemon} daemon and does not belong to project ${project.name}; remove it, or declare it \`external: true\` to use it`,
  };
  return ctx.add({ kind: 'create-network', id: `network:${daemon}:${key}`, deps: [], daemon, name, key, body, ifExists }).id;
}

/** The engine's create body for a network: the declared settings, with the project's labels added. */
function networkBody(ctx: PlanContext, daemon: PlatformOs, key: string, name: string, network: Network | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {
    Name: name,
    Driver: networkDriver(ctx, daemon, network),
    CheckDuplicate: true,
    Labels: {
      ...(network?.labels ?? {}),
      ...projectLabels(ctx.project),
      [LABEL_NETWORK]: key,
      [LABEL_PLATFORM]: daemon,
    },
  };
  if (network?.driver_opts) body.Options = { ...network.driver_opts };
  if (network?.internal) body.Internal = true;
  if (network?.attachable) body.Attachable = true;
  if (network?.enable_ipv6) body.EnableIPv6 = true;
  if (network?.ipam) body.IPAM = networkIpam(network.ipam);
  return body;
}

/** The declared driver; else `nat` where the Windows daemon offers it (it has no `bridge`), else `bridge`. */
function networkDriver(ctx: PlanContext, daemon: PlatformOs, network: Network | undefined): string {
  const facts = ctx.observed.daemons[daemon];
  const servesWindows = ctx.placement.windows === daemon && facts?.osType === 'windows';
  return network?.driver ?? (servesWindows && facts?.networkDrivers.includes('nat') ? 'nat' : 'bridge');
}

/** The compose `ipam` block in the engine's spelling, leaving out the fields not set. */
function networkIpam(ipam: NonNullable<Network['ipam']>): Record<string, unknown> {
  return {
    Driver: ipam.driver ?? 'default',
    Config: (ipam.config ?? []).map((c) => ({
      ...(c.subnet ? { Subnet: c.subnet } : {}),
      ...(c.gateway ? { Gateway: c.gateway } : {}),
      ...(c.ip_range ? { IPRange: c.ip_range } : {}),
    })),
  };
}

/** A named volume on one daemon: created unless undeclared, external, or already there. */
function planVolume(ctx: PlanContext, daemon: PlatformOs, key: string): string | undefined {
  const { project, observed } = ctx;
  const volume = project.volumes[key];
  if (!volume || volume.external || observed.volumes.some((v) => v.platform === daemon && v.name === volume.name)) return undefined;
  const op = ctx.add({
    kind: 'create-volume',
    id: `volume:${daemon}:${key}`,
    deps: [],
    daemon,
    name: volume.name,
    body: {
      Name: volume.name,
      Driver: volume.driver ?? 'local',
      DriverOpts: { ...(volume.driver_opts ?? {}) },
      Labels: { ...(volume.labels ?? {}), ...projectLabels(project), [LABEL_VOLUME]: key, [LABEL_PLATFORM]: daemon },
    },
  });
  return op.id;
}

/** The project resolver as the service steps see it. */
interface ResolverPlan {
  readonly useResolver: boolean;
  readonly layout: ResolverLayout | undefined;
  readonly resolverDaemon: PlatformOs;
  readonly resolverRef: ContainerRef | undefined;
  readonly resolverChanged: boolean;
  readonly resolverDeps: readonly string[];
  resolverDnsFor(platform: PlatformOs): { substitution: Substitution; waitFor: string[] } | undefined;
  readonly registerStaticNames: RegisterStaticNames;
}

/**
 * The project resolver (when services span two daemons): kept, started, or (re)created; its DNS for
 * each platform; and the static answers of every service.
 */
function planResolver(ctx: PlanContext, reach: Partial<Record<PlatformOs, SourcedReach>>, infra: Infrastructure): ResolverPlan {
  const { project } = ctx;
  const allServices = Object.values(project.services);
  const { useResolver, layout } = resolverNeed(ctx, reach, allServices);
  const resolverDaemon = ctx.placement.linux;
  const oldResolvers = ctx.resolverContainers();
  const container: ResolverContainer = useResolver
    ? planResolverContainer(ctx, reach, infra, layout, oldResolvers)
    : { resolverDns: undefined, resolverRef: undefined, resolverChanged: false, resolverDeps: [] };
  if (!useResolver) for (const c of oldResolvers) removeContainerOps(ctx, c, 'resolver no longer needed');
  const { resolverRef, resolverChanged, resolverDeps } = container;
  const resolverDnsFor = resolverDnsPlanner(container, layout);
  // Static answers (published reach): written with the resolver, the service's containers, or again when observed missing or changed.
  const registerStaticNames = staticAnswersPlanner(ctx, { layout, daemon: resolverDaemon, ref: resolverRef, changed: resolverChanged, deps: resolverDeps });
  for (const s of [...allServices].sort((a, b) => byName(a.name, b.name))) registerStaticNames(s);
  return { useResolver, layout, resolverDaemon, resolverRef, resolverChanged, resolverDeps, resolverDnsFor, registerStaticNames };
}

/**
 * Whether the project needs its resolver, and how it answers (its layout). Decided here because
 * every later step depends on it; the alias problems and the warnings about providers a consumer on
 * the other daemon cannot reach are reported once, with the decision.
 */
function resolverNeed(
  ctx: PlanContext,
  reach: Partial<Record<PlatformOs, SourcedReach>>,
  allServices: readonly Service[],
): { useResolver: boolean; layout: ResolverLayout | undefined } {
  const { project, observed, options } = ctx;
  const spansTwo = spansTwoDaemons(
    ctx.placement,
    allServices.map((s) => s.platform.os),
  );
  const useResolver = projectUsesResolver(project, ctx.placement);
  if (useResolver) ctx.problems.push(...aliasProblems(allServices));
  // Under published reach the resolver answers names with the daemons' addresses, and windows
  // containers ask it at the linux daemon's address (resolver.ts, resolverLayout).
  const reachOf = { linux: reach.linux?.reach ?? 'ip', windows: reach.windows?.reach ?? 'ip' } as const;
  const layout = useResolver ? resolverLayout(project, reachOf, options.addressIps ?? observed.addressIps) : undefined;
  if (spansTwo) ctx.warnings.push(...unpublishedProviderWarnings(allServices, (s) => ctx.daemonOf(s), reachOf, (n) => project.services[n]));
  return { useResolver, layout };
}

/** The resolver container as this plan leaves it, and how the service steps reach it. */
interface ResolverContainer {
  /** Its address as a container's first DNS server: known now (kept running) or after its start. */
  readonly resolverDns: Substitution | undefined;
  readonly resolverRef: ContainerRef | undefined;
  /** Started (and maybe created) by this plan: its registrations are written again. */
  readonly resolverChanged: boolean;
  /** The operations that make it answer (its start), which its users wait for. */
  readonly resolverDeps: string[];
}

/**
 * The resolver's create spec. A recorded reach answer is kept on it (plan/reach.ts, recordedReach);
 * a fresh probe's is recorded on the reach record container instead (made after its answer,
 * reach-record.ts), so the resolver is the same under every answer and starts beside the probe
 * (plan/probe-plan.ts).
 */
function resolverSpecFor(ctx: PlanContext, reach: Partial<Record<PlatformOs, SourcedReach>>, image: string, network: string, layout: ResolverLayout | undefined): ContainerSpec {
  const { project, options } = ctx;
  const made = resolverBody(project, image, network, layout);
  const probing = options.probedReach !== undefined || options.probeFailed === true;
  const body = probing ? made : { ...made, Labels: { ...(made.Labels as Record<string, string>), ...reachLabels(reach) } };
  return { body, substitutions: [], connect: [], files: [] };
}

/**
 * The resolver container: an old one with the same config hash (and its network staying) is kept,
 * every other old one removed. A kept one that runs is used as it is; otherwise it is started, after
 * a create when none is kept.
 */
function planResolverContainer(
  ctx: PlanContext,
  reach: Partial<Record<PlatformOs, SourcedReach>>,
  infra: Infrastructure,
  layout: ResolverLayout | undefined,
  oldResolvers: readonly ObservedContainer[],
): ResolverContainer {
  const { project, options } = ctx;
  const key = resolverNetworkKey(project, ctx.placement);
  if (!key) throw new PlanError('the project resolver needs a network on the linux daemon; no linux service joins one');
  const network = networkName(project, key);
  const image = resolverImage(project, options.resolverImage);
  const resolverSpec = resolverSpecFor(ctx, reach, image, network, layout);
  const hash = materializedHash(resolverSpec, () => undefined)!;
  const current = oldResolvers.find((c) => c.labels[LABEL_CONFIG_HASH] === hash && !networkRecreateReason(ctx, c)); // i12b
  const stale = oldResolvers.filter((c) => c !== current);
  const removals = stale.map((c) => removeContainerOps(ctx, c, 'resolver changed'));
  if (current && current.status === 'running') {
    return { resolverRef: { id: current.id }, resolverDns: { text: RESOLVER_IP_TEXT, value: primaryIp(current.ips, network) }, resolverChanged: false, resolverDeps: [] };
  }
  refuseTakenDnsPort(ctx, layout);
  const netOp = infra.ensureNetwork(ctx.placement.linux, key);
  const createId = current ? undefined : planResolverCreate(ctx, { image, resolverSpec, deps: [...(netOp ? [netOp] : [])], removals, replacing: oldResolvers.length > 0 });
  const resolverRef: ContainerRef = current ? { id: current.id } : { createdBy: createId! };
  planResolverStart(ctx, resolverRef, createId);
  return { resolverRef, resolverDns: { text: RESOLVER_IP_TEXT, runtime: { ipOf: RESOLVER_START, network } }, resolverChanged: true, resolverDeps: [RESOLVER_START] };
}

/**
 * Under published reach the resolver publishes the linux address:53, which one container per IP
 * can hold: refuse before anything starts, naming the holder (else the daemon's bare bind error).
 */
function refuseTakenDnsPort(ctx: PlanContext, layout: ResolverLayout | undefined): void {
  const { project, observed } = ctx;
  const clashes = layout?.published && observed.dnsPortHolders ? dnsPortClashes(project.name, layout.published.address, observed.dnsPortHolders) : [];
  if (layout?.published && clashes.length) throw new PlanError(dnsPortTakenMessage(layout.published.address, clashes));
}

/**
 * The create of a new resolver container, after its network, its image (built when missing) and the
 * removal of the old ones. Returns the create's id.
 */
function planResolverCreate(
  ctx: PlanContext,
  create: { image: string; resolverSpec: ContainerSpec; deps: string[]; removals: readonly string[]; replacing: boolean },
): string {
  const resolverDaemon = ctx.placement.linux;
  const createId = `create:${RESOLVER_SERVICE}:1`;
  const imageOp = ensureResolverImage(ctx, resolverDaemon, create.image);
  ctx.add({
    kind: 'create-container',
    id: createId,
    deps: [...create.deps, ...(imageOp ? [imageOp] : []), ...create.removals],
    daemon: resolverDaemon,
    platform: 'linux',
    service: RESOLVER_SERVICE,
    number: 1,
    name: resolverContainerName(ctx.project.name),
    spec: create.resolverSpec,
    reason: create.replacing ? 'config changed' : 'new',
  });
  return createId;
}

/**
 * The resolver's start (after its create, when there is one). It is inspected so its address can be
 * written into the bodies of the containers that ask it; a failure is explained as a bind problem.
 */
function planResolverStart(ctx: PlanContext, resolverRef: ContainerRef, createId: string | undefined): void {
  ctx.add({
    kind: 'start-container',
    id: RESOLVER_START,
    deps: createId ? [createId] : [],
    daemon: ctx.placement.linux,
    platform: 'linux',
    service: RESOLVER_SERVICE,
    number: 1,
    name: resolverContainerName(ctx.project.name),
    container: resolverRef,
    inspect: true,
    explainFailure: 'resolver-bind',
  });
}

/**
 * A container's first DNS server: the resolver's IP, or for windows containers its published
 * address; and what the create waits for (the resolver's start, only where the address is published
 * and so not a runtime value the executor waits for anyway).
 */
function resolverDnsPlanner(container: ResolverContainer, layout: ResolverLayout | undefined): ResolverPlan['resolverDnsFor'] {
  const { resolverDns, resolverDeps } = container;
  return (platform) => {
    if (!resolverDns) return undefined;
    const asked = resolverAskedAt(platform, layout);
    if (asked !== 'container-ip') return { substitution: { text: RESOLVER_IP_TEXT, value: asked.published }, waitFor: resolverDeps };
    return { substitution: resolverDns, waitFor: [] };
  };
}

/** What each service will be once the plan ran, and the waits on it (shared by the service steps). */
interface ServiceTracker {
  readonly planned: Map<string, PlannedContainer[]>;
  plannedOf(name: string): PlannedContainer[];
  providerIp(name: string): ProviderIp;
  readonly dependencyTimeoutMs: number;
  waitOp(provider: string, condition: 'running' | 'healthy' | 'completed', timeoutMs: number, waiter?: string): string[];
}

/**
 * The service tracker: what each service's replicas will be (seeded lazily from what is observed,
 * then replaced by the service steps), their addresses, and the waits on them.
 */
function trackServices(ctx: PlanContext): ServiceTracker {
  const { project, options } = ctx;
  const planned = new Map<string, PlannedContainer[]>();
  const plannedOf = (name: string): PlannedContainer[] => {
    const service = project.services[name]!;
    if (!planned.has(name)) planned.set(name, observedPlanned(ctx, service));
    return planned.get(name)!;
  };
  const providerIp = (name: string): ProviderIp => providerAddress(ctx, name, plannedOf(name)[0]);
  const dependencyTimeoutMs = options.dependencyTimeoutMs ?? DEFAULT_DEPENDENCY_TIMEOUT_MS;
  const waitOp = (
    provider: string,
    condition: 'running' | 'healthy' | 'completed',
    timeoutMs: number,
    waiter?: string,
  ): string[] => {
    const service = project.services[provider]!;
    refuseHealthyWithoutHealthcheck(service, provider, condition, waiter);
    return plannedOf(provider).map((p) => planWait(ctx, provider, service, p, condition, timeoutMs, waiter));
  };

  return { planned, plannedOf, providerIp, dependencyTimeoutMs, waitOp };
}

/** A service the plan has not touched (yet) is its observed containers, as they are; a stopped one has no IPs. */
function observedPlanned(ctx: PlanContext, service: Service): PlannedContainer[] {
  return ctx.containersOf(service.name).map((c) => ({
    service: service.name,
    number: c.number,
    name: c.name,
    daemon: c.platform,
    ref: { id: c.id },
    ips: c.status === 'running' ? c.ips : {},
    changed: false,
  }));
}

/**
 * A provider's address as its consumers get it: known only after start when the plan starts it
 * (a runtime substitution), else its current IP; refused where there is no address to wire in.
 */
function providerAddress(ctx: PlanContext, name: string, first: PlannedContainer | undefined): ProviderIp {
  const { project, options } = ctx;
  const service = project.services[name]!;
  const networkDaemonName = addressNetwork(project, service);
  if (first?.startOp) {
    if (!networkDaemonName) throw new PlanError(`service ${name} uses network_mode ${service.network_mode}, so it has no address of its own to wire in`, name);
    return { runtime: { ipOf: first.startOp, network: networkDaemonName } };
  }
  const ip = first ? primaryIp(first.ips, networkDaemonName) : undefined;
  if (!ip) {
    const why = options.noStart
      ? `up --no-start creates ${name} without starting it, and its address exists only once it runs; run up without --no-start`
      : `start it too (leave out --no-deps)`;
    throw new PlanError(`service ${name} is not running, so its address is unknown: ${why}`, name);
  }
  return { value: ip };
}

/** service_healthy on a provider without an (enabled) healthcheck could never be met: refused at plan time. */
function refuseHealthyWithoutHealthcheck(
  service: Service,
  provider: string,
  condition: 'running' | 'healthy' | 'completed',
  waiter: string | undefined,
): void {
  const hasHealthcheck = Boolean(service.healthcheck?.test && !service.healthcheck.disable);
  if (condition === 'healthy' && !hasHealthcheck) {
    throw new PlanError(
      `service ${waiter} depends on ${provider} with condition service_healthy, but ${provider} has no healthcheck; add one or use service_started`,
      waiter,
    );
  }
}

/** One wait per replica and condition, shared by every waiter (the first waiter's name is the one shown). */
function planWait(
  ctx: PlanContext,
  provider: string,
  service: Service,
  p: PlannedContainer,
  condition: 'running' | 'healthy' | 'completed',
  timeoutMs: number,
  waiter: string | undefined,
): string {
  const id = `wait:${provider}:${p.number}:${condition}`;
  if (!ctx.has(id)) {
    ctx.add({
      kind: 'wait',
      id,
      deps: p.startOp ? [p.startOp] : [],
      daemon: p.daemon,
      platform: service.platform.os,
      service: provider,
      number: p.number,
      name: p.name,
      container: p.ref,
      condition,
      timeoutMs,
      ...(waiter ? { waiter } : {}),
    });
  }
  return id;
}

/** The steps' shared state. */
export interface UpSteps {
  readonly ctx: PlanContext;
  readonly reach: Partial<Record<PlatformOs, SourcedReach>>;
  readonly infra: Infrastructure;
  readonly resolver: ResolverPlan;
  readonly tracker: ServiceTracker;
}

/**
 * One service's containers: what they wait for (networks, volumes, a shared namespace, the resolver),
 * their create bodies, and why each replica is kept, started, created or recreated.
 */
function planServiceContainers(s: UpSteps, serviceName: string): PlannedContainer[] {
  const { ctx } = s;
  const service = ctx.project.services[serviceName]!;
  const daemon = ctx.daemonOf(service);
  const existing = ctx.containersOf(serviceName);
  const scale = ctx.scaleOf(service);
  const waits = infrastructureWaits(s, serviceName, daemon);
  // The pull or build of this service's image (plan/image-ops.ts): its creates wait for it, nothing else does.
  const imageOp = imageOperationFor(ctx, serviceName);
  if (imageOp) waits.push(imageOp);
  const addresses = serviceAddresses(s, service);
  waits.push(...addresses.resolverWaits);
  const replicas: ServiceReplicas = { serviceName, service, daemon, existing, waits, imageOp, ...addresses, ...replicaBodyInputs(s, service, daemon) };
  const results: PlannedContainer[] = [];
  /** Old containers a conditional create may keep. */
  const mayKeep: string[] = [];
  for (let number = 1; number <= scale; number++) results.push(planReplica(ctx, replicas, number, mayKeep));
  removeSurplusReplicas(ctx, existing, scale, results, mayKeep);
  s.tracker.planned.set(serviceName, results);
  return results;
}

/**
 * What every create of a service waits for before its image and addresses: its networks and named
 * volumes on its daemon (operations only when they are missing), and the creates of the containers
 * whose namespace or volumes it shares.
 */
function infrastructureWaits(s: UpSteps, serviceName: string, daemon: PlatformOs): string[] {
  const { project } = s.ctx;
  const service = project.services[serviceName]!;
  const { ensureNetwork, ensureVolume } = s.infra;
  const waits: string[] = [];
  for (const key of serviceNetworkKeys(service)) {
    const id = ensureNetwork(daemon, key);
    if (id) waits.push(id);
  }
  for (const v of service.volumes) {
    if (v.type === 'volume' && v.source && project.volumes[v.source]) {
      const id = ensureVolume(daemon, v.source);
      if (id) waits.push(id);
    }
  }
  waits.push(...sharedContainerCreates(s, serviceName, daemon));
  return waits;
}

/**
 * The creates of the dependencies whose container this service joins (network_mode, ipc or pid
 * `service:x`, volumes_from): a namespace is shared only on one daemon, so another daemon is an error.
 */
function sharedContainerCreates(s: UpSteps, serviceName: string, daemon: PlatformOs): string[] {
  const { ctx } = s;
  const { project } = ctx;
  const service = project.services[serviceName]!;
  const creates: string[] = [];
  for (const dep of serviceDependencies(project, service)) {
    const providerService = project.services[dep]!;
    const sharesContainer =
      [service.network_mode, service.ipc, service.pid].includes(`service:${dep}`) || (service.volumes_from ?? []).some((v) => v.split(':')[0] === dep);
    if (sharesContainer) {
      if (ctx.daemonOf(providerService) !== daemon) {
        throw new PlanError(`service ${serviceName} shares a container with ${dep}, which runs on the other daemon`, serviceName);
      }
      for (const p of s.tracker.plannedOf(dep)) if (p.createOp) creates.push(p.createOp);
    }
  }
  return creates;
}

/**
 * The addresses a service's bodies carry: the resolver as first DNS server (where its platform asks
 * it) and its address references (known now, or only after a provider's start in this plan). The
 * creates wait for those starts (`runtimeDeps`) and, where the resolver answers on a published
 * address, for the resolver (`resolverWaits`).
 */
function serviceAddresses(s: UpSteps, service: Service) {
  const { ctx, reach } = s;
  const addressSubs = resolveAddresses({ project: ctx.project, placement: ctx.placement, reach, providerIp: s.tracker.providerIp }, service);
  const dns = s.resolver.resolverDnsFor(service.platform.os);
  const substitutions = [...(dns ? [dns.substitution] : []), ...addressSubs];
  const runtimeDeps = [...new Set(substitutions.flatMap((sub) => (sub.runtime ? [sub.runtime.ipOf] : [])))];
  return { substitutions, runtimeDeps, resolverWaits: dns ? [...dns.waitFor] : [], resolverDns: dns !== undefined };
}

/** The create-body inputs that are the same for every replica of a service. */
function replicaBodyInputs(s: UpSteps, service: Service, daemon: PlatformOs) {
  const { ctx, reach } = s;
  const { project, observed, options } = ctx;
  const facts = observed.daemons[daemon];
  const dependsOnLabel = Object.entries(service.depends_on ?? {})
    .map(([name, d]) => `${name}:${d.condition}:${d.restart}`)
    .sort(byName)
    .join(',');
  // Without a project resolver (so no reach record container, reach-record.ts), the consumers across
  // the daemons record the probe's answer: their bodies depend on it anyway (plan/reach.ts, recordedReach).
  const record = !s.resolver.useResolver && consumesAcrossDaemons(project, ctx.placement, service) ? reachLabels(reach, options.probeFailed === true) : {};
  return {
    image: serviceImage(project.name, service),
    dependsOnLabel,
    record,
    containerNameOf: (name: string) => containerName(project.name, project.services[name]!, 1),
    bindTarget: bindTargetFor(facts, project.extension.daemons[daemon], options.hostPlatform),
    sourceKinds: options.sourceKinds ?? observed.bindSourceKinds,
    platformQuery: facts ? createPlatformFor(facts) : undefined,
  };
}

/** What the replicas of one service share: where they run, what their creates wait for, their body inputs. */
interface ServiceReplicas extends ReturnType<typeof serviceAddresses>, ReturnType<typeof replicaBodyInputs> {
  readonly serviceName: string;
  readonly service: Service;
  readonly daemon: PlatformOs;
  /** Its observed containers (with duplicates of a number). */
  readonly existing: ObservedContainer[];
  /** Networks, volumes, shared containers, the image and the resolver: every create waits for these. */
  readonly waits: readonly string[];
  /** The pull or build of its image, when this plan has one. */
  readonly imageOp: string | undefined;
}

/**
 * Replica `number`: created (or recreated, see replicaReason), started again, or kept as it runs.
 * A conditional recreate records the old container in `mayKeep`.
 */
function planReplica(ctx: PlanContext, r: ServiceReplicas, number: number, mayKeep: string[]): PlannedContainer {
  const { serviceName, daemon } = r;
  const spec = replicaSpec(ctx, r, number);
  const old = preferredReplica(r.existing, number); // i12b: of duplicates, a running one
  const reason = replicaReason(ctx, r, old, spec);
  if (reason) return planReplicaCreate(ctx, r, { number, spec, old, reason }, mayKeep);
  if (old!.status !== 'running' && !ctx.options.noStart) {
    return { service: serviceName, number, name: old!.name, daemon, ref: { id: old!.id }, startOp: `start:${serviceName}:${number}`, ips: {}, changed: true };
  }
  return { service: serviceName, number, name: old!.name, daemon, ref: { id: old!.id }, ips: old!.status === 'running' ? old!.ips : {}, changed: false };
}

/**
 * Replica `number`'s create body, with the addresses it gets at run time. The body's warnings are
 * the service's, so only the first replica reports them; its errors stop the plan.
 */
function replicaSpec(ctx: PlanContext, r: ServiceReplicas, number: number): ContainerSpec {
  const { project } = ctx;
  const { service, serviceName } = r;
  const built = createBody({
    project,
    service,
    number,
    labels: Object.assign(containerLabels(project, serviceName, number, service.platform.os, r.dependsOnLabel || undefined), r.record),
    image: r.image,
    dnsFirst: r.resolverDns ? [RESOLVER_IP_TEXT] : [],
    containerNameOf: r.containerNameOf,
    defaultStopGracePeriod: project.extension.daemons[service.platform.os]?.stop_grace_period,
    bindTarget: r.bindTarget,
    sourceKind: (path) => r.sourceKinds?.[path],
  });
  if (number === 1) ctx.warnings.push(...built.warnings);
  if (built.errors.length) throw new PlanError(built.errors.join('\n'), serviceName);
  return {
    body: built.body,
    substitutions: r.substitutions,
    connect: built.connect,
    files: built.files,
    ...(built.files.length ? { filesRoot: built.filesRoot } : {}),
    ...(r.platformQuery ? { platformQuery: r.platformQuery } : {}),
  };
}

/**
 * Why a replica is created, or undefined to keep `old`. The first that holds: new, on another daemon,
 * its network gone, --no-recreate (keep), forced, a changed image, a changed config. When the config
 * hash cannot be known now (addresses known only at run time), or an image is pulled or built, the
 * reason is one the executor checks at run time (see planReplicaCreate).
 */
function replicaReason(ctx: PlanContext, r: ServiceReplicas, old: ObservedContainer | undefined, spec: ContainerSpec): string | undefined {
  const { options } = ctx;
  // The config hash it would have, computed only to compare with an old container's (hashing is not free).
  const known = old ? materializedHash(spec, () => undefined) : undefined;
  const networkReason = old ? networkRecreateReason(ctx, old) : undefined; // i12b: its network goes, or went
  if (!old) return 'new';
  if (old.platform !== r.daemon) return 'platform changed';
  if (networkReason) return networkReason;
  if (options.noRecreate) return undefined;
  if (options.forceRecreate) return 'forced';
  if (imageChanged(ctx, old, r.image)) return 'image changed';
  // Addresses known only at run time: certain already if more than the addresses changed.
  if (!known && old.labels[LABEL_TEMPLATE_HASH] !== undefined && old.labels[LABEL_TEMPLATE_HASH] !== templateHash(spec)) return 'config changed';
  if (!known) return RUNTIME_ADDRESSES_REASON;
  if (old.configHash !== known) return 'config changed';
  if (r.imageOp) return IMAGE_CONDITIONAL_REASON;
  return undefined;
}

/** The reason of a recreate decided at run time: when the addresses a body carries came out different. */
const RUNTIME_ADDRESSES_REASON = 'if its addresses changed';

/**
 * The create of a replica (and its start unless --no-start). A recreate decided at run time
 * (addresses, image) keeps the old container until then: the create replaces it only if needed.
 * Otherwise the old container is removed first, after the new image is there (a failed pull or
 * build leaves it running).
 */
function planReplicaCreate(
  ctx: PlanContext,
  r: ServiceReplicas,
  replica: { number: number; spec: ContainerSpec; old: ObservedContainer | undefined; reason: string },
  mayKeep: string[],
): PlannedContainer {
  const { serviceName, service, daemon, imageOp } = r;
  const { number, spec, old, reason } = replica;
  const name = containerName(ctx.project.name, service, number);
  const conditional = old !== undefined && (reason === RUNTIME_ADDRESSES_REASON || reason === IMAGE_CONDITIONAL_REASON);
  const removal = old && !conditional ? [removeContainerOps(ctx, old, reason, imageOp ? [imageOp] : [])] : [];
  if (conditional) mayKeep.push(old.id);
  const createId = `create:${serviceName}:${number}`;
  ctx.add({
    kind: 'create-container',
    id: createId,
    deps: [...new Set([...r.waits, ...r.runtimeDeps, ...removal])].sort(byName),
    daemon,
    platform: service.platform.os,
    service: serviceName,
    number,
    name,
    spec,
    reason,
    ...(conditional ? { replaces: { ...replacedContainer(ctx, old!, service), ...imageComparison(imageOp, old!) } } : {}),
  });
  const startId = ctx.options.noStart ? undefined : `start:${serviceName}:${number}`;
  return { service: serviceName, number, name, daemon, ref: { createdBy: createId }, createOp: createId, ...(startId ? { startOp: startId } : {}), ips: {}, changed: true };
}

/** Replicas beyond the scale, and duplicates of a number, go; not the old containers a conditional create may keep. */
function removeSurplusReplicas(ctx: PlanContext, existing: readonly ObservedContainer[], scale: number, results: readonly PlannedContainer[], mayKeep: readonly string[]): void {
  const kept = new Set([...results.flatMap((r) => ('id' in r.ref ? [r.ref.id] : [])), ...mayKeep]);
  for (const c of existing) {
    if (kept.has(c.id) || ctx.removed.has(c.id)) continue;
    removeContainerOps(ctx, c, c.number > scale ? 'scaled down' : 'duplicate');
  }
}


/**
 * The resolver image must be on its daemon before its container is created (it is not pulled): when
 * observe found it missing, an operation builds it, or, when this run cannot build, a problem says how.
 */
function ensureResolverImage(ctx: PlanContext, daemon: PlatformOs, image: string): string | undefined {
  const known = ctx.observed.helperImages?.find((h) => h.platform === daemon && (h.reference === image || h.reference === `${image}:latest`));
  if (!known || known.present) return undefined;
  const label = ctx.observed.daemons[daemon]?.label ?? daemon;
  const buildable = ctx.options.buildHelperImages === true && image === RESOLVER_DEFAULT_IMAGE;
  const unavailable = buildable
    ? `the project resolver image ${image} could not be built on the ${daemon} daemon (${label})`
    : `the project resolver image ${image} is not on the ${daemon} daemon (${label}); it makes service names resolve across the two daemons. ` +
      `Put it there (docker -H <${daemon} daemon> pull or build), or unset MIXCOMPOSE_RESOLVER_IMAGE / x-mixcompose.resolver.image and mixcompose builds its own`;
  if (!buildable) {
    ctx.problems.push(new PlanError(unavailable));
    return undefined;
  }
  return ctx.add({ kind: 'ensure-helper-image', id: resolverImageOpId(daemon), deps: [], daemon, image, purpose: 'resolver', unavailable }).id;
}

/** Id of the operation that builds the resolver image on `daemon` (when the plan has one). */
const resolverImageOpId = (daemon: PlatformOs): string => `helper-image:${daemon}:resolver`;

function isRunning(c: ObservedContainer): boolean {
  return c.status === 'running' || c.status === 'restarting' || c.status === 'paused';
}

function replacedContainer(ctx: PlanContext, c: ObservedContainer, service: Service): ReplacedContainer {
  return {
    id: c.id,
    ...(c.configHash ? { configHash: c.configHash } : {}),
    running: isRunning(c),
    // A replaced container that does not stop cannot be removed: the create fails.
    ...ctx.boundedStop(service, service.platform.os, 'fail'),
  };
}

/**
 * A consumer stops before its provider: each stop of an existing container waits for the stops of
 * the containers of the services depending on it (compose stops dependants first).
 */
function orderStops(ctx: PlanContext): void {
  const users = dependents(ctx.project);
  const stops = ctx.operations.filter((op) => op.kind === 'stop-container');
  ctx.operations.forEach((op, i) => {
    if (op.kind !== 'stop-container') return;
    const before = stops
      .filter((o) => (users.get(op.service) ?? []).includes(o.service))
      .map((o) => o.id)
      .filter((id) => !op.deps.includes(id));
    if (before.length) ctx.operations[i] = { ...op, deps: [...op.deps, ...before].sort(byName) };
  });
}

function imageChanged(ctx: PlanContext, old: ObservedContainer, image: string): boolean {
  const local = ctx.observed.images.find((i) => i.platform === old.platform && i.reference === image);
  return Boolean(local && old.imageId && local.id !== old.imageId);
}

function removeId(c: ObservedContainer): string {
  return `remove:${c.service}:${c.number}${c.oneoff ? `:${c.id.slice(0, 12)}` : ''}`;
}

/** Stop (if running) then remove an existing container; returns the remove operation's id. */
export function removeContainerOps(ctx: PlanContext, c: ObservedContainer, reason: string, stopDeps: readonly string[] = []): string {
  let id = removeId(c);
  if (ctx.has(id)) id = `${id}:${c.id.slice(0, 12)}`;
  ctx.removed.add(c.id);
  const service = ctx.project.services[c.service];
  const base = observedContainerFields(c);
  const deps: string[] = [];
  if (c.status === 'running' || c.status === 'restarting' || c.status === 'paused') {
    const stopId = id.replace(/^remove:/, 'stop:');
    // Stuck: a warning; the forced removal after it deals with the container.
    ctx.add({ kind: 'stop-container', id: stopId, deps: [...stopDeps], ...base, ...ctx.boundedStop(service, base.platform, 'warn') });
    deps.push(stopId);
  } else {
    deps.push(...stopDeps);
  }
  ctx.add({ kind: 'remove-container', id, deps, ...base, volumes: false, reason, inProgressWaitMs: REMOVAL_IN_PROGRESS_WAIT_MS });
  return id;
}
