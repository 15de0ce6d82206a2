/**
 * The stack document of `convert --to swarm` → Engine API bodies, named and labelled as
 * `docker stack deploy` does (`<stack>_<key>`, label com.docker.stack.namespace=<stack>), so the
 * docker CLI (`docker stack ps <stack>`) sees a mixcompose deploy as a stack.
 *
 * Each body carries a hash of itself (LABEL_SPEC_HASH): a second deploy of the same file compares
 * hashes and changes nothing. Secrets and configs cannot change in a swarm, so their names end in
 * a hash of their data: new data is a new object, and the old one is pruned once no service uses it.
 */
import { createHash } from 'node:crypto';
import type { EngineBody } from '../model/engine-api.js';
import { bytes, durationNs } from '../model/units.js';

type Dict = Record<string, any>;

export const LABEL_NAMESPACE = 'com.docker.stack.namespace';
export const LABEL_STACK_IMAGE = 'com.docker.stack.image';
export const LABEL_SPEC_HASH = 'io.mixcompose.swarm.spec-hash';

/** A hex hash of a JSON value (keys in the order written: the builders write them deterministically). */
export function specHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** `<stack>_<key>`, the name docker stack deploy gives what the file does not name itself. */
export const scoped = (stack: string, key: string) => `${stack}_${key}`;

/** The daemon name of a network/volume of the document (explicit `name:` or `<stack>_<key>`). */
export function resourceName(stack: string, key: string, definition: Dict | undefined): string {
  return typeof definition?.name === 'string' ? definition.name : scoped(stack, key);
}

/** POST /networks/create body of an overlay network of the stack. */
export function networkBody(stack: string, key: string, definition: Dict): EngineBody {
  const labels = { ...(definition.labels ?? {}), [LABEL_NAMESPACE]: stack };
  const ipam = definition.ipam?.config ? { Driver: definition.ipam.driver ?? 'default', Config: definition.ipam.config.map((c: Dict) => ({ Subnet: c.subnet, Gateway: c.gateway, IPRange: c.ip_range })) } : undefined;
  return {
    Name: resourceName(stack, key, definition),
    Driver: definition.driver ?? 'overlay',
    Scope: 'swarm',
    Attachable: Boolean(definition.attachable),
    Internal: Boolean(definition.internal),
    Options: definition.driver_opts ?? {},
    Labels: labels,
    ...(ipam ? { IPAM: ipam } : {}),
    CheckDuplicate: true,
  };
}

/** SecretSpec / ConfigSpec: name `<stack>_<key>_<hash of data, 10>`, data base64. */
export function fileObjectSpec(stack: string, key: string, data: Buffer, labels: Readonly<Record<string, string>> = {}): EngineBody {
  const hash = createHash('sha256').update(data).digest('hex');
  return { Name: `${scoped(stack, key)}_${hash.slice(0, 10)}`, Labels: { ...labels, [LABEL_NAMESPACE]: stack, [LABEL_SPEC_HASH]: hash }, Data: data.toString('base64') };
}

const ns = (value: unknown) => durationNs(value as string | number | undefined);

function healthcheckSpec(hc: Dict | undefined): Dict | undefined {
  if (!hc) return undefined;
  if (hc.disable) return { Test: ['NONE'] };
  const out: Dict = {};
  if (hc.test) out.Test = typeof hc.test === 'string' ? ['CMD-SHELL', hc.test] : hc.test;
  for (const [from, to] of [['interval', 'Interval'], ['timeout', 'Timeout'], ['start_period', 'StartPeriod']] as const) if (hc[from] !== undefined) out[to] = ns(hc[from]);
  if (hc.retries !== undefined) out.Retries = hc.retries;
  return out;
}

