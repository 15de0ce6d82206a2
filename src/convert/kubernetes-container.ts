/**
 * One compose service → its container (and the pod volumes the container mounts). Healthchecks
 * become readiness probes: a Service sends traffic to a pod only while it is ready, which is what
 * compose's `service_healthy` waits for.
 */
import type { Project, Service } from '../model/project.js';
import { bytes, durationNs } from '../model/units.js';
import { kubeName } from './kubernetes-names.js';
import type { ProblemList } from './problems.js';

type Dict = Record<string, unknown>;

/** Pod volumes and the container's mounts; named volumes are claims (see kubernetes.ts). */
export interface ContainerVolumes {
  readonly volumes: Dict[];
  readonly mounts: Dict[];
  /** Named volume keys the container mounts. */
  readonly claims: string[];
}

function seconds(value: string | undefined, minimum: number): number | undefined {
  const ns = durationNs(value);
  return ns === undefined ? undefined : Math.max(minimum, Math.ceil(ns / 1e9));
}

/** compose healthcheck → readinessProbe (exec); undefined when there is none or it is disabled. */
export function readinessProbe(service: Service): Dict | undefined {
  const hc = service.healthcheck;
  if (!hc || hc.disable || !hc.test?.length || hc.test[0] === 'NONE') return undefined;
  const [kind, ...rest] = hc.test;
  let command: string[];
  if (kind === 'CMD') command = rest;
  else if (kind === 'CMD-SHELL') command = service.platform.os === 'windows' ? ['cmd', '/S', '/C', rest.join(' ')] : ['/bin/sh', '-c', rest.join(' ')];
  else command = service.platform.os === 'windows' ? ['cmd', '/S', '/C', hc.test.join(' ')] : ['/bin/sh', '-c', hc.test.join(' ')];
  const probe: Dict = { exec: { command } };
  const period = seconds(hc.interval, 1);
  const timeout = seconds(hc.timeout, 1);
  const initial = seconds(hc.start_period, 0);
  if (period !== undefined) probe.periodSeconds = period;
  if (timeout !== undefined) probe.timeoutSeconds = timeout;
  if (hc.retries !== undefined) probe.failureThreshold = Math.max(1, hc.retries);
  if (initial !== undefined) probe.initialDelaySeconds = initial;
  return probe;
}

/** Container ports: every published target and every `expose`d port, once each. */
export function containerPorts(service: Service): { containerPort: number; protocol: string }[] {
  const seen = new Map<string, { containerPort: number; protocol: string }>();
  const add = (port: number, protocol: string) => {
    const p = protocol.toUpperCase();
    if (port >= 1 && port <= 65535 && ['TCP', 'UDP', 'SCTP'].includes(p)) seen.set(`${port}/${p}`, { containerPort: port, protocol: p });
  };
  for (const p of service.ports) add(p.target, p.protocol);
  for (const e of service.expose) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(String(e));
    if (!m) continue;
    const last = m[2] ? Math.min(Number(m[2]), Number(m[1]) + 100) : Number(m[1]);
    for (let port = Number(m[1]); port <= last; port++) add(port, m[3] ?? 'tcp');
  }
  return [...seen.values()].sort((a, b) => a.containerPort - b.containerPort || (a.protocol < b.protocol ? -1 : 1));
}

function securityContext(service: Service, dropped: ReadonlySet<string>, problems: ProblemList): Dict | undefined {
  const out: Dict = {};
  const keep = (key: string) => !dropped.has(key);
  if (service.privileged && keep('privileged')) out.privileged = true;
  if (service.read_only && keep('read_only')) out.readOnlyRootFilesystem = true;
  const capabilities: Dict = {};
  if (service.cap_add?.length && keep('cap_add')) capabilities.add = [...service.cap_add];
  if (service.cap_drop?.length && keep('cap_drop')) capabilities.drop = [...service.cap_drop];
  if (Object.keys(capabilities).length) out.capabilities = capabilities;
  if (service.user && keep('user')) {
    const numeric = /^(\d+)(?::(\d+))?$/.exec(service.user);
    if (numeric) {
      out.runAsUser = Number(numeric[1]);
      if (numeric[2]) out.runAsGroup = Number(numeric[2]);
    } else if (service.platform.os === 'windows') out.windowsOptions = { runAsUserName: service.user };
    else problems.warn(`user ${service.user} dropped: Kubernetes takes a numeric runAsUser on Linux`, service.name, ['services', service.name, 'user']);
  }
  return Object.keys(out).length ? out : undefined;
}

