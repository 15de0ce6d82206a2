/**
 * Semantic checks on the normalized project, each reported at the position of the offending key:
 * references to unknown services, networks, volumes, secrets and configs; dependency cycles;
 * namespace sharing across daemons; options a Windows daemon rejects; `{{ s.port:N }}` with N not
 * a port of s.
 */
import type { Project, Service } from '../model/project.js';
import { DependencyGraph } from '../graph/dependency-graph.js';
import { isPlainMap, own, type KeyPath, type PositionIndex } from './positions.js';
import type { IssueList } from './issues.js';
import type { ConfigFileSystem } from './read-files.js';
import { didYouMean } from './suggest.js';
import { offlineBindTarget, translateHostPath } from '../model/host-paths.js';

export interface RuleContext {
  readonly root: Record<string, unknown>;
  readonly positions: PositionIndex;
  readonly issues: IssueList;
  readonly fs: ConfigFileSystem;
  /** Host OS (for where a Linux engine sees Windows paths); undefined = not Windows. */
  readonly hostPlatform?: string;
}

/** Options a Windows container cannot have (the daemon would reject or ignore them). */
export const WINDOWS_UNSUPPORTED_KEYS = [
  'privileged',
  'read_only',
  'tmpfs',
  'cgroup_parent',
  'blkio_config',
  'pids_limit',
  'ulimits',
  'memswap_limit',
  'mem_reservation',
  'cpuset',
  'cpu_period',
  'oom_kill_disable',
  'mem_swappiness',
] as const;

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainMap(value)) return Object.keys(value).length > 0;
  return true;
}

/** Whether container port `port` is one `service` exposes or publishes. */
export function servicePortKnown(service: Service, port: number): boolean {
  if (service.ports.some((p) => p.target === port)) return true;
  // Uninterpolated (config --no-interpolate): a port holding ${VAR} may be this one.
  if (service.ports.some((p) => typeof p === 'string') || service.expose.some((e) => e.includes('$'))) return true;
  return service.expose.some((e) => {
    const m = /^(\d+)(?:-(\d+))?(?:\/\w+)?$/.exec(e);
    if (!m) return false;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    return port >= a && port <= b;
  });
}

/**
 * Why `service_healthy` cannot be met for `provider`, or undefined. Only a healthcheck the file
 * disables is certain: one the file leaves out may come from the image's HEALTHCHECK, which only
 * plan time can see (as docker compose, the loader accepts it).
 */
function healthcheckMissing(provider: Service): string | undefined {
  const hc = provider.healthcheck;
  if (hc?.disable) return `the healthcheck of "${provider.name}" is disabled`;
  return undefined;
}

/** Reports a problem at a key path below service `service`. */
type ServiceError = (service: string, path: KeyPath, message: string) => void;

/** One enabled service as the per-service rules see it, with the project around it. */
interface ServiceUnderCheck {
  readonly name: string;
  readonly service: Service;
  /** The service as written in the merged model ({} when absent), for keys the Service drops. */
  readonly raw: Record<string, unknown>;
  readonly project: Project;
  /** Every service, enabled or not: a reference to a disabled one is not to an undefined one. */
  readonly all: Record<string, Service>;
}

/**
 * Runs every semantic rule on the normalized project, reporting each problem at its key: first
 * each enabled service's own rules (in the project's order), then container names, then cycles.
 */
export function checkProject(project: Project, ctx: RuleContext): void {
  const { root, positions, issues } = ctx;
  const all: Record<string, Service> = { ...project.disabledServices, ...project.services };
  const err: ServiceError = (service, path, message) => {
    const keyPath = ['services', service, ...path];
    issues.error(message, positions.locate(root, keyPath), keyPath);
  };

  for (const [name, service] of Object.entries(project.services)) {
    const raw = isPlainMap(root.services) && isPlainMap(own(root.services, name)) ? (own(root.services, name) as Record<string, unknown>) : {};
    const check: ServiceUnderCheck = { name, service, raw, project, all };
    checkDependencies(check, err);
    checkSharedNamespaces(check, err);
    checkAddressReferences(check, err);
    checkResourceReferences(check, err);
    if (service.platform.os === 'windows') checkWindowsService(name, service, raw, ctx, err);
    else checkLinuxBindSources(project, service, ctx);
  }
  checkContainerNames(project, err);
  checkDependencyCycle(project, err);
}

/**
 * `depends_on` (as written: the normalized one also holds implied dependencies) and `links` name
 * a defined service other than itself; `service_healthy` waits on a service that can be healthy.
 */
