/**
 * The project DNS resolver (names across daemons, see the team brief and README): a dnsmasq
 * container on the Linux daemon that answers the other daemon's service names from hosts files
 * in its hostsdir (written through its stdin as containers start: resolver-hosts-protocol.ts) and forwards everything else to
 * its own Docker embedded DNS (127.0.0.11), which knows the Linux side's names.
 *
 * Under `published` reach the daemons cannot route each other's container IPs, so a name must
 * answer with the address where its daemon publishes ports (the daemon's `address`), and Windows
 * containers cannot reach the resolver's container IP: they ask it at the Linux daemon's address,
 * where a second dnsmasq is published on port 53. Linux and Windows askers then need different
 * answers (a Windows service is the Windows daemon's address to a Linux asker but its container IP
 * to a Windows asker), so the two dnsmasq read different hostsdirs: see resolverLayout.
 */
import type { EngineBody } from '../model/engine-api.js';
import { PlanError } from '../errors.js';
import type { PlatformOs, Project, Service } from '../model/project.js';
import type { PortHolder } from './observed-state.js';
import { formatResumeCommand } from './fault-report.js';
import { LABEL_NUMBER, LABEL_ONEOFF, LABEL_PLATFORM, LABEL_ROLE, LABEL_SERVICE, projectLabels } from './labels.js';
import { DAEMON_REDIRECTS, HOSTS_READER_START, hostsReaderFunction } from './resolver-hosts-protocol.js';

/** mixcompose/resolver:<package.json version> (a unit test holds them equal); built when missing (engine/helper-images.ts). */
export const RESOLVER_DEFAULT_IMAGE = 'mixcompose/resolver:0.1.0';
export const RESOLVER_SERVICE = 'mixcompose-resolver';
/** Directory in the resolver container that dnsmasq watches for hosts files. */
export const RESOLVER_HOSTS_DIR = '/etc/mixcompose-hosts';
/**
 * Static answers under published reach, per platform of the askers: the services of the other
 * platform, each answered with its daemon's address (siblings of RESOLVER_HOSTS_DIR, so the
 * per-container entries there and their cleanup never meet them).
 */
export const RESOLVER_STATIC_DIRS: Readonly<Record<PlatformOs, string>> = {
  linux: '/etc/mixcompose-hosts-for-linux',
  windows: '/etc/mixcompose-hosts-for-windows',
};
/** The hostsdir of a platform's static answers: the one the other platform's askers read. */
export const STATIC_DIR_OF: Readonly<Record<PlatformOs, string>> = { windows: RESOLVER_STATIC_DIRS.linux, linux: RESOLVER_STATIC_DIRS.windows };
/** Every hostsdir a resolver may have: where its hosts files may be written (resolver-hosts-protocol.ts). */
export const RESOLVER_DIRS: readonly string[] = [RESOLVER_HOSTS_DIR, RESOLVER_STATIC_DIRS.linux, RESOLVER_STATIC_DIRS.windows];
/** Container port of the dnsmasq that Windows askers reach at the linux daemon's address:53. */
export const RESOLVER_PUBLISHED_PORT = 5353;
/** Label of the resolver: the addresses its static answers hold (a change recreates it, so they are written again). */
export const LABEL_RESOLVER_ANSWERS = 'io.mixcompose.resolver.answers';
/**
 * The hostsdirs of a resolver's static answers, from its LABEL_RESOLVER_ANSWERS (`windows=<ip>,linux=<ip>`,
 * as resolverBody writes it): what observe reads back for `up` to repair. None under ip reach (no label).
 */
export function staticAnswerDirs(labels: Readonly<Record<string, string>>): string[] {
  const platforms = (labels[LABEL_RESOLVER_ANSWERS] ?? '').split(',').map((pair) => pair.split('=')[0]);
  return platforms.flatMap((p) => (p === 'linux' || p === 'windows' ? [STATIC_DIR_OF[p]] : [])).sort();
}
/** Placeholder for the resolver's address in other containers' DNS lists. */
export const RESOLVER_IP_TEXT = '{{ mixcompose.resolver.ip }}';

