/**
 * `mixcompose doctor`: gathers the facts the pure verdict (plan/doctor-verdict.ts) judges.
 *
 * 1. Each daemon: /version and /info (bounded in time), reduced to DaemonFacts.
 * 2. The real network path, with throw-away probes (labelled `com.docker.compose.project=
 *    mixcompose-doctor-<run>`, `io.mixcompose.role=doctor-probe`, removed afterwards even on failure):
 *    a network and a probe container per daemon (busybox `httpd` on port 7777, published on an
 *    ephemeral host port), plus mixcompose's project resolver on the linux daemon. From each probe:
 *    - IP reachability: an HTTP GET (nc) to the other probe's container IP, which must answer with the
 *      probe's text (ping as a second opinion in the detail);
 *    - published-port reachability: the same GET to the other daemon's address (its `address` setting, else the
 *      asking probe's gateway, which is this host when both daemons are local) at the published port;
 *    - names without wiring: nslookup the other probe's name with the container's own DNS;
 *    - names with mixcompose's wiring: the resolver holds a hosts file for each probe (as the
 *      executor writes them) and both probes ask it for the other's name.
 *    - free disk: `df -k /` in the probe (the daemon's data disk backs the container's root).
 */
import { shellQuote } from '../plan/fault-report.js';
import { randomBytes } from 'node:crypto';
import type { PlatformOs, Project, Reach } from '../model/project.js';
import type { EventSink } from '../model/events.js';
import { createPlatformFor, daemonFacts } from '../plan/daemon-check.js';
import {
  DIRECTIONS,
  doctorRows,
  doctorVerdict,
  type CrossReference,
  type Direction,
  type DoctorDaemon,
  type DoctorFacts,
  type DoctorNetwork,
  type DoctorRow,
  type ProbeImageChoice,
  type ProbeResult,
  probeImageFor,
} from '../plan/doctor-verdict.js';
import { ensureResolverImage, resolverBase } from './helper-images.js';
import { LABEL_PROJECT, LABEL_ROLE } from '../plan/labels.js';
import { RESOLVER_DEFAULT_IMAGE, RESOLVER_HOSTS_DIR, dnsPortClashes, hostsFileContent, isIpAddress, resolverBindProblem, resolverBody } from '../plan/resolver.js';
import { hostPortHolders } from './observe.js';
import type { DaemonFacts } from '../plan/observed-state.js';
import type { DaemonClient, EngineBody } from './daemon-client.js';
import { writeResolverFiles } from './resolver-hosts-write.js';
import { bounded, ensureImage, execBounded, firstEndpoint, innermost, removeLabelled } from './probe-support.js';

const PROBE_PORT = 7777;
const PROBE_TEXT = 'mixcompose-probe';

export interface DoctorOptions {
  /** One client per platform; the same object for both when they name one daemon. */
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  /** Label per platform for messages, used when a client is missing. */
  readonly labels: Readonly<Partial<Record<PlatformOs, string>>>;
  /** Why a platform has no client (its endpoint could not be resolved). */
  readonly endpointErrors?: Readonly<Partial<Record<PlatformOs, string>>>;
  /** Both platforms name one endpoint. */
  readonly sameDaemon?: boolean;
  readonly allowOsMismatch: boolean;
  /** One probe image for both daemons (--probe-image <image>). */
  readonly probeImage?: string;
  /**
   * Per daemon (x-mixcompose.daemons.<p>.probe_image, --probe-image <p>=<image>). Default: the
   * resolver image on a Linux daemon (built when missing), nanoserver of the host's build on a
   * Windows one (plan/doctor-verdict.ts probeImageFor).
   */
  readonly probeImages?: Readonly<Partial<Record<PlatformOs, string>>>;
  readonly resolverImage?: string;
  /** The resolver image's base when mixcompose builds it (engine/helper-images.ts resolverBase). */
  readonly resolverBase?: { readonly base: string; readonly setting: string };
  /** DOCKER_CONFIG, for registry credentials of the resolver's base. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the other daemon's containers reach this daemon's published ports (x-mixcompose.daemons.<p>.address). */
  readonly addresses?: Readonly<Partial<Record<PlatformOs, string>>>;
  readonly reach?: Readonly<Partial<Record<PlatformOs, Reach>>>;
  /** The compose file's services, to check that its address references can be honoured. */
  readonly project?: Project;
  /** Seconds each network probe may take (default 2). */
  readonly probeTimeoutSeconds?: number;
  /** Seconds a daemon call may take before it counts as unreachable (default 15). */
  readonly callTimeoutSeconds?: number;
  readonly onEvent?: EventSink;
  /** The clock (milliseconds; default Date.now): the age of stale probes, the resolver's readiness wait. */
  readonly now?: () => number;
}