function mountsSpec(stack: string, volumes: readonly Dict[] | undefined, topVolumes: Dict): Dict[] {
  return (volumes ?? []).map((v) => {
    const m: Dict = { Type: v.type, Target: v.target };
    if (v.read_only) m.ReadOnly = true;
    if (v.type === 'volume' && v.source) {
      const definition = topVolumes[v.source] as Dict | undefined;
      m.Source = resourceName(stack, v.source, definition);
      m.VolumeOptions = { Labels: { [LABEL_NAMESPACE]: stack }, ...(v.volume?.nocopy ? { NoCopy: true } : {}), ...(definition?.driver ? { DriverConfig: { Name: definition.driver, Options: definition.driver_opts ?? {} } } : {}) };
    } else if (v.source !== undefined) m.Source = v.source;
    if (v.bind?.propagation) m.BindOptions = { Propagation: v.bind.propagation };
    if (v.tmpfs?.size !== undefined) m.TmpfsOptions = { SizeBytes: bytes(v.tmpfs.size) };
    return m;
  });
}

/** Secret/config references of a service: the object's ID and name, and the file in the container. */
function fileReferences(refs: readonly Dict[] | undefined, ids: ReadonlyMap<string, { id: string; name: string }>, kind: 'Secret' | 'Config', windows: boolean): Dict[] {
  return (refs ?? []).flatMap((ref) => {
    const object = ids.get(ref.source);
    if (!object) return [];
    const file = { Name: ref.target ?? ref.source, UID: ref.uid ?? '0', GID: ref.gid ?? '0', Mode: ref.mode ?? 0o444 };
    return [{ File: windows ? { Name: file.Name } : file, [`${kind}ID`]: object.id, [`${kind}Name`]: object.name }];
  });
}

function restartSpec(policy: Dict | undefined): Dict | undefined {
  if (!policy) return undefined;
  const conditions: Record<string, string> = { none: 'none', 'on-failure': 'on-failure', any: 'any' };
  return {
    Condition: conditions[policy.condition] ?? 'any',
    ...(policy.delay !== undefined ? { Delay: ns(policy.delay) } : {}),
    ...(policy.max_attempts !== undefined ? { MaxAttempts: policy.max_attempts } : {}),
    ...(policy.window !== undefined ? { Window: ns(policy.window) } : {}),
  };
}

function resourcesSpec(resources: Dict | undefined): Dict | undefined {
  if (!resources) return undefined;
  const one = (r: Dict | undefined) => (r ? { ...(r.cpus !== undefined ? { NanoCPUs: Math.round(Number(r.cpus) * 1e9) } : {}), ...(r.memory !== undefined ? { MemoryBytes: bytes(r.memory) } : {}) } : undefined);
  const limits = one(resources.limits);
  const reservations = one(resources.reservations);
  return { ...(limits ? { Limits: limits } : {}), ...(reservations ? { Reservations: reservations } : {}) };
}

export interface ServiceSpecContext {
  readonly stack: string;
  readonly document: Dict;
  readonly secrets: ReadonlyMap<string, { id: string; name: string }>;
  readonly configs: ReadonlyMap<string, { id: string; name: string }>;
}