export function resolverContainerName(project: string): string {
  return `${project}-${RESOLVER_SERVICE}`;
}

/** Image: MIXCOMPOSE_RESOLVER_IMAGE (passed in) > x-mixcompose.resolver.image > default. */
export function resolverImage(project: Project, override?: string): string {
  return override ?? project.extension.resolver?.image ?? RESOLVER_DEFAULT_IMAGE;
}

type ReachValue = 'ip' | 'published';

/** Static answers: names of `platform`'s services → `address`, in `dir` (asked by the other platform's containers). */
export interface StaticAnswers {
  readonly platform: PlatformOs;
  readonly address: string;
  readonly dir: string;
  /** The platform whose containers ask: the other one. */
  readonly askers: PlatformOs;
}

/**
 * Who asks the resolver where, and what it answers. Both daemons reached by `ip`: one dnsmasq on
 * the container IP, answering the other daemon's names from RESOLVER_HOSTS_DIR (container IPs).
 * Otherwise:
 * - linux askers (through Docker's embedded DNS, at the container IP, port 53) get windows names
 *   from RESOLVER_HOSTS_DIR under ip reach of windows, else the windows daemon's address;
 * - windows askers, at the linux daemon's address:53 (published to RESOLVER_PUBLISHED_PORT), get
 *   windows names from RESOLVER_HOSTS_DIR (same daemon: container IPs) and linux names as the
 *   linux daemon's address under published reach of linux, else from Docker's DNS (container IPs).
 */
export interface ResolverLayout {
  /** hostsdirs of the dnsmasq on port 53 of the container IP. */
  readonly mainDirs: readonly string[];
  /** The dnsmasq for windows askers, published on `address`:53. */
  readonly published?: { readonly address: string; readonly dirs: readonly string[] };
  readonly static: readonly StaticAnswers[];
}

/** An IPv4 or IPv6 literal (a DNS server list and a port binding's HostIp take nothing else). */
export function isIpAddress(value: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (v4) return v4.slice(1).every((n) => Number(n) <= 255);
  return value.includes(':') && /^[0-9a-f:.]+$/i.test(value);
}

const OPT_OUT = 'or leave names across daemons out with x-mixcompose.resolver.enabled: false';

/** The IP each daemon's host-name `address` stands for, looked up before planning (engine/daemon-addresses.ts). */
export type AddressIps = Readonly<Partial<Record<PlatformOs, string>>>;

/** A daemon's `address` as the resolver needs it: an IP, or the IP its host name resolved to. PlanError naming the setting otherwise. */
function addressFor(project: Project, platform: PlatformOs, why: string, ips: AddressIps): string {
  const key = `x-mixcompose.daemons.${platform}.address`;
  const address = project.extension.daemons[platform]?.address;
  if (!address) {
    throw new PlanError(`names across daemons: ${why}, but ${key} is not set: set it to the IP at which the other daemon's containers reach ${platform} published ports, ${OPT_OUT}`);
  }
  if (isIpAddress(address)) return address;
  const looked = ips[platform];
  if (looked) return looked;
  throw new PlanError(
    `names across daemons: ${why}; for that ${key} must be an IP address (DNS answers and DNS servers are addresses), and the host name "${address}" did not resolve on this machine: set it to the IP "${address}" stands for, ${OPT_OUT}`,
  );
}

