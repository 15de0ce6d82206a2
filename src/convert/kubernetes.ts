/**
 * Project → Kubernetes manifests. Pure: file contents of secrets/configs come in through
 * `readFile`, the CLI writes the output.
 *
 *  - a Deployment per service, a StatefulSet when it mounts a named volume (a volume only it
 *    uses becomes a volumeClaimTemplate; one shared by several services a PersistentVolumeClaim);
 *  - Services (kubernetes-services.ts), ConfigMaps for configs, Secrets for secrets;
 *  - placement by platform and the Windows rules (kubernetes-windows.ts);
 *  - healthchecks as readiness probes, `service_healthy` as wait init containers;
 *  - address references as Service DNS names (cluster-addresses.ts).
 */
import type { FileObject, Project, Service } from '../model/project.js';
import { durationNs } from '../model/units.js';
import { clusterAddressValues, withClusterAddresses } from './cluster-addresses.js';
import { containerOf, containerVolumes } from './kubernetes-container.js';
import { kubeName, objectMeta, selectorLabels } from './kubernetes-names.js';
import { servicePorts, servicesOf, waitContainers, type WaitImages } from './kubernetes-services.js';
import { podPlacement, windowsDrops, type WindowsPlacementOptions } from './kubernetes-windows.js';
import { ProblemList, type ConvertProblem } from './problems.js';

type Dict = Record<string, unknown>;

export interface KubernetesConvertOptions extends WindowsPlacementOptions {
  /** Contents of a secret/config `file:` (the caller reads it); undefined when it cannot be read. */
  readonly readFile?: (path: string) => string | undefined;
  /** Storage request of each claim (default "1Gi"). */
  readonly storageSize?: string;
  readonly waitImages?: WaitImages;
}

export interface KubernetesManifests {
  /** In apply order: ConfigMaps, Secrets, PersistentVolumeClaims, Services, workloads. */
  readonly manifests: readonly Dict[];
  readonly problems: readonly ConvertProblem[];
}

const KIND_ORDER = ['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service', 'StatefulSet', 'Deployment'];

function claimSpec(size: string): Dict {
  return { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } };
}

/** Which services mount each named volume. */
function volumeUsers(project: Project): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const s of Object.values(project.services)) {
    for (const v of s.volumes) {
      if (v.type !== 'volume' || !v.source) continue;
      const list = users.get(v.source) ?? [];
      if (!list.includes(s.name)) list.push(s.name);
      users.set(v.source, list);
    }
  }
  return users;
}

function fileObjectData(project: Project, kind: 'secrets' | 'configs', key: string, object: FileObject, options: KubernetesConvertOptions, problems: ProblemList): string {
  if (object.content !== undefined) return object.content;
  if (object.environment !== undefined) {
    const value = project.environment[object.environment];
    if (value === undefined) problems.warn(`${kind}.${key}: environment variable ${object.environment} is not set; written empty`, undefined, [kind, key]);
    return value ?? '';
  }
  const text = object.file ? options.readFile?.(object.file) : undefined;
  if (text === undefined) problems.warn(`${kind}.${key}: ${object.file ?? 'its file'} could not be read; written empty`, undefined, [kind, key]);
  return text ?? '';
}

