/**
 * Service → Engine API create body for its platform (POST /containers/create, API 1.41 shape).
 *
 * Decisions by the *declared* platform where Windows differs in ways a daemon cannot report:
 * windows-declared services get no ExtraHosts (Windows ignores them, moby#41165) and no
 * StopSignal (no signals on Windows). By what the daemon reports where it can: on a Windows daemon
 * secrets/configs go under C:\ProgramData\Docker and are copied in (Windows cannot bind files).
 * What a platform cannot do at all was refused by the loader.
 */
import type { EngineBody } from '../model/engine-api.js';
import type { FileObject, PlatformOs, Project, Service, ServiceNetwork, ServiceVolume } from '../model/project.js';
import type { ContainerFile } from './plan.js';
import { bytes, durationNs, durationSeconds } from '../model/units.js';
import { toEngineMount, translateHostPath, translateMount, type BindTarget, type SourceKind } from '../model/host-paths.js';

export interface CreateBodyContext {
  readonly project: Project;
  readonly service: Service;
  readonly number: number;
  /** Labels to put on the container (project/service labels; hash added later). */
  readonly labels: Readonly<Record<string, string>>;
  /** Image reference to create from. */
  readonly image: string;
  /** DNS servers to put first (the project resolver's address placeholder). */
  readonly dnsFirst?: readonly string[];
  /** network_mode `service:x` → the container name to join. */
  readonly containerNameOf: (service: string) => string;
  /** Default stop grace period of the platform's daemon ("10s"). */
  readonly defaultStopGracePeriod?: string;
  /** How the receiving daemon wants host paths written (path translation). Default: unchanged. */
  readonly bindTarget?: BindTarget;
  /** What a stat of a bind source on this host found (facts passed in; the planner reads no fs). */
  readonly sourceKind?: (path: string) => SourceKind | undefined;
}

export interface CreateBodyResult {
  readonly body: EngineBody;
  readonly connect: { readonly network: string; readonly endpoint: EngineBody }[];
  readonly files: ContainerFile[];
  /** Where `files` are unpacked (ContainerSpec.filesRoot). */
  readonly filesRoot: string;
  readonly warnings: string[];
  /** Problems that make the container impossible (a Windows bind source that is not a directory). */
  readonly errors: string[];
}

/** `<project>-<service>-<n>` unless `container_name` is set. */
export function containerName(project: string, service: Service, number: number): string {
  return service.container_name ?? `${project}-${service.name}-${number}`;
}

/** The image a service runs: `image:`, or `<project>-<service>` for a build without one. */
export function serviceImage(project: string, service: Service): string {
  return service.image ?? `${project}-${service.name}`;
}

/** A namespace mode (network_mode, ipc, pid): `service:x` → `container:<x's container>`; other modes as written. */
export function sharedNamespaceMode(mode: string, containerNameOf: (service: string) => string): string {
  return mode.startsWith('service:') ? `container:${containerNameOf(mode.slice('service:'.length))}` : mode;
}

/** Network keys of a service, primary first (priority desc, then key). Empty with network_mode. */
export function serviceNetworkKeys(service: Service): string[] {
  if (service.network_mode) return [];
  const entries = Object.entries(service.networks ?? {});
  if (entries.length === 0) return ['default'];
  return entries
    .sort(([ka, a], [kb, b]) => (b?.priority ?? 0) - (a?.priority ?? 0) || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([k]) => k);
}

/**
 * The daemon network on which a service's containers have their own address: the primary network,
 * or a network named by network_mode. None for `host`, `none` and a shared namespace
 * (`service:x`, `container:x`): such a container has no address of its own to wire in or register.
 */
export function addressNetwork(project: Project, service: Service): string | undefined {
  const key = serviceNetworkKeys(service)[0];
  if (key) return networkName(project, key);
  const mode = service.network_mode;
  if (!mode || mode === 'host' || mode === 'none' || mode.startsWith('service:') || mode.startsWith('container:')) return undefined;
  return mode;
}

/** The daemon name of a project network key. */
export function networkName(project: Project, key: string): string {
  return project.networks[key]?.name ?? `${project.name}_${key}`;
}