function resources(service: Service): Dict | undefined {
  const deployLimits = ((service.deploy?.resources as Dict | undefined)?.limits ?? {}) as Dict;
  const limits: Dict = {};
  const cpus = deployLimits.cpus ?? service.cpus;
  const memory = bytes((deployLimits.memory as string | number | undefined) ?? service.mem_limit);
  if (cpus !== undefined) limits.cpu = String(cpus);
  if (memory !== undefined) limits.memory = String(memory);
  return Object.keys(limits).length ? { limits } : undefined;
}

/** Where compose mounts secrets and configs by default, per OS. */
function defaultTarget(service: Service, kind: 'secrets' | 'configs', source: string): string {
  if (service.platform.os === 'windows') return kind === 'secrets' ? `C:\\ProgramData\\Docker\\secrets\\${source}` : `C:\\${source}`;
  return kind === 'secrets' ? `/run/secrets/${source}` : `/${source}`;
}

/** Pod volumes and mounts: named volumes (claims), anonymous ones, binds, tmpfs, secrets, configs. */
export function containerVolumes(project: Project, service: Service, dropped: ReadonlySet<string>, problems: ProblemList): ContainerVolumes {
  const volumes: Dict[] = [];
  const mounts: Dict[] = [];
  const claims: string[] = [];
  service.volumes.forEach((v, i) => {
    const readOnly = v.read_only ? { readOnly: true } : {};
    const path = ['services', service.name, 'volumes', i];
    if (v.type === 'volume' && v.source) {
      const name = kubeName(v.source);
      if (!claims.includes(v.source)) claims.push(v.source);
      mounts.push({ name, mountPath: v.target, ...(v.volume?.subpath ? { subPath: v.volume.subpath } : {}), ...readOnly });
      return;
    }
    const name = `${v.type === 'volume' ? 'anon' : v.type}-${i}`;
    if (v.type === 'volume') volumes.push({ name, emptyDir: {} });
    else if (v.type === 'bind' || v.type === 'npipe') {
      problems.warn(`volumes[${i}]: bind mount ${v.source} becomes a hostPath volume: the path must exist on the node the pod lands on`, service.name, path);
      volumes.push({ name, hostPath: { path: v.source } });
    } else if (v.type === 'tmpfs') {
      volumes.push({ name, emptyDir: service.platform.os === 'windows' ? {} : { medium: 'Memory' } });
    } else {
      problems.warn(`volumes[${i}]: type ${v.type} has no Kubernetes equivalent; dropped`, service.name, path);
      return;
    }
    mounts.push({ name, mountPath: v.target, ...readOnly });
  });
  if (!dropped.has('tmpfs')) {
    (service.tmpfs ?? []).forEach((t, i) => {
      const name = `tmpfs-short-${i}`;
      volumes.push({ name, emptyDir: { medium: 'Memory' } });
      mounts.push({ name, mountPath: t.split(':')[0] });
    });
  }
  for (const kind of ['secrets', 'configs'] as const) {
    for (const ref of service[kind]) {
      const object = project[kind][ref.source];
      if (!object) continue;
      const name = `${kind === 'secrets' ? 'secret' : 'config'}-${kubeName(ref.source)}`;
      if (!volumes.some((v) => v.name === name)) {
        const objectName = kubeName(object.name);
        volumes.push(kind === 'secrets' ? { name, secret: { secretName: objectName } } : { name, configMap: { name: objectName } });
      }
      const target = ref.target ? (ref.target.startsWith('/') || /^[A-Za-z]:/.test(ref.target) ? ref.target : defaultTarget(service, kind, ref.target)) : defaultTarget(service, kind, ref.source);
      mounts.push({ name, mountPath: target, subPath: ref.source, readOnly: true });
    }
  }
  return { volumes, mounts, claims };
}

/** The container of a service (env and command already carry the cluster addresses). */
export function containerOf(service: Service, mounts: readonly Dict[], dropped: ReadonlySet<string>, problems: ProblemList): Dict {
  const container: Dict = { name: kubeName(service.name) };
  if (service.image) container.image = service.image;
  if (service.entrypoint?.length) container.command = [...service.entrypoint];
  if (service.command?.length) container.args = [...service.command];
  const env = Object.entries(service.environment)
    .filter((e): e is [string, string] => e[1] !== null)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => ({ name, value }));
  if (env.length) container.env = env;
  const ports = containerPorts(service);
  if (ports.length) container.ports = ports;
  if (service.working_dir) container.workingDir = service.working_dir;
  const security = securityContext(service, dropped, problems);
  if (security) container.securityContext = security;
  const limits = resources(service);
  if (limits) container.resources = limits;
  const probe = readinessProbe(service);
  if (probe) container.readinessProbe = probe;
  if (mounts.length) container.volumeMounts = [...mounts];
  if (service.tty) container.tty = true;
  if (service.stdin_open) container.stdin = true;
  return container;
}