function checkDependencies({ name, service: s, raw, project, all }: ServiceUnderCheck, err: ServiceError): void {
  const explicitDeps = isPlainMap(raw.depends_on) ? raw.depends_on : {};
  for (const dep of Object.keys(explicitDeps)) {
    if (dep === name) err(name, ['depends_on', dep], `service "${name}" depends on itself`);
    else if (!own(all, dep)) err(name, ['depends_on', dep], `service "${name}" depends on undefined service "${dep}"${didYouMean(dep, Object.keys(all))}`);
    else if (own(s.depends_on, dep)?.condition === 'service_healthy') {
      const provider = own(project.services, dep);
      const missing = provider ? healthcheckMissing(provider) : undefined;
      if (missing) {
        err(name, ['depends_on', dep], `service "${name}" waits for "${dep}" to be healthy (condition service_healthy), but ${missing}; add a healthcheck to "${dep}" or use condition service_started`);
      }
    }
  }
  (s.links ?? []).forEach((link, i) => {
    const target = link.split(':')[0]!;
    if (!own(all, target)) err(name, ['links', i], `service "${name}" links to undefined service "${target}"${didYouMean(target, Object.keys(all))}`);
  });
}

/**
 * `network_mode`/`ipc`/`pid: service:x` and `volumes_from` name a defined service on the same
 * daemon (sharing namespaces or volumes needs both containers on one daemon); and `network_mode`
 * is not set beside `networks`.
 */
function checkSharedNamespaces({ name, service: s, raw, all }: ServiceUnderCheck, err: ServiceError): void {
  const os = s.platform.os;
  const shared: { key: 'network_mode' | 'ipc' | 'pid' | 'volumes_from'; target: string; path: KeyPath; what: string }[] = [];
  for (const key of ['network_mode', 'ipc', 'pid'] as const) {
    const v = s[key];
    if (typeof v === 'string' && v.startsWith('service:')) {
      shared.push({ key, target: v.slice(8), path: [key], what: key === 'network_mode' ? 'network namespace' : `${key} namespace` });
    }
  }
  (s.volumes_from ?? []).forEach((vf, i) => {
    if (!vf.startsWith('container:')) shared.push({ key: 'volumes_from', target: vf.replace(/^service:/, '').split(':')[0]!, path: ['volumes_from', i], what: 'volumes' });
  });
  for (const ref of shared) {
    const other = own(all, ref.target);
    if (!other) {
      err(name, ref.path, `${ref.key} of "${name}" refers to undefined service "${ref.target}"${didYouMean(ref.target, Object.keys(all))}`);
    } else if (other.platform.os !== os) {
      err(
        name,
        ref.path,
        `${ref.key}: service:${ref.target} is impossible: "${name}" runs on the ${os} daemon and "${ref.target}" on the ${other.platform.os} daemon, and a container can only share the ${ref.what} of a container on the same daemon`,
      );
    }
  }
  if (s.network_mode && isSet(raw.networks)) {
    err(name, ['network_mode'], `"${name}" sets both network_mode and networks; use one of them`);
  }
}

/** Each `{{ s… }}` address reference names an enabled service and, for `{{ s.port:N }}`, a port of it. */
function checkAddressReferences({ name, service: s, project, all }: ServiceUnderCheck, err: ServiceError): void {
  for (const ref of s.addressReferences) {
    const target = own(all, ref.service);
    if (!target) {
      err(name, ref.path, `address reference ${ref.text} names undefined service "${ref.service}"${didYouMean(ref.service, Object.keys(all))}`);
    } else if (!own(project.services, ref.service)) {
      err(name, ref.path, `address reference ${ref.text} names service "${ref.service}", which is in an inactive profile`);
    } else if (ref.kind === 'port' && !servicePortKnown(target, ref.port!)) {
      const known = [...new Set([...target.ports.map((p) => String(p.target)), ...target.expose])];
      err(
        name,
        ref.path,
        `address reference ${ref.text}: service "${ref.service}" neither exposes nor publishes port ${ref.port}${known.length ? ` (its ports: ${known.join(', ')})` : ''}; add it to ${ref.service}'s expose or ports`,
      );
    }
  }
}

/** The networks, named volumes, secrets and configs a service uses are declared at the top level. */
function checkResourceReferences({ name, service: s, project }: ServiceUnderCheck, err: ServiceError): void {
  for (const net of Object.keys(s.networks)) {
    if (!own(project.networks, net)) err(name, ['networks', net], `service "${name}" refers to undefined network "${net}"${didYouMean(net, Object.keys(project.networks))}`);
  }
  s.volumes.forEach((v, i) => {
    if (v.type === 'volume' && v.source && !own(project.volumes, v.source)) {
      err(name, ['volumes', i], `service "${name}" refers to undefined volume "${v.source}"${didYouMean(v.source, Object.keys(project.volumes))}; declare it under top-level volumes:`);
    }
  });
  for (const kind of ['secrets', 'configs'] as const) {
    s[kind].forEach((r, i) => {
      if (!own(project[kind], r.source)) err(name, [kind, i], `service "${name}" refers to undefined ${kind.slice(0, -1)} "${r.source}"`);
    });
  }
}