export interface DoctorReport {
  readonly verdict: 'ok' | 'warn' | 'fail';
  readonly rows: readonly DoctorRow[];
  readonly facts: DoctorFacts;
}

async function inspectDaemon(
  platform: PlatformOs,
  client: DaemonClient | undefined,
  label: string,
  seconds: number,
  sharedWith?: PlatformOs,
  endpointError?: string,
): Promise<DoctorDaemon> {
  if (!client) return { platform, label, error: endpointError ?? 'no endpoint configured' };
  try {
    const [version, info] = await bounded(Promise.all([client.version(), client.info()]), seconds, 'version/info');
    return { platform, label, facts: daemonFacts({ platform, label, info, version, ...(sharedWith ? { sharedWith } : {}) }) };
  } catch (error) {
    return { platform, label, error: innermost(error) };
  }
}

interface Probe {
  readonly platform: PlatformOs;
  /** The probe image's OS: decides the commands (sh + busybox applets, or cmd + Windows tools). */
  readonly os: 'linux' | 'windows';
  readonly client: DaemonClient;
  readonly name: string;
  readonly id: string;
  readonly ip: string;
  readonly gateway?: string;
  readonly subnet?: string;
  readonly publishedPort?: number;
}

function publishedPortOf(inspected: EngineBody): number | undefined {
  const ports = (inspected as { NetworkSettings?: { Ports?: Record<string, { HostPort?: string }[] | null> } }).NetworkSettings?.Ports;
  const binding = ports?.[`${PROBE_PORT}/tcp`]?.find((b) => b.HostPort);
  return binding?.HostPort ? Number(binding.HostPort) : undefined;
}

/** Runs a shell line in a probe (sh on Linux, cmd on Windows), bounded; never throws. */
async function shell(probe: Probe, script: string, seconds: number): Promise<{ exitCode: number; output: string }> {
  const cmd = probe.os === 'windows' ? ['cmd', '/S', '/C', script] : ['sh', '-c', script];
  return execBounded(probe.client, probe.id, cmd, seconds + 5);
}

/** Commands of a probe, by the OS of its image (nanoserver has cmd, ping, nslookup and curl.exe, no HTTP server). */
const PROBE_COMMANDS = {
  linux: {
    keepAlive: ['sh', '-c', `mkdir -p /tmp/www && echo ${PROBE_TEXT} > /tmp/www/index.html && exec httpd -f -p ${PROBE_PORT} -h /tmp/www`],
    get: (host: string, port: number, seconds: number) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w ${seconds} ${shellQuote(host)} ${port} 2>&1`,
    ping: (host: string, seconds: number) => `ping -c 1 -W ${seconds} ${shellQuote(host)} >/dev/null 2>&1 && echo reachable || echo unreachable`,
    nslookup: (name: string, server: string | undefined, seconds: number) => `timeout ${seconds} nslookup ${shellQuote(name)}${server ? ` ${shellQuote(server)}` : ''} 2>&1`,
    disk: 'df -k / | tail -n 1',
  },
  windows: {
    keepAlive: ['cmd', '/S', '/C', 'ping -n 3600 -w 1000 127.0.0.1 >NUL'],
    get: (host: string, port: number, seconds: number) => `curl.exe -s -m ${seconds} http://${host}:${port}/ 2>&1`,
    ping: (host: string, seconds: number) => `ping -n 1 -w ${seconds * 1000} ${host} | find "TTL=" >NUL && echo reachable || echo unreachable`,
    nslookup: (name: string, server: string | undefined) => `nslookup ${name}${server ? ` ${server}` : ''} 2>&1`,
    disk: 'dir /-C C:\\',
  },
} as const;

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? '';
}

