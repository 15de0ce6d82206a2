/**
 * `mixcompose doctor`'s judgement (pure): facts gathered from both daemons and from two probe
 * containers → one row per check with a status, what was found, and the fix for each failure.
 * This is the check the field did by hand with ping, nslookup and `docker inspect`.
 */
import type { PlatformOs, Reach } from '../model/project.js';
import { apiAtLeast, checkDaemonOs } from './daemon-check.js';
import type { DaemonFacts, PortHolder } from './observed-state.js';
import { dnsPortClashes, dnsPortFixes } from './resolver.js';

export type DoctorStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's table. `skip` = not checked (the detail says why). */
export interface DoctorRow {
  readonly check: string;
  readonly status: DoctorStatus;
  readonly detail: string;
  /** What to do about it; present for every warn and fail. */
  readonly fix?: string;
}

export interface DoctorDaemon {
  readonly platform: PlatformOs;
  /** "linux (unix:///run/docker.sock)". */
  readonly label: string;
  /** Absent when the daemon could not be reached. */
  readonly facts?: DaemonFacts;
  /** Why it could not be reached. */
  readonly error?: string;
  /** Free bytes on the daemon's data disk (from a `df` in a probe container), when measured. */
  readonly freeDiskBytes?: number;
  /** Where the free-disk figure came from, for the detail ("df / in the probe"). */
  readonly diskSource?: string;
}

/** Direction of a cross-daemon probe: "linux->windows" = a container on the linux daemon reaches one on the windows daemon. */
export type Direction = 'linux->windows' | 'windows->linux';
export const DIRECTIONS: readonly Direction[] = ['linux->windows', 'windows->linux'];

export interface ProbeResult {
  readonly status: 'ok' | 'failed' | 'not-checked';
  /** What was tried and what came back: "nc -z 10.202.3.2 7777: connected". */
  readonly detail: string;
  /** A fix that the probe itself knows (it overrides the row's usual one). */
  readonly fix?: string;
}

export interface DoctorNetwork {
  /** Container IP reachability (nc to a listening probe, ping as fallback). */
  readonly ip: Partial<Record<Direction, ProbeResult>>;
  /** The other daemon's published port, at its address. */
  readonly published: Partial<Record<Direction, ProbeResult>>;
  /** The other probe's name, with only Docker's own DNS (expected to fail across daemons). */
  readonly namesWithoutWiring: Partial<Record<Direction, ProbeResult>>;
  /** The other probe's name through mixcompose's project resolver. */
  readonly namesWithWiring: Partial<Record<Direction, ProbeResult>>;
  /** The probes could not be run at all (image missing, create failed, ...). */
  readonly probeError?: string;
  /** Subnets of the probe networks, for the routing fix. */
  readonly subnets?: Partial<Record<PlatformOs, string>>;
  /** Both platforms name one daemon: nothing crosses daemons. */
  readonly sameDaemon?: boolean;
  /** The probes' project label (`mixcompose-doctor-<hex>`), to find anything they left. */
  readonly run?: string;
  /** The IPAM gateway of the windows probe's network: what the resolver answers for host.docker.internal there. */
  readonly windowsGateway?: string;
}

/** A `{{ s.host|port|ip }}` reference whose provider runs on the other daemon. */
export interface CrossReference {
  readonly consumer: string;
  readonly provider: string;
  readonly providerPlatform: PlatformOs;
  readonly kind: 'host' | 'port' | 'ip';
  readonly port?: number;
  readonly text: string;
  /** Container ports the provider publishes (tcp). */
  readonly providerPublishes: readonly number[];
}

export interface DoctorFacts {
  readonly daemons: readonly DoctorDaemon[];
  readonly allowOsMismatch: boolean;
  /** x-mixcompose.daemons.<p>.reach: how the other daemon's containers reach this one's. */
  readonly reach: Readonly<Partial<Record<PlatformOs, Reach>>>;
  /** Omitted when there is no compose file to check. */
  readonly references?: readonly CrossReference[];
  readonly network?: DoctorNetwork;
  /**
   * Port 53 on the linux daemon's `address` (the file's project, resolver on): what publishes it.
   * Under published reach the project resolver must bind it; one container per IP can.
   */
  readonly dnsPort?: { readonly address: string; readonly project: string; readonly holders?: readonly PortHolder[]; readonly error?: string };
}

