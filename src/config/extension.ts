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

export function resolveExtension(
  root: Record<string, unknown>,
  options: Pick<LoadOptions, 'daemonOverrides' | 'environment' | 'hostPlatform' | 'interpolate'>,
  positions: PositionIndex,
  issues: IssueList,
): ProjectExtension {
  const raw = isPlainMap(root['x-mixcompose']) ? root['x-mixcompose'] : {};
  const at = (path: (string | number)[]) => positions.locate(root, ['x-mixcompose', ...path]);
  let defaultPlatform: PlatformOs = 'linux';
  if (raw.default_platform !== undefined) {
    const os = String(raw.default_platform).split('/')[0];
    if (os === 'linux' || os === 'windows') defaultPlatform = os;
    else issues.error(`invalid default_platform "${String(raw.default_platform)}": expected linux or windows`, at(['default_platform']), ['x-mixcompose', 'default_platform']);
  }
  const fileDaemons = isPlainMap(raw.daemons) ? raw.daemons : {};
  const daemons = {} as Record<PlatformOs, DaemonSettings>;
  for (const platform of PLATFORMS) {
    const file = isPlainMap(fileDaemons[platform]) ? fileDaemons[platform] : {};
    const P = platform.toUpperCase();
    const cli = options.daemonOverrides ?? {};
    const levels: { origin: DaemonSettings['origin']; host?: string; context?: string; path?: (string | number)[] }[] = [
      { origin: 'cli', host: platform === 'windows' ? cli.windowsHost : cli.linuxHost, context: platform === 'windows' ? cli.windowsContext : cli.linuxContext },
      { origin: 'env', host: options.environment[`MIXCOMPOSE_${P}_HOST`] || undefined, context: options.environment[`MIXCOMPOSE_${P}_CONTEXT`] || undefined },
      { origin: 'file', host: str(file.host), context: str(file.context), path: ['daemons', platform] },
    ];
    let chosen: { origin: DaemonSettings['origin']; host?: string; context?: string } = {
      origin: 'default',
      host: defaultDaemonHost(platform, options.hostPlatform, options.environment),
    };
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
      chosen = level;
      break;
    }
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
    const reach = (str(file.reach) ?? 'auto') as Reach;
    const tls: DaemonTls | undefined = isPlainMap(file.tls)
      ? {
          ...(str(file.tls.ca) ? { ca: str(file.tls.ca) } : {}),
          ...(str(file.tls.cert) ? { cert: str(file.tls.cert) } : {}),
          ...(str(file.tls.key) ? { key: str(file.tls.key) } : {}),
          ...(file.tls.verify !== undefined ? { verify: Boolean(file.tls.verify) } : {}),
        }
      : undefined;
    daemons[platform] = {
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
  const resolver = isPlainMap(raw.resolver)
    ? {
        ...(str(raw.resolver.image) ? { image: str(raw.resolver.image) } : {}),
        ...(str(raw.resolver.base) ? { base: str(raw.resolver.base) } : {}),
        ...(raw.resolver.enabled !== undefined ? { enabled: Boolean(raw.resolver.enabled) } : {}),
      }
    : undefined;
  // The schema checked their shape; carried as written.
  const swarm = isPlainMap(raw.swarm) ? (raw.swarm as ProjectExtension['swarm']) : undefined;
  const kubernetes = isPlainMap(raw.kubernetes) ? (raw.kubernetes as ProjectExtension['kubernetes']) : undefined;
  return { default_platform: defaultPlatform, daemons, ...(resolver ? { resolver } : {}), ...(swarm ? { swarm } : {}), ...(kubernetes ? { kubernetes } : {}) };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}
