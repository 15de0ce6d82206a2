/**
 * Services for a compose project, and the init containers that stand in for
 * `depends_on: {condition: service_healthy}`.
 *
 * A compose service gets a Service when something reaches it: it has ports or `expose`, another
 * service names it in an address reference, or waits for it. The Service listens on the container
 * ports (so `{{ db.port:5432 }}` → 5432 holds in the cluster too). Published ports also get a
 * `<name>-published` LoadBalancer that listens on the published port. A service with no port gets a
 * headless Service: its name resolves only while a pod is ready, which is what a wait needs.
 */
import type { Project, Service } from '../model/project.js';
import { containerPorts } from './kubernetes-container.js';
import { kubeName, objectMeta, selectorLabels } from './kubernetes-names.js';
import { windowsBuild } from './kubernetes-windows.js';
import type { ProblemList } from './problems.js';

type Dict = Record<string, unknown>;

/** Images of the wait init containers, per OS. */
export interface WaitImages {
  readonly linux?: string;
  /** Default: PowerShell on Nano Server for the node build of the waiting service's image (ltsc2022 when unknown). */
  readonly windows?: string;
}

export const DEFAULT_LINUX_WAIT_IMAGE = 'busybox:1.36';

/** Container ports the Service listens on, per compose service: own ports and every referenced port. */
export function servicePorts(project: Project): Map<string, { port: number; protocol: string }[]> {
  const ports = new Map<string, Map<string, { port: number; protocol: string }>>();
  const add = (service: string, port: number, protocol: string) => {
    if (!ports.has(service)) ports.set(service, new Map());
    ports.get(service)!.set(`${port}/${protocol}`, { port, protocol });
  };
  for (const s of Object.values(project.services)) {
    for (const p of containerPorts(s)) add(s.name, p.containerPort, p.protocol);
    for (const ref of s.addressReferences ?? []) {
      if (!project.services[ref.service]) continue;
      if (ref.port !== undefined) add(ref.service, ref.port, 'TCP');
      else if (!ports.has(ref.service)) ports.set(ref.service, new Map());
    }
    for (const dependency of Object.keys(s.depends_on)) if (project.services[dependency] && !ports.has(dependency)) ports.set(dependency, new Map());
  }
  return new Map([...ports].map(([service, byKey]) => [service, [...byKey.values()].sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : 1))]));
}

/** The Service (and the LoadBalancer for published ports) of one compose service. */
export function servicesOf(project: Project, service: Service, ports: readonly { port: number; protocol: string }[]): Dict[] {
  const name = kubeName(service.name);
  const selector = selectorLabels(project.name, service.name);
  const out: Dict[] = [];
  const spec: Dict = { selector };
  if (ports.length) spec.ports = ports.map((p) => ({ name: `${p.protocol.toLowerCase()}-${p.port}`, port: p.port, targetPort: p.port, protocol: p.protocol }));
  else spec.clusterIP = 'None';
  out.push({ apiVersion: 'v1', kind: 'Service', metadata: objectMeta(project.name, name, service.name), spec });
  const published = service.ports.filter((p) => p.published !== undefined && /^\d+$/.test(p.published));
  if (published.length) {
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: objectMeta(project.name, `${name}-published`, service.name),
      spec: {
        type: 'LoadBalancer',
        selector,
        ports: published.map((p) => ({ name: `${p.protocol.toLowerCase()}-${p.published}`, port: Number(p.published), targetPort: p.target, protocol: p.protocol.toUpperCase() })),
      },
    });
  }
  return out;
}

/** The default PowerShell image for a waiting Windows pod: the same Windows build as its own image. */
function windowsWaitImage(service: Service): string {
  const build = windowsBuild(service.image);
  const tag = build === '10.0.17763' ? 'ltsc2019' : build === '10.0.26100' ? 'ltsc2025' : 'ltsc2022';
  return `mcr.microsoft.com/powershell:lts-nanoserver-${tag}`;
}

/** One init container per `service_healthy` dependency: it waits until the dependency's Service answers. */
export function waitContainers(
  project: Project,
  service: Service,
  ports: ReadonlyMap<string, readonly { port: number; protocol: string }[]>,
  images: WaitImages,
  problems: ProblemList,
): Dict[] {
  const out: Dict[] = [];
  for (const [dependency, d] of Object.entries(service.depends_on).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!project.services[dependency]) continue;
    if (d.condition === 'service_completed_successfully') {
      problems.warn(`depends_on ${dependency} (condition: service_completed_successfully) has no equivalent between Kubernetes workloads; run ${dependency} as a Job or an init container`, service.name, ['services', service.name, 'depends_on', dependency]);
      continue;
    }
    if (d.condition !== 'service_healthy') continue;
    const host = kubeName(dependency);
    const tcp = ports.get(dependency)?.find((p) => p.protocol === 'TCP');
    const name = `wait-for-${host}`.slice(0, 63);
    if (service.platform.os === 'windows') {
      const test = tcp ? `Test-Connection -TargetName ${host} -TcpPort ${tcp.port} -Quiet` : `Resolve-DnsName ${host} -ErrorAction SilentlyContinue`;
      out.push({ name, image: images.windows ?? windowsWaitImage(service), command: ['pwsh', '-NoProfile', '-Command', `while (-not (${test})) { Write-Output 'waiting for ${host}'; Start-Sleep -Seconds 2 }`] });
    } else {
      const test = tcp ? `nc -z -w 2 ${host} ${tcp.port}` : `nslookup ${host}`;
      out.push({ name, image: images.linux ?? DEFAULT_LINUX_WAIT_IMAGE, command: ['sh', '-c', `until ${test} >/dev/null 2>&1; do echo waiting for ${host}; sleep 2; done`] });
    }
  }
  return out;
}