const GiB = 1024 ** 3;
const WARN_FREE_BYTES = 5 * GiB;
const FAIL_FREE_BYTES = 1 * GiB;

function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

function hostOption(platform: PlatformOs): string {
  return `--${platform}-host / MIXCOMPOSE_${platform.toUpperCase()}_HOST / x-mixcompose.daemons.${platform}.host`;
}

function daemonRows(d: DoctorDaemon, allowOsMismatch: boolean): DoctorRow[] {
  const name = `${d.platform} daemon`;
  if (!d.facts) {
    return [
      {
        check: `${name}: reachable`,
        status: 'fail',
        detail: `${d.label}: ${d.error ?? 'no answer'}`,
        fix: `start the ${d.platform} daemon, or point mixcompose at it with ${hostOption(d.platform)}`,
      },
    ];
  }
  const f = d.facts;
  const rows: DoctorRow[] = [{ check: `${name}: reachable`, status: 'ok', detail: `${d.label}, engine ${f.serverVersion ?? 'unknown'}` }];

  const api = f.apiVersion ?? 'unknown';
  if (!apiAtLeast(f.apiVersion, '1.32')) {
    rows.push({ check: `${name}: API version`, status: 'fail', detail: `API ${api}`, fix: 'upgrade the Docker engine: mixcompose needs API 1.32 or later (1.41+ recommended)' });
  } else if (!apiAtLeast(f.apiVersion, '1.41')) {
    rows.push({
      check: `${name}: API version`,
      status: f.lcow ? 'fail' : 'warn',
      detail: `API ${api}: container create cannot ask for platform=linux before 1.41`,
      fix: 'upgrade the Docker engine to API 1.41 (engine 20.10) or later',
    });
  } else {
    rows.push({ check: `${name}: API version`, status: 'ok', detail: `API ${api}` });
  }

  const os = checkDaemonOs(f, allowOsMismatch);
  const osDetail = `OSType ${f.osType}${f.operatingSystem ? ` (${f.operatingSystem})` : ''}${f.osVersion ? `, build ${f.osVersion}` : ''}`;
  if (os.status === 'ok') rows.push({ check: `${name}: OS`, status: 'ok', detail: osDetail });
  else if (os.status === 'warning') rows.push({ check: `${name}: OS`, status: 'warn', detail: `${osDetail}: ${os.message}`, fix: `point mixcompose at a ${d.platform} daemon with ${hostOption(d.platform)} for real use` });
  else rows.push({ check: `${name}: OS`, status: 'fail', detail: osDetail, fix: os.message });

  if (d.platform === 'linux') {
    rows.push(
      f.lcow
        ? {
            check: `${name}: LCOW`,
            status: 'warn',
            detail: `LCOW (storage driver ${f.storageDriver ?? '?'}): removed in engine 23.0; stop waits up to 300 s; databases fail on its volumes (error 95)`,
            fix: "use a Linux VM daemon (Docker Desktop's Linux engine, WSL2) for Linux services",
          }
        : { check: `${name}: LCOW`, status: 'ok', detail: 'no: a Linux engine' },
    );
  }
  if (d.platform === 'windows') {
    rows.push(
      f.osType === 'windows'
        ? {
            check: `${name}: isolation`,
            status: 'ok',
            detail: `${f.isolation ?? 'default'}${f.isolation === 'hyperv' ? ' (Hyper-V: image build may be older than the host)' : ' (process: image build must match the host build)'}`,
          }
        : { check: `${name}: isolation`, status: 'skip', detail: `not a Windows daemon (OSType ${f.osType})` },
    );
  }

  const driver = f.storageDriver ?? 'unknown';
  rows.push(
    driver === 'vfs'
      ? { check: `${name}: storage driver`, status: 'warn', detail: 'vfs: every layer is a full copy (slow, large)', fix: 'configure overlay2 (Linux) or windowsfilter (Windows) as the storage driver' }
      : { check: `${name}: storage driver`, status: 'ok', detail: driver },
  );

  if (d.freeDiskBytes === undefined) {
    rows.push({ check: `${name}: free disk`, status: 'skip', detail: 'not measured (the probe container did not run)' });
  } else {
    const status: DoctorStatus = d.freeDiskBytes < FAIL_FREE_BYTES ? 'fail' : d.freeDiskBytes < WARN_FREE_BYTES ? 'warn' : 'ok';
    rows.push({
      check: `${name}: free disk`,
      status,
      detail: `${gib(d.freeDiskBytes)} free${d.diskSource ? ` (${d.diskSource})` : ''}`,
      ...(status !== 'ok' ? { fix: `free space on the ${d.platform} daemon's disk: docker system prune, or move its data-root` } : {}),
    });
  }
  return rows;
}