async function httpProbe(from: Probe, host: string, port: number, seconds: number): Promise<ProbeResult> {
  // nc, not wget: busybox-static's wget crashes in static glibc. The answer must carry the probe's
  // text: a transparent proxy on the path may accept any connection and answer for an unreachable address.
  const r = await shell(from, PROBE_COMMANDS[from.os].get(host, port, seconds), seconds);
  const what = `HTTP GET ${host}:${port} from the ${from.platform} probe`;
  if (r.output.includes(PROBE_TEXT)) return { status: 'ok', detail: `${what}: the other probe answered` };
  const ping = await shell(from, PROBE_COMMANDS[from.os].ping(host, seconds), seconds);
  const got = r.output ? `got "${r.output.split('\n')[0]!.trim()}" instead of the probe` : `no answer within ${seconds}s`;
  return { status: 'failed', detail: `${what}: ${got} (ping: ${lastLine(ping.output) || 'failed'})` };
}

async function pingProbe(from: Probe, host: string, seconds: number): Promise<ProbeResult> {
  const r = await shell(from, PROBE_COMMANDS[from.os].ping(host, seconds), seconds);
  const what = `ping ${host} from the ${from.platform} probe`;
  return lastLine(r.output) === 'reachable' ? { status: 'ok', detail: `${what}: answered` } : { status: 'failed', detail: `${what}: ${lastLine(r.output) || 'no answer'}` };
}

/** The resolver image on a Linux daemon, built there when missing (engine/helper-images.ts). */
function provisionResolver(client: DaemonClient, facts: DaemonFacts, options: DoctorOptions): Promise<unknown> {
  const base = options.resolverBase ?? resolverBase(options.project, options.env ?? {});
  return ensureResolverImage(client, {
    image: RESOLVER_DEFAULT_IMAGE,
    base: base.base,
    baseSetting: base.setting,
    facts,
    env: options.env ?? {},
    ...(options.onEvent ? { onProgress: options.onEvent } : {}),
  });
}

async function nameProbe(from: Probe, name: string, server: string | undefined, seconds: number): Promise<ProbeResult & { nxdomain?: boolean }> {
  const r = await shell(from, PROBE_COMMANDS[from.os].nslookup(name, server, seconds), seconds);
  const via = server ? `via the resolver ${server}` : 'with the container\'s own DNS';
  // busybox: "Name:\tx\nAddress: 10.202.7.2" after the server lines; take the address after "Name:".
  const afterName = r.output.split(/Name:/)[1] ?? '';
  const address = /(\d+\.\d+\.\d+\.\d+)/.exec(afterName)?.[1];
  if (r.exitCode === 0 && address) return { status: 'ok', detail: `nslookup ${name} ${via}: ${address}` };
  const nxdomain = /NXDOMAIN|can't find|can't resolve/i.test(r.output);
  // `timeout` ends nslookup with SIGTERM (exit 143) when no server answers.
  const reason = nxdomain ? 'NXDOMAIN' : r.exitCode === 143 || r.exitCode === 124 ? `no answer within ${seconds}s` : lastLine(r.output) || `exit ${r.exitCode}`;
  return { status: 'failed', detail: `nslookup ${name} ${via}: ${reason}`, ...(nxdomain ? { nxdomain } : {}) };
}