function endpointConfig(service: Service, options: ServiceNetwork | null | undefined): EngineBody {
  const endpoint: Record<string, unknown> = {
    Aliases: [service.name, ...(options?.aliases ?? [])],
  };
  if (options?.ipv4_address || options?.ipv6_address) {
    endpoint.IPAMConfig = {
      ...(options.ipv4_address ? { IPv4Address: options.ipv4_address } : {}),
      ...(options.ipv6_address ? { IPv6Address: options.ipv6_address } : {}),
    };
  }
  if (options?.mac_address) endpoint.MacAddress = options.mac_address;
  return endpoint;
}

function environmentList(environment: Service['environment']): string[] {
  return Object.keys(environment)
    .sort()
    .filter((k) => environment[k] !== null && environment[k] !== undefined)
    .map((k) => `${k}=${environment[k]}`);
}

function healthcheckBody(service: Service): EngineBody | undefined {
  const hc = service.healthcheck;
  if (!hc) return undefined;
  if (hc.disable) return { Test: ['NONE'] };
  const body: Record<string, unknown> = {};
  if (hc.test) body.Test = [...hc.test];
  const interval = durationNs(hc.interval);
  const timeout = durationNs(hc.timeout);
  const startPeriod = durationNs(hc.start_period);
  const startInterval = durationNs(hc.start_interval);
  if (interval !== undefined) body.Interval = interval;
  if (timeout !== undefined) body.Timeout = timeout;
  if (startPeriod !== undefined) body.StartPeriod = startPeriod;
  if (startInterval !== undefined) body.StartInterval = startInterval;
  if (hc.retries !== undefined) body.Retries = hc.retries;
  return body;
}

function restartPolicy(restart: string | undefined): EngineBody | undefined {
  if (!restart) return undefined;
  const [name, count] = restart.split(':');
  if (name === 'no') return { Name: 'no' };
  return { Name: name, ...(count ? { MaximumRetryCount: Number(count) } : {}) };
}