function arrow(direction: Direction): string {
  return direction.replace('->', ' → ');
}

function from(direction: Direction): PlatformOs {
  return direction.split('->')[0] as PlatformOs;
}

function to(direction: Direction): PlatformOs {
  return direction.split('->')[1] as PlatformOs;
}

function routingFix(network: DoctorNetwork, direction: Direction): string {
  const src = network.subnets?.[from(direction)] ?? `<${from(direction)} pool>`;
  const dst = network.subnets?.[to(direction)] ?? `<${to(direction)} pool>`;
  return (
    `route the two daemons' container networks to each other: on one host, ` +
    `iptables -I DOCKER-USER -s ${src} -d ${dst} -j ACCEPT (and the reverse); ` +
    `across hosts, a route to each pool via the other host. If they cannot route (Docker Desktop's two engines, remote hosts), ` +
    `set x-mixcompose.daemons.${to(direction)}.reach: published and publish the ports other services use`
  );
}

function probeRows(
  network: DoctorNetwork,
  key: 'ip' | 'published' | 'namesWithoutWiring' | 'namesWithWiring',
  title: string,
  failure: (direction: Direction) => { status: DoctorStatus; fix: string },
): DoctorRow[] {
  return DIRECTIONS.map((direction) => {
    const probe = network[key][direction];
    const check = `${title} ${arrow(direction)}`;
    if (!probe || probe.status === 'not-checked') return { check, status: 'skip' as const, detail: probe?.detail ?? 'not checked' };
    if (probe.status === 'ok') return { check, status: 'ok' as const, detail: probe.detail };
    const { status, fix } = failure(direction);
    return { check, status, detail: probe.detail, fix: probe.fix ?? fix };
  });
}

function networkRows(network: DoctorNetwork | undefined, daemonsUp: boolean): DoctorRow[] {
  if (!network) return daemonsUp ? [] : [{ check: 'network between the daemons', status: 'skip', detail: 'not checked: a daemon is unreachable' }];
  if (network.sameDaemon) return [{ check: 'network between the daemons', status: 'ok', detail: 'both platforms use one daemon: nothing crosses daemons' }];
  if (network.probeError) {
    return [
      {
        check: 'network probes',
        status: 'fail',
        detail: network.probeError,
        fix: /^probe image/.test(network.probeError)
          ? 'let the daemon pull the probe image (a Linux daemon builds the resolver image: see x-mixcompose.resolver.base), or name another per daemon with x-mixcompose.daemons.<platform>.probe_image or --probe-image <platform>=<image> (Linux: sh, httpd, nc, ping, nslookup, df; Windows: cmd, ping, nslookup, curl.exe)'
          : "the daemon refused to run the probes: see the error above and the daemon's log",
      },
    ];
  }
  return [
    ...probeRows(network, 'ip', 'IP reachability', (d) => ({ status: 'fail', fix: routingFix(network, d) })),
    ...probeRows(network, 'published', 'published port', (d) => ({
      status: 'fail',
      fix:
        `let containers on the ${from(d)} daemon reach the ${to(d)} daemon's published ports: set x-mixcompose.daemons.${to(d)}.address ` +
        `to a host address they can reach, and open the port in the firewall`,
    })),
    // Informational either way: across daemons Docker's DNS knows only its own side; that is what the resolver is for.
    ...DIRECTIONS.map((direction): DoctorRow => {
      const probe = network.namesWithoutWiring[direction];
      const check = `names without wiring ${arrow(direction)}`;
      if (!probe || probe.status === 'not-checked') return { check, status: 'skip', detail: probe?.detail ?? 'not checked' };
      const note = probe.status === 'ok' ? 'resolves without help' : "does not resolve (expected: Docker's DNS knows only its own daemon)";
      return { check, status: 'ok', detail: `${probe.detail}: ${note}` };
    }),
    ...probeRows(network, 'namesWithWiring', 'names with mixcompose', (d) => ({
      status: 'fail',
      fix:
        `containers on the ${from(d)} daemon must reach the project resolver on the linux daemon (UDP/TCP 53): ` +
        'fix IP routing first; check that the resolver image (x-mixcompose.resolver.image, default mixcompose/resolver:<mixcompose version>, built there when missing) runs on the linux daemon',
    })),
  ];
}