async function freeDiskBytes(probe: Probe): Promise<number | undefined> {
  const r = await shell(probe, PROBE_COMMANDS[probe.os].disk, 5);
  if (probe.os === 'windows') {
    // dir's last line: "  2 Dir(s)  123456789 bytes free".
    const free = /(\d+) bytes free/i.exec(r.output)?.[1];
    return free ? Number(free) : undefined;
  }
  const fields = r.output.split(/\s+/);
  // Filesystem 1K-blocks Used Available Use% Mounted
  const available = fields.length >= 6 ? Number(fields[fields.length - 3]) : Number.NaN;
  return r.exitCode === 0 && Number.isFinite(available) ? available * 1024 : undefined;
}

/** Address references of the file whose provider runs on the other platform. */
export function crossReferences(project: Project): CrossReference[] {
  const out: CrossReference[] = [];
  for (const name of Object.keys(project.services).sort()) {
    const consumer = project.services[name]!;
    for (const ref of consumer.addressReferences) {
      const provider = project.services[ref.service];
      if (!provider || provider.platform.os === consumer.platform.os) continue;
      out.push({
        consumer: name,
        provider: ref.service,
        providerPlatform: provider.platform.os,
        kind: ref.kind,
        ...(ref.port !== undefined ? { port: ref.port } : {}),
        text: ref.text,
        // Every `ports:` entry publishes (an absent host port is an ephemeral one); `expose` does not.
        providerPublishes: provider.ports.filter((p) => (p.protocol ?? 'tcp') === 'tcp').map((p) => p.target),
      });
    }
  }
  return out;
}

const NOT_CHECKED = (detail: string): Partial<Record<Direction, ProbeResult>> =>
  Object.fromEntries(DIRECTIONS.map((d) => [d, { status: 'not-checked', detail }]));

function removeRun(clients: readonly DaemonClient[], project: string): Promise<void> {
  return removeLabelled(clients, { label: [`${LABEL_PROJECT}=${project}`] });
}

/** Probes older than this were left by a doctor that could not clean up (its daemon went away). */
const STALE_PROBE_SECONDS = 600;

/** Removes probe containers and networks of earlier doctor runs that are older than STALE_PROBE_SECONDS. */
async function removeStaleProbes(clients: readonly DaemonClient[], nowSeconds: number): Promise<void> {
  const filters = { label: [`${LABEL_ROLE}=doctor-probe`] };
  const stale = new Set<string>();
  await Promise.allSettled(
    clients.map(async (client) => {
      for (const c of await client.listContainers(filters, true)) {
        if ((c.Created ?? nowSeconds) < nowSeconds - STALE_PROBE_SECONDS && c.Labels[LABEL_PROJECT]) stale.add(c.Labels[LABEL_PROJECT]);
      }
      for (const n of await client.listNetworks(filters)) {
        const created = Date.parse(String(n.Created ?? '')) / 1000;
        const labels = (n.Labels ?? {}) as Record<string, string>;
        if (created < nowSeconds - STALE_PROBE_SECONDS && labels[LABEL_PROJECT]) stale.add(labels[LABEL_PROJECT]);
      }
    }),
  );
  for (const run of stale) await removeRun(clients, run);
}

/** The probe containers of one doctor run, one per daemon. */
type Probes = Record<PlatformOs, Probe>;
type NetworkResults = Pick<DoctorNetwork, 'ip' | 'published' | 'namesWithoutWiring' | 'namesWithWiring'>;

const PLATFORMS: readonly PlatformOs[] = ['linux', 'windows'];
const otherOf = (p: PlatformOs): PlatformOs => (p === 'linux' ? 'windows' : 'linux');
const directionOf = (p: PlatformOs): Direction => `${p}->${otherOf(p)}` as Direction;