/** Container names are global on a daemon: one per service, and one container per name. */
function checkContainerNames(project: Project, err: ServiceError): void {
  const byContainerName = new Map<string, string>();
  for (const [name, s] of Object.entries(project.services)) {
    if (!s.container_name) continue;
    const replicas = s.scale ?? (typeof s.deploy?.replicas === 'number' ? s.deploy.replicas : 1);
    if (replicas > 1) {
      err(name, ['container_name'], `"${name}" sets container_name but runs ${replicas} replicas; a container name can be used only once`);
    }
    const other = byContainerName.get(s.container_name);
    if (other) err(name, ['container_name'], `container name "${s.container_name}" is already used by service "${other}"`);
    else byContainerName.set(s.container_name, name);
  }
}

/**
 * A dependency cycle, over every kind of dependency, printed as a path and reported at the key of
 * its first edge.
 */
function checkDependencyCycle(project: Project, err: ServiceError): void {
  const graph = DependencyGraph.fromServices(project.services);
  const cycle = graph.findCycle();
  if (!cycle) return;
  const [first, second] = cycle as [string, string];
  const edge = graph.edge(first, second);
  const kind = edge?.kinds[0] ?? 'depends_on';
  const where: KeyPath = kind === 'depends_on' ? ['depends_on', second] : kind === 'address' ? ['environment'] : [kind];
  const ref = project.services[first]?.addressReferences.find((r) => r.service === second);
  err(first, kind === 'address' && ref ? ref.path : where, `dependency cycle: ${cycle.join(' -> ')}`);
}

function checkWindowsService(
  name: string,
  s: Service,
  raw: Record<string, unknown>,
  ctx: RuleContext,
  err: ServiceError,
): void {
  const why = `(service "${name}" runs on the windows daemon)`;
  for (const key of WINDOWS_UNSUPPORTED_KEYS) {
    if (isSet(raw[key])) err(name, [key], `${key} is not supported by Windows containers ${why}`);
  }
  if (s.network_mode === 'host') err(name, ['network_mode'], `network_mode: host is not supported by Windows containers ${why}`);
  s.ports.forEach((p, i) => {
    if (p.host_ip) err(name, ['ports', i], `binding a published port to a host IP (${p.host_ip}) is not supported by Windows containers ${why}`);
    if (p.published?.includes('-')) err(name, ['ports', i], `host port ranges (${p.published}) are not supported by Windows containers ${why}`);
  });
  s.volumes.forEach((v, i) => {
    if (v.type === 'tmpfs') err(name, ['volumes', i], `tmpfs mounts are not supported by Windows containers ${why}`);
    if (v.type === 'bind' && v.source && ctx.fs.kind(v.source) === 'file') {
      err(name, ['volumes', i], `bind-mounting a single file (${v.source}) is not supported by Windows containers; mount its directory ${why}`);
    }
  });
}

/**
 * Bind sources of a linux service that its daemon may be unable to mount, judged with the plan's own
 * path translation for the daemon kind known without asking it (see offlineBindTarget). A Windows
 * path (`C:\data`) is mounted by a Linux engine on a Windows host (Docker Desktop, WSL2) and by LCOW,
 * but refused by a Linux daemon on a Linux host, and only `plan`/`up` learn which one it is. So these
 * are warnings, given here with file, line and key; the plan then translates the path or refuses it.
 */
function checkLinuxBindSources(project: Project, s: Service, ctx: RuleContext): void {
  const settings = project.extension.daemons?.linux;
  const target = offlineBindTarget('linux', settings, ctx.hostPlatform);
  s.volumes.forEach((v, i) => {
    if ((v.type !== 'bind' && v.type !== 'npipe') || !v.source) return;
    const translated = translateHostPath(v.source, project.workingDir, target);
    if (!('error' in translated)) return;
    const onWindows = target.kind === 'linux' ? translateHostPath(v.source, project.workingDir, offlineBindTarget('linux', settings, 'win32')) : undefined;
    const message =
      onWindows && 'path' in onWindows
        ? `bind source ${v.source} of linux service "${s.name}" is a Windows path: a Linux daemon on a Linux host cannot mount it (plan and up refuse it there); ` +
          `a Linux engine on a Windows host (Docker Desktop, WSL2) mounts it as ${onWindows.path} (set x-mixcompose.daemons.linux.path_prefix if yours is elsewhere)`
        : `bind source ${v.source} of linux service "${s.name}" cannot be mounted: ${translated.error}`;
    const keyPath = ['services', s.name, 'volumes', i];
    ctx.issues.warning(message, ctx.positions.locate(ctx.root, keyPath), keyPath);
  });
}