function nested(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** deploy.resources + the service-level short forms (service-level wins, like compose). */
function resources(service: Service, host: Record<string, unknown>): void {
  const limits = nested(service.deploy, 'resources', 'limits') as Record<string, unknown> | undefined;
  const reservations = nested(service.deploy, 'resources', 'reservations') as Record<string, unknown> | undefined;
  const memory = bytes((service.mem_limit as string | number | undefined) ?? (limits?.memory as string | undefined));
  if (memory !== undefined) host.Memory = memory;
  const cpus = service.cpus ?? (limits?.cpus as string | number | undefined);
  if (cpus !== undefined && Number(cpus) > 0) host.NanoCpus = Math.round(Number(cpus) * 1e9);
  const reservation = bytes(
    (service.mem_reservation as string | number | undefined) ?? (reservations?.memory as string | undefined),
  );
  if (reservation !== undefined) host.MemoryReservation = reservation;
  const pids = (service.pids_limit as number | undefined) ?? (limits?.pids as number | undefined);
  if (pids !== undefined) host.PidsLimit = Number(pids);
  const swap = bytes(service.memswap_limit as string | number | undefined);
  if (swap !== undefined) host.MemorySwap = swap;
  if (service.cpu_shares !== undefined) host.CpuShares = Number(service.cpu_shares);
  const shm = bytes(service.shm_size as string | number | undefined);
  if (shm !== undefined) host.ShmSize = shm;
}

/**
 * Each service volume as the daemon takes it, in declared order: a `Binds` string (the host
 * directory is made on demand) or a `Mount`. Bind and npipe sources are translated for the
 * receiving daemon first; their issues go to warnings or errors in the same order.
 */
function mounts(ctx: CreateBodyContext, warnings: string[], errors: string[]): { binds: string[]; mounts: EngineBody[] } {
  const binds: string[] = [];
  const list: EngineBody[] = [];
  for (const raw of ctx.service.volumes) {
    const translated = translateVolume(ctx, raw, warnings, errors);
    if ('mount' in translated) {
      list.push(translated.mount);
      continue;
    }
    const entry = volumeEntry(ctx.project, translated.volume);
    if (typeof entry === 'string') binds.push(entry);
    else list.push(entry);
  }
  return { binds, mounts: list };
}

/**
 * Translates a bind or npipe source for the daemon that receives it (the field engineer's path
 * translation). An npipe, or anything for a Windows daemon, is then a finished Mount; otherwise the
 * volume goes on with the translated source. Other types pass through untouched.
 */
function translateVolume(
  ctx: CreateBodyContext,
  v: ServiceVolume,
  warnings: string[],
  errors: string[],
): { volume: ServiceVolume } | { mount: EngineBody } {
  if (v.type !== 'bind' && v.type !== 'npipe') return { volume: v };
  const { project, service } = ctx;
  const target: BindTarget = ctx.bindTarget ?? { kind: 'linux' };
  const original = v.source ? translateHostPath(v.source, project.workingDir, { kind: 'linux' }) : undefined;
  const translated = translateMount(v, {
    projectDir: project.workingDir,
    target,
    ...(ctx.sourceKind && original && 'path' in original ? { sourceKind: ctx.sourceKind(original.path) } : {}),
  });
  if (!translated) return { volume: v };
  for (const issue of translated.issues) {
    (issue.severity === 'error' ? errors : warnings).push(`service ${service.name}: ${issue.message}`);
  }
  if (translated.type === 'npipe' || target.kind === 'windows') return { mount: toEngineMount(translated, v) };
  return { volume: { ...v, source: translated.source, read_only: translated.readOnly } };
}

/** One (translated) service volume as a `Binds` string or an engine Mount, by its type. */
function volumeEntry(project: Project, v: ServiceVolume): string | EngineBody {
  switch (v.type) {
    case 'bind':
      return bindEntry(v);
    case 'volume':
      return namedVolumeMount(project, v);
    case 'tmpfs':
      return tmpfsMount(v);
    case 'npipe':
      // Named pipes are never read-only on Windows.
      return { Type: 'npipe', Source: v.source, Target: v.target };
    default:
      return { Type: v.type, Source: v.source, Target: v.target, ReadOnly: Boolean(v.read_only) };
  }
}

/**
 * create_host_path: false → a Mount, so a missing source is an error; otherwise Binds, which
 * create the host directory (compose's default).
 */
function bindEntry(v: ServiceVolume): string | EngineBody {
  if (v.bind?.create_host_path === false) {
    return {
      Type: 'bind',
      Source: v.source,
      Target: v.target,
      ReadOnly: Boolean(v.read_only),
      ...(v.bind?.propagation ? { BindOptions: { Propagation: v.bind.propagation } } : {}),
    };
  }
  const opts = [v.read_only ? 'ro' : 'rw', v.bind?.selinux, v.bind?.propagation].filter(Boolean);
  return `${v.source}:${v.target}:${opts.join(',')}`;
}

/** A named volume mount: the project's volume key becomes its name on the daemon (an anonymous one has no source). */
function namedVolumeMount(project: Project, v: ServiceVolume): EngineBody {
  const source = v.source ? (project.volumes[v.source]?.name ?? v.source) : undefined;
  return {
    Type: 'volume',
    ...(source ? { Source: source } : {}),
    Target: v.target,
    ReadOnly: Boolean(v.read_only),
    ...(v.volume?.nocopy || v.volume?.subpath
      ? { VolumeOptions: { ...(v.volume.nocopy ? { NoCopy: true } : {}), ...(v.volume.subpath ? { Subpath: v.volume.subpath } : {}) } }
      : {}),
  };
}

/** A tmpfs mount, with TmpfsOptions only when a size or mode is set. */
function tmpfsMount(v: ServiceVolume): EngineBody {
  const size = bytes(v.tmpfs?.size);
  return {
    Type: 'tmpfs',
    Target: v.target,
    ...(size !== undefined || v.tmpfs?.mode !== undefined
      ? { TmpfsOptions: { ...(size !== undefined ? { SizeBytes: size } : {}), ...(v.tmpfs?.mode !== undefined ? { Mode: v.tmpfs.mode } : {}) } }
      : {}),
  };
}

/**
 * Where copied-in files are unpacked: a Windows target's drive (its paths start with `C:\\`), else '/'.
 * The archive then holds the paths relative to it.
 */
function filesRoot(files: readonly ContainerFile[]): string {
  const drive = files.map((f) => /^[a-zA-Z]:\\/.exec(f.path)?.[0]).find((d) => d !== undefined);
  return drive ?? '/';
}

/** Secrets and configs: files become read-only binds, content/environment ones are copied in. */
function fileReferences(
  ctx: CreateBodyContext,
  windows: boolean,
  binds: string[],
  files: ContainerFile[],
  warnings: string[],
): void {
  const kinds: [readonly import('../model/project.js').FileReference[], Readonly<Record<string, FileObject>>, 'secret' | 'config'][] = [
    [ctx.service.secrets ?? [], ctx.project.secrets, 'secret'],
    [ctx.service.configs ?? [], ctx.project.configs, 'config'],
  ];
  for (const [refs, objects, kind] of kinds) {
    for (const ref of refs) {
      const object = objects[ref.source];
      let target = ref.target ?? ref.source;
      const absolute = target.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(target);
      if (!absolute) {
        target =
          kind === 'secret'
            ? windows
              ? `C:\\ProgramData\\Docker\\secrets\\${target}`
              : `/run/secrets/${target}`
            : windows
              ? `C:\\${target}`
              : `/${target}`;
      }
      if (!object || object.external) {
        warnings.push(`service ${ctx.service.name}: ${kind} ${ref.source} is external; only swarm provides it, skipped`);
        continue;
      }
      if (object.file && windows) {
        // Windows daemons cannot bind a file: copy it in (the executor reads it on this host).
        files.push({ path: target, content: '', hostFile: object.file, mode: ref.mode ?? 0o444 });
      } else if (object.file) {
        const source = translateHostPath(object.file, ctx.project.workingDir, ctx.bindTarget ?? { kind: 'linux' });
        binds.push(`${'path' in source ? source.path : object.file}:${target}:ro`);
      } else {
        const content =
          object.content ?? (object.environment ? (ctx.project.environment[object.environment] ?? '') : '');
        files.push({ path: target, content, mode: ref.mode ?? 0o444 });
      }
    }
  }
}

function ports(service: Service): { exposed: Record<string, object>; bindings: Record<string, EngineBody[]> } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, EngineBody[]> = {};
  for (const e of service.expose ?? []) {
    const [port, proto = 'tcp'] = String(e).split('/');
    exposed[`${port}/${proto}`] = {};
  }
  for (const p of service.ports) {
    const key = `${p.target}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: p.published ?? '' });
  }
  return { exposed, bindings };
}

function ulimits(service: Service): EngineBody[] | undefined {
  if (!service.ulimits) return undefined;
  return Object.keys(service.ulimits)
    .sort()
    .map((name) => {
      const v = service.ulimits![name]!;
      return typeof v === 'number' ? { Name: name, Soft: v, Hard: v } : { Name: name, Soft: v.soft, Hard: v.hard };
    });
}

function devices(service: Service): EngineBody[] | undefined {
  if (!service.devices) return undefined;
  return service.devices.map((d) => {
    const [host, container = host, perms = 'rwm'] = d.split(':');
    return { PathOnHost: host, PathInContainer: container, CgroupPermissions: perms };
  });
}

/** Compose keys that map 1:1 onto a HostConfig field (the loader refused what a platform cannot do). */
const HOST_CONFIG_KEYS: Readonly<Record<string, string>> = {
  group_add: 'GroupAdd',
  security_opt: 'SecurityOpt',
  cpuset: 'CpusetCpus',
  cpu_quota: 'CpuQuota',
  cpu_period: 'CpuPeriod',
  cpu_rt_runtime: 'CpuRealtimeRuntime',
  cpu_rt_period: 'CpuRealtimePeriod',
  cpu_count: 'CpuCount',
  cpu_percent: 'CpuPercent',
  oom_score_adj: 'OomScoreAdj',
  oom_kill_disable: 'OomKillDisable',
  cgroup_parent: 'CgroupParent',
  cgroup: 'CgroupnsMode',
  runtime: 'Runtime',
  userns_mode: 'UsernsMode',
  uts: 'UTSMode',
  storage_opt: 'StorageOpt',
  mem_swappiness: 'MemorySwappiness',
  device_cgroup_rules: 'DeviceCgroupRules',
  external_links: 'Links',
};

const HOST_CONFIG_ENTRIES = Object.entries(HOST_CONFIG_KEYS);

function passThrough(service: Service, host: Record<string, unknown>): void {
  for (const [key, field] of HOST_CONFIG_ENTRIES) {
    const value = service[key];
    if (value !== undefined && value !== null) host[field] = value;
  }
}

/** "host=ip" (compose v2 normal form) → "host:ip" (Engine API form). */
function extraHost(entry: string): string {
  const eq = entry.indexOf('=');
  return eq >= 0 ? `${entry.slice(0, eq)}:${entry.slice(eq + 1)}` : entry;
}

/**
 * Builds the create body and what goes with it for one container of a service. Each step below
 * decides one group of fields; they are joined in a fixed order, so the body's key order (which the
 * config hash and the golden renderings see) stays the same.
 */
export function createBody(ctx: CreateBodyContext): CreateBodyResult {
  const { service } = ctx;
  const windows = service.platform.os === 'windows';
  const { exposed, bindings } = ports(service);
  const storage = storageConfig(ctx);
  const extraHosts = extraHostsConfig(service, windows);
  const networking = networkingConfig(ctx);
  const host: Record<string, unknown> = {
    ...(Object.keys(bindings).length ? { PortBindings: bindings } : {}),
    ...storage.host,
    ...runtimeHostConfig(service),
    ...extraHosts.host,
    ...dnsHostConfig(ctx),
    ...kernelHostConfig(service),
    ...sharedNamespacesConfig(ctx),
    NetworkMode: networking.networkMode,
  };
  const body: Record<string, unknown> = {
    ...processConfig(ctx, windows),
    ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    ...(networking.networkingConfig ? { NetworkingConfig: networking.networkingConfig } : {}),
    HostConfig: host,
  };
  const { files, errors } = storage;
  return { body, connect: networking.connect, files, filesRoot: filesRoot(files), warnings: [...storage.warnings, ...extraHosts.warnings], errors };
}

/**
 * The container's own config: image, labels (the service's, then the project's), identity, what it
 * runs, its environment, healthcheck and how it stops. Windows has no signals, so a windows-declared
 * service gets no StopSignal.
 */
function processConfig(ctx: CreateBodyContext, windows: boolean): Record<string, unknown> {
  const { service } = ctx;
  const body: Record<string, unknown> = { Image: ctx.image, Labels: { ...service.labels, ...ctx.labels } };
  if (service.hostname) body.Hostname = service.hostname;
  if (service.domainname) body.Domainname = service.domainname;
  if (service.user) body.User = service.user;
  if (service.working_dir) body.WorkingDir = service.working_dir;
  if (service.entrypoint !== undefined) body.Entrypoint = service.entrypoint === null ? [] : [...service.entrypoint];
  if (service.command !== undefined) body.Cmd = service.command === null ? [] : [...service.command];
  if (service.tty) body.Tty = true;
  if (service.stdin_open) body.OpenStdin = true;
  body.Env = environmentList(service.environment);
  const healthcheck = healthcheckBody(service);
  if (healthcheck) body.Healthcheck = healthcheck;
  if (service.stop_signal && !windows) body.StopSignal = service.stop_signal;
  const grace = service.stop_grace_period ?? ctx.defaultStopGracePeriod;
  if (grace) body.StopTimeout = durationSeconds(grace, 10);
  return body;
}

/**
 * Storage: volumes as Binds or Mounts (translated for the receiving daemon), secrets and configs as
 * read-only binds or copied-in files, and tmpfs. Secret and config paths follow what the daemon runs
 * (it reports it), not the declared platform. Bad bind sources are errors, not warnings.
 */
function storageConfig(ctx: CreateBodyContext): { host: Record<string, unknown>; files: ContainerFile[]; warnings: string[]; errors: string[] } {
  const { service } = ctx;
  const warnings: string[] = [];
  const errors: string[] = [];
  const files: ContainerFile[] = [];
  const host: Record<string, unknown> = {};
  const { binds, mounts: mountList } = mounts(ctx, warnings, errors);
  fileReferences(ctx, ctx.bindTarget?.kind === 'windows', binds, files, warnings);
  if (binds.length) host.Binds = binds;
  if (mountList.length) host.Mounts = mountList;
  if (service.tmpfs?.length) {
    host.Tmpfs = Object.fromEntries(
      service.tmpfs.map((t) => {
        const i = t.indexOf(':');
        return i >= 0 ? [t.slice(0, i), t.slice(i + 1)] : [t, ''];
      }),
    );
  }
  return { host, files, warnings, errors };
}

/** How the container runs: restart policy, resources, init, privileges, read-only root and logging. */
function runtimeHostConfig(service: Service): Record<string, unknown> {
  const host: Record<string, unknown> = {};
  const restart = restartPolicy(service.restart);
  if (restart) host.RestartPolicy = restart;
  resources(service, host);
  if (service.init !== undefined) host.Init = service.init;
  if (service.privileged) host.Privileged = true;
  if (service.read_only) host.ReadonlyRootfs = true;
  if (service.logging?.driver || service.logging?.options) {
    host.LogConfig = { Type: service.logging.driver ?? '', Config: { ...(service.logging.options ?? {}) } };
  }
  return host;
}

/**
 * extra_hosts in the Engine API form. Windows containers ignore them (moby/moby#41165), so a
 * windows-declared service gets none and a warning instead: its names resolve through the resolver.
 */
function extraHostsConfig(service: Service, windows: boolean): { host: Record<string, unknown>; warnings: string[] } {
  if (!service.extra_hosts.length) return { host: {}, warnings: [] };
  if (windows) {
    return {
      host: {},
      warnings: [`service ${service.name}: extra_hosts dropped: Windows containers ignore them (moby/moby#41165); names resolve through the project resolver`],
    };
  }
  return { host: { ExtraHosts: service.extra_hosts.map(extraHost) }, warnings: [] };
}