/** Each daemon's probe image (pulled or built) and the OS its commands are written for. */
async function probeImages(facts: Record<PlatformOs, DaemonFacts>, clients: Record<PlatformOs, DaemonClient>, options: DoctorOptions) {
  const resolverImage = options.resolverImage ?? RESOLVER_DEFAULT_IMAGE;
  const choices = Object.fromEntries(PLATFORMS.map((p) => [p, probeImageFor(facts[p], options.probeImages?.[p] ?? options.probeImage, resolverImage)])) as Record<PlatformOs, ProbeImageChoice>;
  const probeOs = {} as Record<PlatformOs, 'linux' | 'windows'>;
  await Promise.all(
    PLATFORMS.map(async (p) => {
      const { image } = choices[p];
      if (image === RESOLVER_DEFAULT_IMAGE && !createPlatformFor(facts[p])) await provisionResolver(clients[p], facts[p], options);
      else await ensureImage(clients[p], image, createPlatformFor(facts[p]));
      // The image's OS decides the commands: a stand-in daemon may run Linux images under any name.
      const os = (await clients[p].inspectImage(image))?.Os;
      probeOs[p] = os === 'windows' || (os === undefined && facts[p].osType === 'windows') ? 'windows' : 'linux';
    }),
  );
  return { choices, probeOs };
}

/** Starts one probe container on its run network and reads back its addresses. */
async function startDoctorProbe(
  p: PlatformOs,
  run: string,
  network: string,
  labels: Record<string, string>,
  image: { choice: ProbeImageChoice; os: 'linux' | 'windows'; facts: DaemonFacts; client: DaemonClient },
): Promise<Probe> {
  const { client, choice, os, facts } = image;
  const name = `${run}-${p}`;
  const body = {
    Image: choice.image,
    Cmd: [...PROBE_COMMANDS[os].keepAlive],
    Labels: labels,
    ExposedPorts: { [`${PROBE_PORT}/tcp`]: {} },
    HostConfig: {
      NetworkMode: network,
      PortBindings: { [`${PROBE_PORT}/tcp`]: [{ HostPort: '' }] },
      ...(choice.isolation ? { Isolation: choice.isolation } : {}),
    },
  };
  const { id } = await client.createContainer(name, body, createPlatformFor(facts));
  await client.startContainer(id);
  const inspected = await client.inspectContainer(id);
  const endpoint = firstEndpoint(inspected);
  const subnet = ((await client.inspectNetwork(network)) as { IPAM?: { Config?: { Subnet?: string }[] } }).IPAM?.Config?.[0]?.Subnet;
  const publishedPort = publishedPortOf(inspected);
  return {
    platform: p,
    os,
    client,
    name,
    id,
    ip: endpoint.IPAddress ?? '',
    ...(endpoint.Gateway ? { gateway: endpoint.Gateway } : {}),
    ...(subnet ? { subnet } : {}),
    ...(publishedPort !== undefined ? { publishedPort } : {}),
  };
}

/** The run's networks and probe containers; a failure says at which stage. */
async function startDoctorProbes(run: string, labels: Record<string, string>, facts: Record<PlatformOs, DaemonFacts>, clients: Record<PlatformOs, DaemonClient>, options: DoctorOptions): Promise<Probes | { error: string }> {
  let stage = 'probe image';
  try {
    const { choices, probeOs } = await probeImages(facts, clients, options);
    stage = 'probe network';
    // One after the other: two daemons on one host edit the same iptables chains, and parallel
    // network creation races there ("unable to remove jump to DOCKER-ISOLATION-STAGE-1").
    for (const p of PLATFORMS) {
      const driver = facts[p].osType === 'windows' && facts[p].networkDrivers.includes('nat') ? 'nat' : undefined;
      await clients[p].createNetwork({ Name: `${run}_${p}`, Labels: labels, CheckDuplicate: true, ...(driver ? { Driver: driver } : {}) });
    }
    stage = 'probe container';
    const started = await Promise.all(
      PLATFORMS.map((p) => startDoctorProbe(p, run, `${run}_${p}`, labels, { choice: choices[p], os: probeOs[p], facts: facts[p], client: clients[p] })),
    );
    return { linux: started[0]!, windows: started[1]! };
  } catch (error) {
    return { error: `${stage}: ${innermost(error)}` };
  }
}