/** The resolver's layout for the reach of each platform's containers (PlanError when an address it needs is missing). */
export function resolverLayout(project: Project, reach: Readonly<Record<PlatformOs, ReachValue>>, ips: AddressIps = {}): ResolverLayout {
  if (reach.linux === 'ip' && reach.windows === 'ip') return { mainDirs: [RESOLVER_HOSTS_DIR], static: [] };
  const statics: StaticAnswers[] = [];
  if (reach.windows === 'published') {
    const address = addressFor(project, 'windows', 'reach of windows containers is published, so linux containers resolve windows service names to the windows daemon\'s address', ips);
    statics.push({ platform: 'windows', address, dir: STATIC_DIR_OF.windows, askers: 'linux' });
  }
  const linuxAddress = addressFor(
    project,
    'linux',
    reach.linux === 'published'
      ? 'reach of linux containers is published, so windows containers ask the resolver at the linux daemon\'s address and resolve linux service names to it'
      : 'reach of windows containers is published, so windows containers need answers of their own from the resolver, at the linux daemon\'s address',
    ips,
  );
  if (reach.linux === 'published') statics.push({ platform: 'linux', address: linuxAddress, dir: STATIC_DIR_OF.linux, askers: 'windows' });
  return {
    mainDirs: [reach.windows === 'published' ? RESOLVER_STATIC_DIRS.linux : RESOLVER_HOSTS_DIR],
    published: { address: linuxAddress, dirs: [RESOLVER_HOSTS_DIR, ...(reach.linux === 'published' ? [RESOLVER_STATIC_DIRS.windows] : [])] },
    static: statics,
  };
}

const DNSMASQ_BASE = '/usr/sbin/dnsmasq --keep-in-foreground --log-facility=- --user=root --group=root --no-resolv --no-hosts';
/** On the project's network only: names not in the hostsdirs go on to Docker's embedded DNS. */
const DNSMASQ = `${DNSMASQ_BASE} --server=127.0.0.11`;
/**
 * The instance published on a host address (published reach) answers the project's names only and
 * forwards nothing (no upstream: other names are REFUSED, so a client moves on to its next server):
 * never an open recursive resolver on the host (issue 12). --filter-AAAA: the AAAA question a client
 * asks beside A is answered empty for a project name (its entries are IPv4), not REFUSED as a
 * question it would have to forward (dnsmasq 2.87+; the resolver image's base has 2.90).
 */
const DNSMASQ_ANSWERS_ONLY = `${DNSMASQ_BASE} --filter-AAAA`;
const hostsDirs = (dirs: readonly string[]): string => dirs.map((d) => `--hostsdir=${d}`).join(' ');

export function resolverBody(project: Project, image: string, network: string, layout?: ResolverLayout): EngineBody {
  const mainDirs = layout?.mainDirs ?? [RESOLVER_HOSTS_DIR];
  const published = layout?.published;
  const dirs = [...new Set([...mainDirs, ...(published?.dirs ?? [])])];
  // --no-resolv + --server: everything not in the hostsdirs goes to Docker's embedded DNS.
  // The hosts reader loop (resolver-hosts-protocol.ts) runs beside dnsmasq, which stays PID 1 (stop
  // and signals as before); the loop may write every hostsdir this resolver reads.
  const script = [
    `mkdir -p ${dirs.join(' ')} || exit 1`,
    hostsReaderFunction(dirs),
    HOSTS_READER_START,
    ...(published
      ? [
          `${DNSMASQ} --pid-file=/tmp/dnsmasq-53.pid ${hostsDirs(mainDirs)} ${DAEMON_REDIRECTS} &`,
          `exec ${DNSMASQ_ANSWERS_ONLY} --port=${RESOLVER_PUBLISHED_PORT} --pid-file=/tmp/dnsmasq-${RESOLVER_PUBLISHED_PORT}.pid ${hostsDirs(published.dirs)} ${DAEMON_REDIRECTS}`,
        ]
      : [`exec ${DNSMASQ} ${hostsDirs(mainDirs)} ${DAEMON_REDIRECTS}`]),
  ].join('\n');
  const answers = (layout?.static ?? []).map((s) => `${s.platform}=${s.address}`).join(',');
  const ports = published ? [`${RESOLVER_PUBLISHED_PORT}/udp`, `${RESOLVER_PUBLISHED_PORT}/tcp`] : [];
  return {
    Image: image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [script],
    // The hosts reader's input: a stdin that stays open across attaches (StdinOnce false), no TTY
    // (attach output is then multiplexed, stdout apart from dnsmasq's log on stderr).
    OpenStdin: true,
    StdinOnce: false,
    Tty: false,
    Labels: {
      ...projectLabels(project),
      [LABEL_SERVICE]: RESOLVER_SERVICE,
      [LABEL_NUMBER]: '1',
      [LABEL_ONEOFF]: 'False',
      [LABEL_PLATFORM]: 'linux',
      [LABEL_ROLE]: 'resolver',
      ...(answers ? { [LABEL_RESOLVER_ANSWERS]: answers } : {}),
    },
    ...(ports.length ? { ExposedPorts: Object.fromEntries(ports.map((p) => [p, {}])) } : {}),
    HostConfig: {
      NetworkMode: network,
      RestartPolicy: { Name: 'unless-stopped' },
      // Only on the address: port 53 of the host's other addresses stays free (a local DNS cache often holds it).
      ...(published ? { PortBindings: Object.fromEntries(ports.map((p) => [p, [{ HostIp: published.address, HostPort: '53' }]])) } : {}),
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [RESOLVER_SERVICE] } } },
  };
}