function effectiveReach(reach: Reach | undefined, ipOk: boolean | undefined): 'ip' | 'published' {
  if (reach === 'ip' || reach === 'published') return reach;
  return ipOk === false ? 'published' : 'ip';
}

function referenceRows(facts: DoctorFacts): DoctorRow[] {
  if (!facts.references) return [];
  if (facts.references.length === 0) return [{ check: 'address references', status: 'skip', detail: 'no {{ s.host|port|ip }} reference crosses daemons' }];
  const rows: DoctorRow[] = [];
  let honoured = 0;
  for (const ref of facts.references) {
    const consumerPlatform: PlatformOs = ref.providerPlatform === 'linux' ? 'windows' : 'linux';
    const direction: Direction = ref.providerPlatform === 'linux' ? 'windows->linux' : 'linux->windows';
    const ipProbe = facts.network?.ip[direction]?.status;
    const reach = effectiveReach(facts.reach[ref.providerPlatform], ipProbe === undefined || ipProbe === 'not-checked' ? undefined : ipProbe === 'ok');
    const check = `reference ${ref.consumer} → ${ref.text}`;
    if (reach === 'published') {
      if (ref.kind === 'ip') {
        rows.push({
          check,
          status: 'fail',
          detail: `${ref.provider}'s container IP is not reachable from the ${consumerPlatform} daemon (reach published)`,
          fix: `use {{ ${ref.provider}.host }} with {{ ${ref.provider}.port:N }} instead of {{ ${ref.provider}.ip }}`,
        });
        continue;
      }
      if (ref.kind === 'port' && ref.port !== undefined && !ref.providerPublishes.includes(ref.port)) {
        rows.push({
          check,
          status: 'fail',
          detail: `reach is published but ${ref.provider} does not publish port ${ref.port}`,
          fix: `add ports: ["${ref.port}"] to service ${ref.provider}`,
        });
        continue;
      }
    } else if (ipProbe === 'failed') {
      rows.push({
        check,
        status: 'fail',
        detail: `reach ip is set for the ${ref.providerPlatform} daemon, but the IP probe ${arrow(direction)} failed`,
        fix: routingFix(facts.network!, direction),
      });
      continue;
    }
    honoured++;
  }
  if (honoured > 0) {
    rows.unshift({ check: 'address references', status: 'ok', detail: `${honoured} of ${facts.references.length} cross-daemon reference(s) can be honoured` });
  }
  return rows;
}

/** Port 53 on the linux address, when some reach is published (configured, or `auto` whose IP probe failed). */
function dnsPortRows(facts: DoctorFacts): DoctorRow[] {
  const port = facts.dnsPort;
  if (!port) return [];
  const published = (['linux', 'windows'] as const).some((p) => {
    const direction: Direction = p === 'linux' ? 'windows->linux' : 'linux->windows';
    const ipProbe = facts.network?.ip[direction]?.status;
    return effectiveReach(facts.reach[p], ipProbe === undefined || ipProbe === 'not-checked' ? undefined : ipProbe === 'ok') === 'published';
  });
  if (!published) return [];
  const check = `resolver port 53 on ${port.address}`;
  if (!port.holders) return [{ check, status: 'skip', detail: `not checked: ${port.error ?? 'the linux daemon did not list its containers'}` }];
  const clashes = dnsPortClashes(port.project, port.address, port.holders);
  if (clashes.length) {
    const names = [...new Set(clashes.map((h) => `${h.name}${h.project ? ` (project ${h.project})` : ''}`))].sort();
    return [{ check, status: 'fail', detail: `published by ${names.join(', ')}: this project's resolver cannot start under published reach`, fix: dnsPortFixes(clashes) }];
  }
  const own = port.holders.find((h) => h.project === port.project && h.role === 'resolver');
  return [
    {
      check,
      status: 'ok',
      detail: own ? `held by this project's resolver (${own.name})` : 'free: no container publishes it (a DNS server on that host would still clash; up names it)',
    },
  ];
}