/** From each probe to the other: by IP, at the published port, and by name with the container's own DNS. */
async function probeReachAndPlainNames(probes: Probes, options: DoctorOptions, seconds: number): Promise<NetworkResults> {
  const ip: Partial<Record<Direction, ProbeResult>> = {};
  const published: Partial<Record<Direction, ProbeResult>> = {};
  const plainNames: Partial<Record<Direction, ProbeResult>> = {};
  await Promise.all(
    PLATFORMS.map(async (p) => {
      const from = probes[p];
      const target = probes[otherOf(p)];
      const address = options.addresses?.[otherOf(p)] ?? from.gateway;
      if (target.os === 'windows') {
        // nanoserver serves no HTTP: reach by IP is a ping; a published port cannot be checked.
        ip[directionOf(p)] = await pingProbe(from, target.ip, seconds);
        published[directionOf(p)] = { status: 'not-checked', detail: `not checked: the ${otherOf(p)} probe (a Windows image) serves no port` };
      } else {
        ip[directionOf(p)] = await httpProbe(from, target.ip, PROBE_PORT, seconds);
        published[directionOf(p)] =
          address && target.publishedPort
            ? await httpProbe(from, address, target.publishedPort, seconds)
            : { status: 'not-checked', detail: `not checked: no address for the ${otherOf(p)} daemon's published ports` };
      }
      const plain = await nameProbe(from, target.name, undefined, seconds);
      plainNames[directionOf(p)] = { status: plain.status, detail: plain.detail };
    }),
  );
  return { ip, published, namesWithoutWiring: plainNames, namesWithWiring: {} };
}

/**
 * Names with mixcompose's wiring: the project resolver on the linux daemon, as `up` runs it, holding
 * both probes' names; each probe asks it for the other's.
 */
