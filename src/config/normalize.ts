/**
 * Merged canonical service dict → the Service model (see src/model/project.ts), and the
 * project-level resources (networks, volumes, secrets, configs) with their daemon names.
 */
import type {
  BuildConfig,
  DependsOn,
  FileObject,
  FileReference,
  Healthcheck,
  Network,
  PlatformOs,
  PortConfig,
  Service,
  ServiceNetwork,
  ServiceVolume,
  Volume,
} from '../model/project.js';
import { isPlainMap } from './positions.js';
import { SyntaxIssue, shellSplit } from './short-syntax.js';
import { collectAddressReferences } from './address-references.js';
import { defaultPlatform, parsePlatform } from './platform.js';
import { parseDuration } from '../model/units.js';
import type { VariableLookup } from './interpolate.js';

type Dict = Record<string, unknown>;

/** Reports a problem at a key path relative to the service (`['ports', 0]`). */
export type ServiceProblem = (message: string, path: readonly (string | number)[], severity?: 'error' | 'warning') => void;

export interface NormalizeServiceContext {
  readonly defaultOs: PlatformOs;
  /** Looks up bare `environment: [KEY]` entries (the project environment). */
  readonly lookup: VariableLookup;
  /** Reads one env_file entry; undefined when it is optional and missing (errors reported by the callee). */
  readonly readEnvFile: (entry: { path: string; required: boolean; format?: string }, index: number) => Record<string, string | null> | undefined;
  /** Reads one label_file entry (`${VAR}` in it sees the labels read before it); undefined when missing (reported by the callee). */
  readonly readLabelFile?: (file: string, index: number, earlier: Readonly<Record<string, string>>) => Record<string, string> | undefined;
  readonly problem: ServiceProblem;
  /** Every service of the project (profiles aside): only these are address references' targets. */
  readonly serviceNames?: readonly string[];
  /** The files were not interpolated (config --no-interpolate): values holding `${VAR}` stay as written. */
  readonly uninterpolated?: boolean;
}

/** Keys that become typed fields or are consumed here; everything else is carried through. */
const CONSUMED = new Set(['env_file', 'extends', 'x-mixcompose', 'label_file']);

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const strList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map((x) => String(x)) : v === undefined || v === null ? undefined : [String(v)]);
const strMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isPlainMap(v)) for (const [k, x] of Object.entries(v)) out[k] = x === null || x === undefined ? '' : String(x);
  return out;
};

/**
 * One merged, canonical service dict → the Service model. Each field has its own step below; they
 * run in this order because the callbacks in `ctx` (problems, env and label files) report in it.
 */
export function normalizeService(name: string, raw: Dict, ctx: NormalizeServiceContext): Service {
  const platform = servicePlatform(raw, ctx);
  const environment = serviceEnvironment(raw, ctx);
  // Strings left here are short syntax holding `${VAR}` (config --no-interpolate), printed as written.
  const ports: PortConfig[] = Array.isArray(raw.ports)
    ? raw.ports.flatMap((p) => (isPlainMap(p) ? [normalizePort(p)] : typeof p === 'string' ? [p as unknown as PortConfig] : []))
    : [];
  const volumes: ServiceVolume[] = Array.isArray(raw.volumes)
    ? (raw.volumes.filter((v) => isPlainMap(v) || typeof v === 'string') as unknown as ServiceVolume[])
    : [];
  const depends_on = serviceDependsOn(name, raw);
  const network_mode = str(raw.network_mode);
  const networks = serviceNetworks(raw, network_mode);
  const labels = serviceLabels(raw, ctx);
  const extra_hosts = strList(raw.extra_hosts) ?? [];
  const command = serviceArgv(raw, 'command', ctx.problem);
  const entrypoint = serviceArgv(raw, 'entrypoint', ctx.problem);
  const ext = isPlainMap(raw['x-mixcompose']) ? raw['x-mixcompose'] : {};
  const { references, problems } = collectAddressReferences({
    environment,
    ...(command !== undefined ? { command } : {}),
    ...(entrypoint !== undefined ? { entrypoint } : {}),
    extra_hosts,
    labels,
  }, ctx.serviceNames);
  for (const p of problems) ctx.problem(p.message, p.path, p.severity);
  // The typed fields below override what is carried through; the key order is the printed one.
  const service: Service = {
    ...carriedKeys(raw, ctx),
    name,
    platform,
    ...(raw.build !== undefined && isPlainMap(raw.build) ? { build: buildWithArgs(raw.build, ctx.lookup) } : {}),
    ...(command !== undefined ? { command } : {}),
    ...(entrypoint !== undefined ? { entrypoint } : {}),
    environment,
    ports,
    expose: strList(raw.expose) ?? [],
    volumes,
    depends_on,
    networks,
    ...(network_mode !== undefined ? { network_mode } : {}),
    labels,
    extra_hosts,
    ...(raw.healthcheck !== undefined ? { healthcheck: normalizeHealthcheck(raw.healthcheck) } : {}),
    secrets: fileReferences(raw, 'secrets'),
    configs: fileReferences(raw, 'configs'),
    addressReferences: references,
    extension: { ...(ext.lint !== undefined ? { lint: ext.lint !== false } : {}) },
  };
  if (service.platform !== platform) (service as { platform: unknown }).platform = platform;
  return service;
}