/**
 * host.docker.internal inside Windows containers (plan/host-gateway-entry.ts): Windows ignores
 * extra_hosts, so the project resolver answers it with the windows daemon's gateway on its network.
 */
function hostGatewayRows(network: DoctorNetwork | undefined): DoctorRow[] {
  if (!network?.windowsGateway || network.sameDaemon || network.probeError) return [];
  return [
    {
      check: 'host.docker.internal (windows containers)',
      status: 'ok',
      detail: `the project resolver answers ${network.windowsGateway}, the windows daemon's gateway on its network (where its containers reach this host)`,
    },
  ];
}

/** Every row of the doctor's table, in a fixed order: daemons, references, network. */
export function doctorRows(facts: DoctorFacts): DoctorRow[] {
  const daemons = [...facts.daemons].sort((a, b) => a.platform.localeCompare(b.platform));
  return [
    ...daemons.flatMap((d) => daemonRows(d, facts.allowOsMismatch)),
    ...referenceRows(facts),
    ...networkRows(facts.network, daemons.every((d) => d.facts)),
    ...hostGatewayRows(facts.network),
    ...dnsPortRows(facts),
  ];
}

/** The overall verdict: fail if any row fails, else warn if any warns. */
export function doctorVerdict(rows: readonly DoctorRow[]): 'ok' | 'warn' | 'fail' {
  if (rows.some((r) => r.status === 'fail')) return 'fail';
  if (rows.some((r) => r.status === 'warn')) return 'warn';
  return 'ok';
}

/** Windows Server base images: the LTSC tag for each Windows build (Microsoft's container version compatibility table). */
export const NANOSERVER_TAGS: readonly { readonly build: number; readonly tag: string }[] = [
  { build: 17763, tag: 'ltsc2019' },
  { build: 20348, tag: 'ltsc2022' },
  { build: 26100, tag: 'ltsc2025' },
];
export const NANOSERVER_REPOSITORY = 'mcr.microsoft.com/windows/nanoserver';

/** A probe container's image, and its isolation on a Windows daemon when it must be Hyper-V. */
export interface ProbeImageChoice {
  readonly image: string;
  readonly isolation?: 'hyperv';
  /** Where the choice came from, for the detail. */
  readonly why: string;
}

/** "10.0.20348.2227" (/info OSVersion) → 20348. */
function windowsBuild(osVersion: string | undefined): number | undefined {
  const build = Number(/^\d+\.\d+\.(\d+)/.exec(osVersion ?? '')?.[1]);
  return Number.isFinite(build) && build > 0 ? build : undefined;
}

/**
 * nanoserver for a Windows daemon's build: the tag of that build runs with process isolation
 * (an image must match the host's build for it: "The container operating system does not match the
 * host operating system"); a host of another build gets the newest older tag under Hyper-V
 * isolation, which runs older images (Microsoft docs, "Windows container version compatibility").
 */
export function windowsProbeImage(osVersion: string | undefined): ProbeImageChoice {
  const build = windowsBuild(osVersion);
  const exact = NANOSERVER_TAGS.find((t) => t.build === build);
  if (exact) return { image: `${NANOSERVER_REPOSITORY}:${exact.tag}`, why: `the host's build ${build}` };
  const older = [...NANOSERVER_TAGS].reverse().find((t) => build !== undefined && t.build < build) ?? NANOSERVER_TAGS[NANOSERVER_TAGS.length - 1]!;
  return {
    image: `${NANOSERVER_REPOSITORY}:${older.tag}`,
    isolation: 'hyperv',
    why: build === undefined ? 'the host reported no build; Hyper-V isolation' : `no nanoserver tag for build ${build}; Hyper-V isolation`,
  };
}

/**
 * The probe image on one daemon: the user's (x-mixcompose.daemons.<p>.probe_image, --probe-image),
 * else nanoserver for the build of a Windows daemon, else the resolver image (built when missing).
 * Never a test image.
 */
export function probeImageFor(facts: DaemonFacts, override: string | undefined, resolverImage: string): ProbeImageChoice {
  if (override) return { image: override, why: 'configured' };
  if (facts.osType === 'windows' && !(facts.platform === 'linux' && facts.lcow)) return windowsProbeImage(facts.osVersion);
  return { image: resolverImage, why: 'the resolver image' };
}