async function probeNamesWithWiring(
  run: string,
  probes: Probes,
  network: NetworkResults,
  env: { facts: Record<PlatformOs, DaemonFacts>; clients: Record<PlatformOs, DaemonClient>; options: DoctorOptions; seconds: number; freeDnsAddress: string | undefined },
): Promise<NetworkResults['namesWithWiring']> {
  const { facts, clients, options, seconds, freeDnsAddress } = env;
  const resolverImage = options.resolverImage ?? RESOLVER_DEFAULT_IMAGE;
  try {
    if (resolverImage === RESOLVER_DEFAULT_IMAGE) await provisionResolver(clients.linux, facts.linux, options);
    else if (!(await clients.linux.inspectImage(resolverImage))) throw new Error(`image ${resolverImage} is not on the linux daemon`);
    const pseudoProject = { name: run, workingDir: '', configFiles: [], extension: {} } as unknown as Project;
    // As `up` runs it: under published reach (configured, or auto with the IP probe failing) windows
    // containers ask the resolver at the linux address, port 53, so the probe asks there too.
    const ipFailed = (d: Direction) => network.ip[d]?.status === 'failed';
    const published = (p: PlatformOs) => options.reach?.[p] === 'published' || ((options.reach?.[p] ?? 'auto') === 'auto' && ipFailed(p === 'linux' ? 'windows->linux' : 'linux->windows'));
    const publishedAt = freeDnsAddress && (published('linux') || published('windows')) ? freeDnsAddress : undefined;
    const layout = publishedAt ? { mainDirs: [RESOLVER_HOSTS_DIR], published: { address: publishedAt, dirs: [RESOLVER_HOSTS_DIR] }, static: [] } : undefined;
    const body = resolverBody(pseudoProject, resolverImage, `${run}_linux`, layout);
    const resolverBodyWithRole = { ...body, Labels: { ...(body.Labels as Record<string, string>), [LABEL_ROLE]: 'doctor-probe' } };
    const { id } = await clients.linux.createContainer(`${run}-resolver`, resolverBodyWithRole);
    await clients.linux.startContainer(id);
    const resolverIp = firstEndpoint(await clients.linux.inspectContainer(id)).IPAddress;
    if (!resolverIp) throw new Error('the resolver has no address');
    // Through the resolver's stdin, as up writes it (so a daemon path where an attach does not work
    // fails here). Both probes are registered, as up registers every service: the instance published
    // for windows askers answers registered names only (it forwards nothing, so it is no open resolver).
    const files = [probes.windows, probes.linux].map((p) => ({ dir: RESOLVER_HOSTS_DIR, file: `${p.name}.hosts`, content: hostsFileContent(p.ip, [p.name]) }));
    await writeResolverFiles(clients.linux, id, files);
    await resolverReady(clients.linux, id, probes.windows.name, Math.max(10, 3 * seconds), options.now ?? Date.now);
    const results: NetworkResults['namesWithWiring'] = {};
    await Promise.all(
      PLATFORMS.map(async (p) => {
        const target = probes[otherOf(p)];
        // dnsmasq reads a new hostsdir file on its inotify event, which may come just after the
        // first question: ask again on NXDOMAIN only (a timeout is a routing problem, not a race).
        const server = p === 'windows' && publishedAt ? publishedAt : resolverIp;
        let result = await nameProbe(probes[p], target.name, server, seconds);
        for (let i = 0; i < 5 && result.nxdomain; i++) result = await nameProbe(probes[p], target.name, server, seconds);
        results[directionOf(p)] = { status: result.status, detail: result.detail };
      }),
    );
    return results;
  } catch (error) {
    const bind = resolverBindProblem(error);
    return bind
      ? { 'windows->linux': { status: 'failed', detail: bind.problem, fix: bind.fix }, 'linux->windows': { status: 'not-checked', detail: 'not checked: the project resolver did not start' } }
      : NOT_CHECKED(`not checked: the project resolver did not run (${innermost(error)})`);
  }
}

async function probeNetwork(
  facts: Record<PlatformOs, DaemonFacts>,
  clients: Record<PlatformOs, DaemonClient>,
  options: DoctorOptions,
  /** The linux `address` whose port 53 is free (no container publishes it): under published reach the resolver is asked there. */
  freeDnsAddress?: string,
): Promise<{ network: DoctorNetwork; disk: Partial<Record<PlatformOs, number>> }> {
  const run = `mixcompose-doctor-${randomBytes(4).toString('hex')}`;
  const labels = { [LABEL_PROJECT]: run, [LABEL_ROLE]: 'doctor-probe' };
  const seconds = options.probeTimeoutSeconds ?? 2;
  await removeStaleProbes([clients.linux, clients.windows], Math.floor((options.now ?? Date.now)() / 1000));
  try {
    const probes = await startDoctorProbes(run, labels, facts, clients, options);
    if ('error' in probes) return { network: { ip: {}, published: {}, namesWithoutWiring: {}, namesWithWiring: {}, probeError: probes.error, run }, disk: {} };
    const reached = await probeReachAndPlainNames(probes, options, seconds);
    const namesWithWiring = await probeNamesWithWiring(run, probes, reached, { facts, clients, options, seconds, freeDnsAddress });
    const free = await Promise.all(PLATFORMS.map((p) => freeDiskBytes(probes[p])));
    const disk: Partial<Record<PlatformOs, number>> = {};
    PLATFORMS.forEach((p, i) => {
      if (free[i] !== undefined) disk[p] = free[i];
    });
    return {
      network: {
        ...reached,
        namesWithWiring,
        subnets: Object.fromEntries(PLATFORMS.filter((p) => probes[p].subnet).map((p) => [p, probes[p].subnet!])),
        run,
        ...(probes.windows.gateway ? { windowsGateway: probes.windows.gateway } : {}),
      },
      disk,
    };
  } finally {
    await removeRun([clients.linux, clients.windows], run);
  }
}