/** Whether a value still holds `${VAR}` because the files were not interpolated (config --no-interpolate). */
function isHeld(ctx: NormalizeServiceContext, v: unknown): boolean {
  return ctx.uninterpolated === true && typeof v === 'string' && v.includes('$');
}

/** The service's platform: the default for the project's OS unless `platform:` names one (reported when invalid). */
function servicePlatform(raw: Dict, ctx: NormalizeServiceContext): Service['platform'] {
  const platform = defaultPlatform(ctx.defaultOs);
  if (isHeld(ctx, raw.platform)) return { ...platform, raw: String(raw.platform) };
  // An empty platform (`platform: ${DOCKER_PLATFORM:-}`) is no platform, as in compose: the default applies.
  if (raw.platform === undefined || raw.platform === null || raw.platform === '') return platform;
  const parsed = parsePlatform(String(raw.platform));
  if (typeof parsed !== 'string') return parsed;
  ctx.problem(parsed, ['platform']);
  return platform;
}

/** env_file entries first, in order, then `environment` wins; bare keys take the value from the project environment. */
function serviceEnvironment(raw: Dict, ctx: NormalizeServiceContext): Record<string, string | null> {
  const environment: Record<string, string | null> = {};
  if (Array.isArray(raw.env_file)) {
    raw.env_file.forEach((entry, i) => {
      if (!isPlainMap(entry) || typeof entry.path !== 'string' || isHeld(ctx, entry.path)) return;
      const values = ctx.readEnvFile({ path: entry.path, required: entry.required !== false, ...(typeof entry.format === 'string' ? { format: entry.format } : {}) }, i);
      if (values) Object.assign(environment, values);
    });
  }
  if (isPlainMap(raw.environment)) {
    for (const [k, v] of Object.entries(raw.environment)) environment[k] = v === null || v === undefined ? (ctx.lookup(k) ?? null) : String(v);
  }
  return environment;
}

/**
 * `depends_on` with defaults filled in, then the start order compose v2 implies: links, `service:`
 * network/ipc/pid modes and volumes_from (volumes_from without restart, as compose-go's normalize does).
 * An explicit entry always wins over an implied one.
 */
