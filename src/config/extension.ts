/**
 * The project-level `x-mixcompose` extension, with daemon endpoint overrides applied.
 *
 * Per platform the endpoint (`host` or `context`) comes from the strongest level that sets either:
 *   1. CLI `--<p>-host` / `--<p>-context`
 *   2. env `MIXCOMPOSE_<P>_HOST` / `MIXCOMPOSE_<P>_CONTEXT`
 *   3. the file's `x-mixcompose.daemons.<p>.host` / `.context`
 *   4. defaults: on a Windows host `npipe:////./pipe/docker_engine_windows` (windows) and
 *      `npipe:////./pipe/docker_engine_linux` (linux); elsewhere both platforms default to
 *      `DOCKER_HOST` if set, else `unix:///var/run/docker.sock`.
 * A level that sets both host and context is an error. The other daemon settings (tls, address,
 * reach, probe_image, stop_grace_period, path_prefix) come from the file only. An `address` must be
 * a valid IP or a host name; whether one is needed at all is a rule on the whole project
 * (daemon-address-rules.ts).
 */
import type { DaemonSettings, DaemonTls, PlatformOs, ProjectExtension, Reach } from '../model/project.js';
import type { LoadOptions } from './load-project.js';
import { isPlainMap, type PositionIndex } from './positions.js';
import type { IssueList } from './issues.js';
import { daemonAddressProblem, daemonHostProblem, durationProblem } from './value-checks.js';

export const PLATFORMS: readonly PlatformOs[] = ['linux', 'windows'];