const LINUX_ADDRESS_KEY = 'x-mixcompose.daemons.linux.address';
/** Host IPs of a binding on every address of the host: they hold the port on `address` too. */
const EVERY_ADDRESS = new Set(['', '0.0.0.0', '::']);

/**
 * The holders of host port 53 that the project's resolver would clash with on the linux `address`:
 * bound to that IP or to every IP, and not this project's own resolver (which `up` replaces or keeps).
 */
export function dnsPortClashes(project: string, address: string, holders: readonly PortHolder[]): PortHolder[] {
  return holders.filter((h) => (h.hostIp === address || EVERY_ADDRESS.has(h.hostIp)) && !(h.project === project && h.role === 'resolver'));
}

/** One phrase per container: "container x, the resolver of project p (192.0.2.2:53 tcp+udp)". */
function holderTexts(holders: readonly PortHolder[]): string[] {
  const byName = new Map<string, PortHolder[]>();
  for (const h of holders) byName.set(h.name, [...(byName.get(h.name) ?? []), h]);
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, hs]) => {
      const h = hs[0]!;
      const owner = h.project ? (h.role === 'resolver' ? `, the resolver of project ${h.project}` : `, of project ${h.project}`) : '';
      const ips = [...new Set(hs.map((x) => x.hostIp || '0.0.0.0'))].sort();
      const protocols = [...new Set(hs.map((x) => x.protocol))].sort().join('+');
      return `container ${name}${owner} (${ips.map((ip) => `${ip}:53`).join(', ')} ${protocols})`;
    });
}

/** What to do when `address`:53 is taken: stop the holder's project, another IP, or no resolver. */
export function dnsPortFixes(holders: readonly PortHolder[]): string {
  // The down that frees the port, runnable from anywhere: the holder's own compose files and project name.
  const downs = new Map<string, string>();
  for (const h of holders) {
    if (h.project && !downs.has(h.project)) downs.set(h.project, formatResumeCommand({ files: h.configFiles ?? [], projectName: h.project, command: 'down' }));
    else if (!h.project) downs.set(`container ${h.name}`, `docker rm -f ${h.name} on the linux daemon`);
  }
  const stop = downs.size
    ? `free it (${[...downs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, command]) => command).join('; ')})`
    : 'free it (stop what holds it)';
  return `${stop}, or set ${LINUX_ADDRESS_KEY} to another IP of the linux daemon's host (one stack with published reach per IP; a second IP on the host runs a second stack), ${OPT_OUT}`;
}

const WHY_53 = 'under published reach windows containers ask the project resolver at the linux daemon\'s address, port 53 (udp and tcp), and one container per IP can publish it';