function serviceDependsOn(name: string, raw: Dict): Record<string, DependsOn> {
  const depends_on: Record<string, DependsOn> = {};
  if (isPlainMap(raw.depends_on)) {
    for (const [dep, spec] of Object.entries(raw.depends_on)) {
      const s = isPlainMap(spec) ? spec : {};
      depends_on[dep] = {
        condition: (str(s.condition) ?? 'service_started') as DependsOn['condition'],
        required: s.required !== false,
        restart: s.restart === true,
      };
    }
  }
  const implied = (dep: string | undefined, restart = true) => {
    if (dep && dep !== name && !Object.prototype.hasOwnProperty.call(depends_on, dep)) depends_on[dep] = { condition: 'service_started', required: true, restart };
  };
  for (const link of strList(raw.links) ?? []) implied(link.split(':')[0]);
  for (const key of ['network_mode', 'ipc', 'pid']) {
    const v = str(raw[key]);
    if (v?.startsWith('service:')) implied(v.slice(8));
  }
  for (const vf of strList(raw.volumes_from) ?? []) {
    if (!vf.startsWith('container:')) implied(vf.replace(/^service:/, '').split(':')[0], false);
  }
  return depends_on;
}

/** The service's networks; with neither `networks` nor `network_mode` it joins the project's default network. */
function serviceNetworks(raw: Dict, network_mode: string | undefined): Record<string, ServiceNetwork | null> {
  if (isPlainMap(raw.networks)) {
    const networks: Record<string, ServiceNetwork | null> = {};
    for (const [n, spec] of Object.entries(raw.networks)) networks[n] = isPlainMap(spec) ? (spec as ServiceNetwork) : null;
    return networks;
  }
  return network_mode === undefined ? { default: null } : {};
}

/** label_file entries in order (each sees the labels read before it), then `labels` wins, as in compose. */
function serviceLabels(raw: Dict, ctx: NormalizeServiceContext): Record<string, string> {
  const labels: Record<string, string> = {};
  if (Array.isArray(raw.label_file) && ctx.readLabelFile) {
    raw.label_file.forEach((file, i) => {
      if (typeof file !== 'string' || isHeld(ctx, file)) return;
      Object.assign(labels, ctx.readLabelFile!(file, i, labels) ?? {});
    });
  }
  Object.assign(labels, strMap(raw.labels));
  return labels;
}

/**
 * `command` / `entrypoint` as an argv: a list as written, a string split like a shell would (an
 * unsplittable one is reported and kept whole). null (an explicit reset) and undefined stay as they are.
 */
function serviceArgv(raw: Dict, key: 'command' | 'entrypoint', problem: ServiceProblem): string[] | null | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (Array.isArray(v)) return v.map((x) => String(x));
  try {
    return shellSplit(String(v));
  } catch (error) {
    if (!(error instanceof SyntaxIssue)) throw error;
    problem(error.message, [key]);
    return [String(v)];
  }
}

/** The long-syntax `secrets` / `configs` references of a service (copies, so the model owns them). */
function fileReferences(raw: Dict, key: 'secrets' | 'configs'): FileReference[] {
  return Array.isArray(raw[key]) ? (raw[key] as unknown[]).filter(isPlainMap).map((r) => ({ ...(r as object) }) as FileReference) : [];
}

/**
 * The keys with no typed step of their own, carried into the Service as they are, except that
 * empty text is left out and the numbers the Engine API takes as numbers become numbers.
 */
function carriedKeys(raw: Dict, ctx: NormalizeServiceContext): Dict {
  const carried: Dict = {};
  // An empty text value is an unset key (compose leaves it out), except for the argv keys.
  for (const [k, v] of Object.entries(raw)) if (!CONSUMED.has(k) && !(v === '' && k !== 'command' && k !== 'entrypoint')) carried[k] = v;
  // Numbers the Engine API takes as numbers (the value checks made sure they parse), as compose v2 does.
  for (const key of NUMERIC_KEYS) {
    const v = carried[key];
    if (typeof v === 'string' && !isHeld(ctx, v)) carried[key] = /^[-+]?(\d+\.?\d*|\.\d+)$/.test(v.trim()) ? Number(v) : (microseconds(v) ?? v);
  }
  if (isPlainMap(carried.deploy) && typeof carried.deploy.replicas === 'string' && /^\d+$/.test(carried.deploy.replicas.trim())) {
    carried.deploy = { ...carried.deploy, replicas: Number(carried.deploy.replicas) };
  }
  return carried;
}