/**
 * Waits (bounded) until the resolver answers the windows probe's name from inside its own container:
 * dnsmasq binds and reads its hostsdir a moment after the container starts, and on a busy host that
 * moment can outlast a probe's timeout. A resolver that never answers is left to the probes to report.
 */
async function resolverReady(client: DaemonClient, id: string, name: string, seconds: number, now: () => number): Promise<void> {
  const deadline = now() + seconds * 1000;
  while (now() < deadline) {
    const r = await execBounded(client, id, ['sh', '-c', `timeout 1 nslookup ${name} 127.0.0.1 2>&1`], 3);
    if (r.exitCode === 0 && /Name:/.test(r.output)) return;
  }
}

/**
 * Who publishes port 53 on the file's linux `address` (an IP; the project resolver on): under published
 * reach the resolver must bind it there. The verdict decides whether the reach makes it matter.
 */
async function dnsPortFacts(options: DoctorOptions, seconds: number): Promise<DoctorFacts['dnsPort']> {
  const project = options.project;
  const address = project?.extension.daemons.linux?.address;
  const linux = options.clients.linux;
  if (!project || !address || !isIpAddress(address) || !linux || options.sameDaemon || project.extension.resolver?.enabled === false) return undefined;
  try {
    return { address, project: project.name, holders: await bounded(hostPortHolders(linux, 53), seconds, 'list containers') };
  } catch (error) {
    return { address, project: project.name, error: innermost(error) };
  }
}

/** Gathers every fact, then judges them. Never throws for a daemon problem: that is a row. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const callSeconds = options.callTimeoutSeconds ?? 15;
  const platforms: PlatformOs[] = ['linux', 'windows'];
  const daemons = await Promise.all(
    platforms.map((p) =>
      inspectDaemon(
        p,
        options.clients[p],
        options.labels[p] ?? options.clients[p]?.label ?? p,
        callSeconds,
        options.sameDaemon ? (p === 'linux' ? 'windows' : 'linux') : undefined,
        options.endpointErrors?.[p],
      ),
    ),
  );
  let network: DoctorNetwork | undefined;
  let disk: Partial<Record<PlatformOs, number>> = {};
  const up = daemons.every((d) => d.facts);
  if (up && options.sameDaemon) {
    network = { ip: {}, published: {}, namesWithoutWiring: {}, namesWithWiring: {}, sameDaemon: true };
  }
  const dnsPort = up ? await dnsPortFacts(options, callSeconds) : undefined;
  if (up && !options.sameDaemon) {
    const facts = Object.fromEntries(daemons.map((d) => [d.platform, d.facts!])) as Record<PlatformOs, DaemonFacts>;
    // Port 53 of the linux address taken (by this project's resolver too): the doctor's resolver cannot publish there.
    const free = dnsPort?.holders && dnsPortClashes('', dnsPort.address, dnsPort.holders).length === 0;
    ({ network, disk } = await probeNetwork(facts, options.clients as Record<PlatformOs, DaemonClient>, options, free ? dnsPort.address : undefined));
  }
  const withDisk = daemons.map((d): DoctorDaemon => {
    const free = disk[d.platform];
    return free !== undefined ? { ...d, freeDiskBytes: free, diskSource: 'df / in the probe container' } : d;
  });
  const facts: DoctorFacts = {
    daemons: withDisk,
    allowOsMismatch: options.allowOsMismatch,
    reach: options.reach ?? {},
    ...(options.project ? { references: crossReferences(options.project) } : {}),
    ...(network ? { network } : {}),
    ...(dnsPort ? { dnsPort } : {}),
  };
  const rows = doctorRows(facts);
  return { verdict: doctorVerdict(rows), rows, facts };
}