/** DNS: the servers put first (the project resolver's address placeholder), then the service's own; search and options. */
function dnsHostConfig(ctx: CreateBodyContext): Record<string, unknown> {
  const { service } = ctx;
  const host: Record<string, unknown> = {};
  const dns = [...(ctx.dnsFirst ?? []), ...(service.dns ?? [])];
  if (dns.length) host.Dns = dns;
  if (service.dns_search?.length) host.DnsSearch = [...service.dns_search];
  if (service.dns_opt?.length) host.DnsOptions = [...service.dns_opt];
  return host;
}

/** What the kernel grants: capabilities, devices, sysctls, ulimits, isolation and the 1:1 HostConfig keys. */
function kernelHostConfig(service: Service): Record<string, unknown> {
  const host: Record<string, unknown> = {};
  if (service.cap_add?.length) host.CapAdd = [...service.cap_add];
  if (service.cap_drop?.length) host.CapDrop = [...service.cap_drop];
  const devs = devices(service);
  if (devs) host.Devices = devs;
  if (service.sysctls && Object.keys(service.sysctls).length) host.Sysctls = { ...service.sysctls };
  const ul = ulimits(service);
  if (ul) host.Ulimits = ul;
  if (service.isolation) host.Isolation = service.isolation;
  passThrough(service, host);
  return host;
}