/** Keys whose interpolated text becomes a number; cpu_rt_* may also be durations (→ microseconds). */
const NUMERIC_KEYS = ['cpus', 'cpu_shares', 'cpu_quota', 'cpu_period', 'cpu_rt_period', 'cpu_rt_runtime', 'pids_limit'];

function microseconds(text: string): number | undefined {
  const ns = parseDuration(text);
  return ns === undefined ? undefined : Math.round(ns / 1000);
}

/** A long-syntax port with compose's key order (mode, host_ip, target, published, protocol, ...). */
function normalizePort(p: Dict): PortConfig {
  const published = p.published !== undefined && p.published !== null && p.published !== '' ? String(p.published) : undefined;
  const { mode, host_ip, target: _t, published: _p, protocol, ...rest } = p;
  return {
    mode: str(mode) ?? 'ingress',
    ...(host_ip !== undefined ? { host_ip: String(host_ip) } : {}),
    // A target still holding ${VAR} (config --no-interpolate) stays as written.
    target: typeof p.target === 'string' && p.target.includes('$') ? p.target : Number(p.target),
    ...(published !== undefined ? { published } : {}),
    protocol: str(protocol) ?? 'tcp',
    ...rest,
  } as PortConfig;
}

/** A build arg without a value takes it from the project environment, or is left out (compose-go). */
function buildWithArgs(raw: Dict, lookup: (key: string) => string | undefined): BuildConfig {
  // `dockerfile` defaults to `Dockerfile` unless it is inline, as compose prints it.
  const build = raw.dockerfile === undefined && raw.dockerfile_inline === undefined ? { ...raw, dockerfile: 'Dockerfile' } : raw;
  if (!isPlainMap(build.args)) return build as unknown as BuildConfig;
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(build.args)) {
    const value = v === null || v === undefined ? lookup(k) : String(v);
    if (value !== undefined) args[k] = value;
  }
  return { ...(build as unknown as BuildConfig), args };
}

export function normalizeHealthcheck(raw: unknown): Healthcheck {
  if (!isPlainMap(raw)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== null) out[k] = v;
  if (typeof raw.test === 'string') out.test = ['CMD-SHELL', raw.test];
  else if (Array.isArray(raw.test)) out.test = raw.test.map(String);
  if (Array.isArray(out.test) && out.test[0] === 'NONE') out.disable = true;
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval']) if (typeof out[k] === 'number') out[k] = `${out[k] as number}s`;
  if (out.disable === false) delete out.disable;
  return out as Healthcheck;
}

/** Top-level networks/volumes: daemon names `<project>_<key>` unless `name:` or external. */
export function normalizeResources<T extends Network | Volume>(section: unknown, project: string): Record<string, T> {
  const out: Record<string, T> = {};
  if (!isPlainMap(section)) return out;
  for (const [key, def] of Object.entries(section)) {
    const d: Dict = isPlainMap(def) ? { ...def } : {};
    let external = d.external;
    if (isPlainMap(external)) {
      // Legacy `external: {name: x}`.
      if (typeof external.name === 'string') d.name = external.name;
      external = true;
    }
    if (external === true) d.external = true;
    else delete d.external;
    const name = typeof d.name === 'string' ? d.name : external === true ? key : `${project}_${key}`;
    out[key] = { ...d, name } as T;
  }
  return out;
}

/** Top-level secrets/configs. */
export function normalizeFileObjects(section: unknown, project: string): Record<string, FileObject> {
  const out: Record<string, FileObject> = {};
  if (!isPlainMap(section)) return out;
  for (const [key, def] of Object.entries(section)) {
    const d: Dict = isPlainMap(def) ? { ...def } : {};
    if (isPlainMap(d.external)) {
      // Legacy `external: {name: x}`, as for networks and volumes.
      if (typeof d.external.name === 'string') d.name = d.external.name;
      d.external = true;
    }
    if (d.external !== true) delete d.external;
    const name = typeof d.name === 'string' ? d.name : d.external === true ? key : `${project}_${key}`;
    out[key] = { ...d, name } as FileObject;
  }
  return out;
}