export function defaultDaemonHost(platform: PlatformOs, hostPlatform: NodeJS.Platform | undefined, env: LoadOptions['environment']): string {
  if (hostPlatform === 'win32') return `npipe:////./pipe/docker_engine_${platform}`;
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** What the extension reads from the load's options. */
type ExtensionOptions = Pick<LoadOptions, 'daemonOverrides' | 'environment' | 'hostPlatform' | 'interpolate'>;

/** The position of a key path below `x-mixcompose`. */
type LocateInExtension = (path: (string | number)[]) => ReturnType<PositionIndex['locate']>;

/** One level that may set a daemon's endpoint, and where it is written when in the file. */
interface EndpointLevel {
  readonly origin: DaemonSettings['origin'];
  readonly host?: string;
  readonly context?: string;
  readonly path?: (string | number)[];
}

/**
 * The project's `x-mixcompose`, read defensively (a value of the wrong shape is left out: the
 * schema reports it), with each platform's daemon endpoint taken from the strongest level.
 */
export function resolveExtension(root: Record<string, unknown>, options: ExtensionOptions, positions: PositionIndex, issues: IssueList): ProjectExtension {
  const raw = isPlainMap(root['x-mixcompose']) ? root['x-mixcompose'] : {};
  const at: LocateInExtension = (path) => positions.locate(root, ['x-mixcompose', ...path]);
  const defaultPlatform = defaultPlatformOf(raw, at, issues);
  const fileDaemons = isPlainMap(raw.daemons) ? raw.daemons : {};
  const daemons = {} as Record<PlatformOs, DaemonSettings>;
  for (const platform of PLATFORMS) {
    const file = isPlainMap(fileDaemons[platform]) ? fileDaemons[platform] : {};
    const chosen = chosenEndpoint(platform, file, options, at, issues);
    checkDaemonValues(platform, file, options, at, issues);
    daemons[platform] = daemonSettings(platform, file, chosen);
  }
  const resolver = resolverOf(raw);
  // The schema checked their shape; carried as written.
  const swarm = isPlainMap(raw.swarm) ? (raw.swarm as ProjectExtension['swarm']) : undefined;
  const kubernetes = isPlainMap(raw.kubernetes) ? (raw.kubernetes as ProjectExtension['kubernetes']) : undefined;
  return { default_platform: defaultPlatform, daemons, ...(resolver ? { resolver } : {}), ...(swarm ? { swarm } : {}), ...(kubernetes ? { kubernetes } : {}) };
}

/** `default_platform` (its OS part: `linux/arm64` is linux); linux when unset or invalid (reported). */
function defaultPlatformOf(raw: Record<string, unknown>, at: LocateInExtension, issues: IssueList): PlatformOs {
  if (raw.default_platform === undefined) return 'linux';
  const os = String(raw.default_platform).split('/')[0];
  if (os === 'linux' || os === 'windows') return os;
  issues.error(`invalid default_platform "${String(raw.default_platform)}": expected linux or windows`, at(['default_platform']), ['x-mixcompose', 'default_platform']);
  return 'linux';
}

/**
 * The endpoint of `platform`'s daemon from the strongest level that sets a host or context (CLI,
 * env, file), else the default. Each level's host is checked on the way down, up to the chosen
 * one, and a level setting both host and context is reported (the host is then used).
 */
function chosenEndpoint(platform: PlatformOs, file: Record<string, unknown>, options: ExtensionOptions, at: LocateInExtension, issues: IssueList): EndpointLevel {
  const P = platform.toUpperCase();
  const cli = options.daemonOverrides ?? {};
  const levels: EndpointLevel[] = [
    { origin: 'cli', host: platform === 'windows' ? cli.windowsHost : cli.linuxHost, context: platform === 'windows' ? cli.windowsContext : cli.linuxContext },
    { origin: 'env', host: options.environment[`MIXCOMPOSE_${P}_HOST`] || undefined, context: options.environment[`MIXCOMPOSE_${P}_CONTEXT`] || undefined },
    { origin: 'file', host: str(file.host), context: str(file.context), path: ['daemons', platform] },
  ];
  for (const level of levels) {
    // (The schema checked the file's scheme already; a bad one stops the load before this.)
    const held = options.interpolate === false && level.host?.includes('$');
    const hostProblem = level.host && !held ? daemonHostProblem(level.host, level.origin !== 'file') : undefined;
    if (hostProblem && level.path) issues.error(hostProblem, at([...level.path, 'host']), ['x-mixcompose', ...level.path, 'host']);
    else if (hostProblem) issues.error(`${level.origin === 'cli' ? `--${platform}-host` : `MIXCOMPOSE_${P}_HOST`}: ${hostProblem}`);
    if (!level.host && !level.context) continue;
    if (level.host && level.context) {
      const where = level.origin === 'cli' ? `--${platform}-host and --${platform}-context` : level.origin === 'env' ? `MIXCOMPOSE_${P}_HOST and MIXCOMPOSE_${P}_CONTEXT` : '`host` and `context`';
      issues.error(`daemon ${platform}: ${where} are both set; set one of them`, level.path ? at(level.path) : undefined, level.path ? ['x-mixcompose', ...level.path] : undefined);
    }
    return level;
  }
  return { origin: 'default', host: defaultDaemonHost(platform, options.hostPlatform, options.environment) };
}

/** The file's `stop_grace_period` is a duration and its `address` an IP or host name (unless held uninterpolated). */
function checkDaemonValues(platform: PlatformOs, file: Record<string, unknown>, options: ExtensionOptions, at: LocateInExtension, issues: IssueList): void {
  const grace = str(file.stop_grace_period);
  const graceProblem = grace !== undefined && !(options.interpolate === false && grace.includes('$')) ? durationProblem(grace) : undefined;
  if (graceProblem) {
    const path = ['daemons', platform, 'stop_grace_period'];
    issues.error(graceProblem, at(path), ['x-mixcompose', ...path]);
  }
  const address = str(file.address);
  const addressProblem = address !== undefined && !(options.interpolate === false && address.includes('$')) ? daemonAddressProblem(address) : undefined;
  if (addressProblem) {
    const path = ['daemons', platform, 'address'];
    issues.error(addressProblem, at(path), ['x-mixcompose', ...path]);
  }
}

/** `platform`'s daemon settings: the chosen endpoint, the rest as the file writes it (keys in a fixed order). */
function daemonSettings(platform: PlatformOs, file: Record<string, unknown>, chosen: EndpointLevel): DaemonSettings {
  const address = str(file.address);
  const reach = (str(file.reach) ?? 'auto') as Reach;
  const tls: DaemonTls | undefined = isPlainMap(file.tls)
    ? {
        ...(str(file.tls.ca) ? { ca: str(file.tls.ca) } : {}),
        ...(str(file.tls.cert) ? { cert: str(file.tls.cert) } : {}),
        ...(str(file.tls.key) ? { key: str(file.tls.key) } : {}),
        ...(file.tls.verify !== undefined ? { verify: Boolean(file.tls.verify) } : {}),
      }
    : undefined;
  return {
    platform,
    ...(chosen.host ? { host: chosen.host } : {}),
    ...(chosen.context ? { context: chosen.context } : {}),
    ...(tls ? { tls } : {}),
    ...(address ? { address } : {}),
    reach,
    ...(str(file.probe_image) ? { probe_image: str(file.probe_image) } : {}),
    ...(str(file.stop_grace_period) ? { stop_grace_period: str(file.stop_grace_period) } : {}),
    ...(str(file.path_prefix) ? { path_prefix: str(file.path_prefix) } : {}),
    origin: chosen.origin,
  };
}

/** The `resolver` settings as written, or undefined when absent. */
function resolverOf(raw: Record<string, unknown>): ProjectExtension['resolver'] | undefined {
  if (!isPlainMap(raw.resolver)) return undefined;
  return {
    ...(str(raw.resolver.image) ? { image: str(raw.resolver.image) } : {}),
    ...(str(raw.resolver.base) ? { base: str(raw.resolver.base) } : {}),
    ...(raw.resolver.enabled !== undefined ? { enabled: Boolean(raw.resolver.enabled) } : {}),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}