function containerSpec(ctx: ServiceSpecContext, s: Dict, windows: boolean): Dict {
  const c: Dict = { Image: s.image, Labels: { ...(s.labels ?? {}), [LABEL_NAMESPACE]: ctx.stack } };
  if (s.entrypoint) c.Command = s.entrypoint;
  if (s.command) c.Args = s.command;
  if (s.environment) c.Env = Object.entries(s.environment as Dict).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${k}=${String(v)}`).sort();
  if (s.working_dir) c.Dir = s.working_dir;
  if (s.user) c.User = s.user;
  if (s.hostname) c.Hostname = s.hostname;
  // The model holds extra_hosts as "name=ip" (IPv6 addresses keep their colons); the Engine wants "ip name".
  if (s.extra_hosts?.length) c.Hosts = (s.extra_hosts as string[]).map((h) => `${h.slice(h.indexOf('=') + 1)} ${h.slice(0, h.indexOf('='))}`);
  if (s.dns || s.dns_search) c.DNSConfig = { ...(s.dns ? { Nameservers: s.dns } : {}), ...(s.dns_search ? { Search: s.dns_search } : {}) };
  const mounts = mountsSpec(ctx.stack, s.volumes, (ctx.document.volumes ?? {}) as Dict);
  if (mounts.length) c.Mounts = mounts;
  const secrets = fileReferences(s.secrets, ctx.secrets, 'Secret', windows);
  if (secrets.length) c.Secrets = secrets;
  const configs = fileReferences(s.configs, ctx.configs, 'Config', windows);
  if (configs.length) c.Configs = configs;
  const health = healthcheckSpec(s.healthcheck);
  if (health) c.Healthcheck = health;
  if (s.stop_grace_period !== undefined) c.StopGracePeriod = ns(s.stop_grace_period);
  if (s.stop_signal) c.StopSignal = s.stop_signal;
  if (s.init !== undefined) c.Init = s.init;
  if (s.tty) c.TTY = true;
  if (s.stdin_open) c.OpenStdin = true;
  if (s.read_only) c.ReadOnly = true;
  if (s.cap_add) c.CapabilityAdd = s.cap_add;
  if (s.cap_drop) c.CapabilityDrop = s.cap_drop;
  if (s.sysctls) c.Sysctls = s.sysctls;
  return c;
}

/** POST /services/create body of one service of the document, with its spec hash label. */
export function serviceSpec(ctx: ServiceSpecContext, key: string): EngineBody {
  const s = ctx.document.services[key] as Dict;
  const deploy = (s.deploy ?? {}) as Dict;
  const windows = (deploy.placement?.constraints ?? []).some((c: string) => /node\.platform\.os\s*==\s*windows/.test(c));
  const topNetworks = (ctx.document.networks ?? {}) as Dict;
  const task: Dict = {
    ContainerSpec: containerSpec(ctx, s, windows),
    Placement: { Constraints: deploy.placement?.constraints ?? [], ...(deploy.placement?.preferences ? { Preferences: deploy.placement.preferences.map((p: Dict) => ({ Spread: { SpreadDescriptor: p.spread } })) } : {}), ...(deploy.placement?.max_replicas_per_node !== undefined ? { MaxReplicas: deploy.placement.max_replicas_per_node } : {}) },
    Networks: Object.entries((s.networks ?? {}) as Dict).map(([n, config]) => ({ Target: resourceName(ctx.stack, n, topNetworks[n]), Aliases: [key, ...((config?.aliases as string[] | undefined) ?? [])] })),
    ForceUpdate: 0,
  };
  const restart = restartSpec(deploy.restart_policy);
  if (restart) task.RestartPolicy = restart;
  const resources = resourcesSpec(deploy.resources);
  if (resources) task.Resources = resources;
  if (s.logging?.driver) task.LogDriver = { Name: s.logging.driver, Options: s.logging.options ?? {} };
  const ports = ((s.ports ?? []) as Dict[]).map((p) => ({ Protocol: p.protocol ?? 'tcp', TargetPort: p.target, ...(p.published !== undefined ? { PublishedPort: p.published } : {}), PublishMode: p.mode ?? 'ingress' }));
  const spec: Dict = {
    Name: scoped(ctx.stack, key),
    Labels: { ...(deploy.labels ?? {}), [LABEL_NAMESPACE]: ctx.stack, [LABEL_STACK_IMAGE]: s.image },
    TaskTemplate: task,
    Mode: deploy.mode === 'global' ? { Global: {} } : { Replicated: { Replicas: deploy.replicas ?? 1 } },
    EndpointSpec: { Mode: deploy.endpoint_mode ?? 'vip', ...(ports.length ? { Ports: ports } : {}) },
  };
  spec.Labels[LABEL_SPEC_HASH] = specHash(spec);
  return spec;
}