/** The plan-time refusal: `address`:53 is held by the containers named; nothing was started. */
export function dnsPortTakenMessage(address: string, clashes: readonly PortHolder[]): string {
  const names = holderTexts(clashes);
  return `names across daemons: port 53 on ${address} (${LINUX_ADDRESS_KEY}) is already published by ${names.join(', ')}; ${WHY_53}. Fix: ${dnsPortFixes(clashes)}. Nothing was started.`;
}

/**
 * The daemon's bind error when the resolver starts (it says only "Bind for 192.0.2.2:53 failed: port
 * is already allocated"), as the problem with its setting and the fix; undefined for any other error.
 */
export function resolverBindProblem(error: unknown): { problem: string; fix: string } | undefined {
  const texts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; e = e instanceof Error ? e.cause : undefined, depth++) {
    texts.push(e instanceof Error ? e.message : String(e));
  }
  const daemonMessage = texts.join('\n');
  const taken = /Bind for (\S+):53 failed: port is already allocated/.exec(daemonMessage) ?? /(\S+):53: bind: address already in use/.exec(daemonMessage);
  if (taken) {
    const address = taken[1]!.replace(/^\[|\]$/g, '');
    return {
      problem:
        `names across daemons: the project resolver could not publish port 53 on ${address} (${LINUX_ADDRESS_KEY}): something already holds it ` +
        `(another project's resolver: docker ps --filter label=io.mixcompose.role=resolver on the linux daemon; or a DNS server on that host); ${WHY_53}`,
      fix: dnsPortFixes([]),
    };
  }
  const foreign = /(\S+):53: bind: cannot assign requested address/.exec(daemonMessage);
  if (foreign) {
    return {
      problem: `names across daemons: the project resolver could not publish port 53 on ${foreign[1]} (${LINUX_ADDRESS_KEY}): it is not an IP of the linux daemon's host`,
      fix: `set ${LINUX_ADDRESS_KEY} to an IP of that host at which the windows daemon's containers reach it, ${OPT_OUT}`,
    };
  }
  return undefined;
}

/** resolverBindProblem as `up`'s message (no "to continue": up again would fail the same way). */
export function resolverBindFailure(error: unknown): string | undefined {
  const found = resolverBindProblem(error);
  return found && `${found.problem}. Fix: ${found.fix}. Then run up again (down removes what this up created).`;
}

/**
 * Whether a hosts line cannot hold `name`: empty, or with a space or control character (it would
 * make another entry of a name, and break the resolver's line protocol).
 */
export function unregistrableName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name === '' || /[\s\u0000-\u001f\u007f]/.test(name);
}

/** The hosts file for one container: `ip name` lines. PlanError for a name or address a hosts line cannot hold. */
export function hostsFileContent(ip: string, names: readonly string[]): string {
  const bad = [ip, ...names].find(unregistrableName);
  if (bad !== undefined) throw new PlanError(`names across daemons: ${JSON.stringify(bad)} cannot be a name in the project resolver (it holds a space or control character): rename the service or network alias`);
  return names.map((n) => `${ip} ${n}\n`).join('');
}

/**
 * Under published reach, consumers on the other daemon reach a provider only at its published
 * ports: a warning for each depends_on across daemons on a provider that publishes none.
 */
export function unpublishedProviderWarnings(
  services: readonly Service[],
  daemonOf: (service: Service) => PlatformOs,
  reach: Readonly<Record<PlatformOs, ReachValue>>,
  byName: (name: string) => Service | undefined,
): string[] {
  const warnings: string[] = [];
  for (const consumer of services) {
    for (const name of Object.keys(consumer.depends_on ?? {}).sort()) {
      const provider = byName(name);
      if (!provider || daemonOf(provider) === daemonOf(consumer) || reach[provider.platform.os] !== 'published') continue;
      if (provider.ports.length > 0) continue;
      warnings.push(
        `service ${consumer.name} (${consumer.platform.os}) depends on ${provider.name} (${provider.platform.os}), which publishes no ports: under reach: published the ${consumer.platform.os} daemon's containers reach ${provider.name} only at its published ports (add ports: to ${provider.name})`,
      );
    }
  }
  return warnings;
}