/**
 * Namespaces and volumes shared with other containers. `service:x` names another service's
 * container, as network_mode does (docker compose does the same).
 */
function sharedNamespacesConfig(ctx: CreateBodyContext): Record<string, unknown> {
  const { service } = ctx;
  const host: Record<string, unknown> = {};
  if (service.ipc) host.IpcMode = sharedNamespaceMode(service.ipc, ctx.containerNameOf);
  if (service.pid) host.PidMode = sharedNamespaceMode(service.pid, ctx.containerNameOf);
  if (service.volumes_from?.length) {
    host.VolumesFrom = service.volumes_from.map((v) => {
      const [source, mode] = v.split(':');
      const name = source!.startsWith('container:') ? source!.slice('container:'.length) : ctx.containerNameOf(source!);
      return mode ? `${name}:${mode}` : name;
    });
  }
  return host;
}

/**
 * Networks: a network_mode as written (`service:x` → that container); else the primary network in
 * the create (the only one a create may name), and the others as connects after it.
 */
function networkingConfig(ctx: CreateBodyContext): {
  networkMode: string;
  networkingConfig: EngineBody | undefined;
  connect: { network: string; endpoint: EngineBody }[];
} {
  const { project, service } = ctx;
  if (service.network_mode) {
    return { networkMode: sharedNamespaceMode(service.network_mode, ctx.containerNameOf), networkingConfig: undefined, connect: [] };
  }
  const keys = serviceNetworkKeys(service);
  const primary = keys[0]!;
  const primaryName = networkName(project, primary);
  const connect = keys.slice(1).map((key) => ({ network: networkName(project, key), endpoint: endpointConfig(service, service.networks[key]) }));
  return {
    networkMode: primaryName,
    networkingConfig: { EndpointsConfig: { [primaryName]: endpointConfig(service, service.networks?.[primary]) } },
    connect,
  };
}