function fileObjectManifests(project: Project, options: KubernetesConvertOptions, problems: ProblemList): Dict[] {
  const out: Dict[] = [];
  for (const kind of ['configs', 'secrets'] as const) {
    for (const [key, object] of Object.entries(project[kind]).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (object.external) {
        problems.warn(`${kind}.${key} is external: a ${kind === 'secrets' ? 'Secret' : 'ConfigMap'} named ${kubeName(object.name)} with the key ${key} must exist`, undefined, [kind, key]);
        continue;
      }
      const data = { [key]: fileObjectData(project, kind, key, object, options, problems) };
      const metadata = objectMeta(project.name, kubeName(object.name));
      out.push(kind === 'secrets' ? { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', stringData: data } : { apiVersion: 'v1', kind: 'ConfigMap', metadata, data });
    }
  }
  return out;
}

/** extra_hosts → hostAliases (Linux pods; Windows containers ignore host entries), dns/dns_search → dnsConfig. */
function nameSettings(service: Service, problems: ProblemList): Dict {
  const out: Dict = {};
  if (service.extra_hosts.length && service.platform.os === 'windows') {
    problems.warn('extra_hosts dropped: Windows containers do not read host entries (moby/moby#41165); use DNS names', service.name, ['services', service.name, 'extra_hosts']);
  } else if (service.extra_hosts.length) {
    const byIp = new Map<string, string[]>();
    for (const entry of service.extra_hosts) {
      const at = entry.indexOf('=');
      const ip = entry.slice(at + 1);
      byIp.set(ip, [...(byIp.get(ip) ?? []), entry.slice(0, at)]);
    }
    out.hostAliases = [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));
  }
  if (service.dns?.length || service.dns_search?.length) {
    out.dnsConfig = { ...(service.dns?.length ? { nameservers: [...service.dns] } : {}), ...(service.dns_search?.length ? { searches: [...service.dns_search] } : {}) };
  }
  return out;
}

function replicasOf(service: Service): number {
  const replicas = service.deploy?.replicas;
  return typeof replicas === 'number' ? replicas : (service.scale ?? 1);
}

function workloadOf(project: Project, original: Service, ports: ReturnType<typeof servicePorts>, shared: ReadonlySet<string>, options: KubernetesConvertOptions, problems: ProblemList): Dict {
  const service = withClusterAddresses(original, clusterAddressValues(project, original, kubeName, problems));
  if (service.build && !service.image) {
    problems.error('build: a cluster cannot build; set image: to a name the nodes can pull, then build and push it', service.name, ['services', service.name, 'build']);
  } else if (service.build) {
    problems.warn(`build: ignored; push ${service.image} where every node can pull it`, service.name, ['services', service.name, 'build']);
  }
  if (service.restart === 'no' || service.restart?.startsWith('on-failure')) {
    problems.warn(`restart: ${service.restart} is not available for a long-running workload; its pods always restart (a Job runs to completion)`, service.name, ['services', service.name, 'restart']);
  }
  const dropped = windowsDrops(service, problems);
  const { volumes, mounts, claims } = containerVolumes(project, service, dropped, problems);
  const size = options.storageSize ?? '1Gi';
  const templates = claims.filter((c) => !shared.has(c));
  for (const c of claims.filter((c) => shared.has(c))) volumes.push({ name: kubeName(c), persistentVolumeClaim: { claimName: kubeName(project.volumes[c]?.name ?? c) } });
  const pod: Dict = { ...podPlacement(service, options) };
  const init = waitContainers(project, service, ports, options.waitImages ?? {}, problems);
  if (init.length) pod.initContainers = init;
  pod.containers = [containerOf(service, mounts, dropped, problems)];
  if (volumes.length) pod.volumes = volumes;
  if (service.hostname) pod.hostname = kubeName(service.hostname);
  Object.assign(pod, nameSettings(service, problems));
  if (service.network_mode === 'host' && !dropped.has('network_mode')) pod.hostNetwork = true;
  const grace = durationNs(service.stop_grace_period);
  if (grace !== undefined) pod.terminationGracePeriodSeconds = Math.ceil(grace / 1e9);
  if (Object.keys(service.labels).length) {
    problems.warn('labels become pod annotations (compose labels are container metadata, Kubernetes labels select)', service.name, ['services', service.name, 'labels']);
  }
  const name = kubeName(service.name);
  const selector = selectorLabels(project.name, service.name);
  const template: Dict = { metadata: { labels: selector, ...(Object.keys(service.labels).length ? { annotations: { ...service.labels } } : {}) }, spec: pod };
  const spec: Dict = { replicas: replicasOf(service), selector: { matchLabels: selector }, template };
  if (claims.length) {
    spec.serviceName = name;
    if (templates.length) spec.volumeClaimTemplates = templates.map((c) => ({ metadata: { name: kubeName(c) }, spec: claimSpec(size) }));
    return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: objectMeta(project.name, name, service.name), spec };
  }
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: objectMeta(project.name, name, service.name), spec };
}

/** The manifests of a project, sorted by kind (apply order) then name. */
export function convertToKubernetes(project: Project, options: KubernetesConvertOptions = {}): KubernetesManifests {
  const problems = new ProblemList();
  const ports = servicePorts(project);
  const users = volumeUsers(project);
  const shared = new Set([...users].filter(([, list]) => list.length > 1).map(([key]) => key));
  const manifests: Dict[] = fileObjectManifests(project, options, problems);
  for (const key of [...shared].sort()) {
    problems.warn(`volume ${key} is mounted by ${users.get(key)!.join(', ')}: one PersistentVolumeClaim is shared, which needs ReadWriteMany storage when their pods land on different nodes`, undefined, ['volumes', key]);
    const volume = project.volumes[key];
    manifests.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: objectMeta(project.name, kubeName(volume?.name ?? key)), spec: claimSpec(options.storageSize ?? '1Gi') });
  }
  for (const name of Object.keys(project.services).sort()) {
    const service = project.services[name]!;
    const needsService = ports.has(name) || service.volumes.some((v) => v.type === 'volume' && v.source);
    if (needsService) manifests.push(...servicesOf(project, service, ports.get(name) ?? []));
    manifests.push(workloadOf(project, service, ports, shared, options, problems));
  }
  const rank = (m: Dict) => KIND_ORDER.indexOf(m.kind as string);
  const nameOf = (m: Dict) => (m.metadata as { name: string }).name;
  manifests.sort((a, b) => rank(a) - rank(b) || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  return { manifests, problems: problems.items };
}
