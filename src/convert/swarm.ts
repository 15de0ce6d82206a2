/**
 * Project → a stack file for `docker stack deploy` (compose file format 3.9, which docker 20.10 and
 * later read). Pure: the CLI prints the document and the problems.
 *
 * What changes on the way, and why:
 *  - each service is placed by its platform: `node.platform.os == <os>` joins the user's
 *    `deploy.placement.constraints` (swarm-placement.ts);
 *  - networks become overlay networks (a bridge or nat network exists on one node only);
 *  - address references become service names and container ports (cluster-addresses.ts);
 *  - `build:` cannot run on a swarm: a service needs an `image:` pushed where the nodes pull;
 *  - what `docker stack deploy` ignores (depends_on, container_name, links, ...) is dropped with a
 *    warning each, so nobody relies on it silently;
 *  - Windows: no `isolation` for services (moby/moby#34375), no encrypted overlay for Windows
 *    tasks, and on nodes without the routing mesh (Windows Server 2016) `endpoint_mode: dnsrr`
 *    with host-mode ports.
 */
import type { Network, Project, Service } from '../model/project.js';
import { clusterAddressValues, withClusterAddresses } from './cluster-addresses.js';
import { ProblemList, type ConvertProblem } from './problems.js';
import { platformConstraints } from './swarm-placement.js';

type Dict = Record<string, unknown>;

export interface SwarmConvertOptions {
  /**
   * Whether the Windows nodes have the routing mesh (Windows Server 2019 and later: yes, the
   * default). false: Windows services get `endpoint_mode: dnsrr` and host-mode published ports.
   */
  readonly windowsRoutingMesh?: boolean;
}

/** A stack file as a plain document, keys in print order. */
export interface SwarmStack {
  readonly document: Dict;
  readonly problems: readonly ConvertProblem[];
}

/** The compose file format version written: the last one of the v3 line. */
export const STACK_FILE_VERSION = '3.9';

/** Keys carried as they are (the v3.9 service keys mixcompose's model holds in the same shape). */
const CARRIED = [
  'command', 'entrypoint', 'hostname', 'domainname', 'user', 'working_dir', 'stop_signal', 'stop_grace_period',
  'dns', 'dns_search', 'cap_add', 'cap_drop', 'sysctls', 'ulimits', 'logging', 'init', 'tty', 'stdin_open',
] as const;

/** Keys `docker stack deploy` does not apply to services, with what to do instead. */
const DROPPED: Readonly<Record<string, string>> = {
  container_name: 'Swarm names the tasks itself; reach the service by its name',
  links: 'every service on a shared overlay network resolves by its name',
  network_mode: 'Swarm services attach to overlay networks only',
  privileged: 'Swarm services cannot run privileged',
  devices: 'Swarm services cannot map devices',
  volumes_from: 'Swarm services cannot share another container\'s volumes; use a named volume',
  pid: 'not supported by Swarm services',
  ipc: 'not supported by Swarm services',
  security_opt: 'not supported by Swarm services',
  cgroup_parent: 'not supported by Swarm services',
  mac_address: 'not supported by Swarm services',
  external_links: 'not supported by Swarm services',
  userns_mode: 'not supported by Swarm services',
  isolation: 'Swarm services have no isolation setting (moby/moby#34375); Windows nodes use their default',
};

/** Windows containers refuse these (FIELD-NOTES: "invalid option: Windows does not support …"). */
const WINDOWS_REFUSED = ['read_only', 'tmpfs'] as const;

function present(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function defaultName(project: Project, key: string, name: string): boolean {
  return name === `${project.name}_${key}`;
}

/** `restart:` → deploy.restart_policy (the only restart setting Swarm reads). */
function restartPolicy(restart: string | undefined): Dict | undefined {
  if (!restart) return undefined;
  if (restart === 'no') return { condition: 'none' };
  if (restart === 'always' || restart === 'unless-stopped') return { condition: 'any' };
  const m = /^on-failure(?::(\d+))?$/.exec(restart);
  if (m) return { condition: 'on-failure', ...(m[1] ? { max_attempts: Number(m[1]) } : {}) };
  return undefined;
}

function deployOf(service: Service, options: SwarmConvertOptions, problems: ProblemList): Dict {
  const user = (service.deploy ?? {}) as Dict;
  const deploy: Dict = { ...user };
  if (deploy.replicas === undefined && service.scale !== undefined) deploy.replicas = service.scale;
  const policy = restartPolicy(service.restart);
  if (deploy.restart_policy === undefined && policy) deploy.restart_policy = policy;
  const limits: Dict = {};
  if (service.cpus !== undefined) limits.cpus = String(service.cpus);
  if (service.mem_limit !== undefined) limits.memory = typeof service.mem_limit === 'number' ? `${service.mem_limit}b` : service.mem_limit;
  if (Object.keys(limits).length) {
    const resources = (deploy.resources ?? {}) as Dict;
    deploy.resources = { ...resources, limits: { ...limits, ...((resources.limits as Dict | undefined) ?? {}) } };
  }
  const placement = (user.placement ?? {}) as Dict;
  const merged = platformConstraints(service.platform, (placement.constraints as string[] | undefined) ?? []);
  if (merged.conflict) {
    problems.error(`deploy.placement.constraints "${merged.conflict}" contradicts platform ${service.platform.raw}`, service.name, ['services', service.name, 'deploy', 'placement', 'constraints']);
  }
  deploy.placement = { ...placement, constraints: merged.constraints };
  if (service.platform.os === 'windows' && options.windowsRoutingMesh === false && deploy.endpoint_mode === undefined) deploy.endpoint_mode = 'dnsrr';
  return deploy;
}

function portsOf(service: Service, hostMode: boolean, problems: ProblemList): Dict[] {
  const out: Dict[] = [];
  service.ports.forEach((p, i) => {
    const path = ['services', service.name, 'ports', i];
    if (p.host_ip) problems.warn(`ports[${i}]: host_ip ${p.host_ip} dropped: Swarm publishes on every address of the node`, service.name, path);
    if (p.published !== undefined && !/^\d+$/.test(p.published)) {
      problems.error(`ports[${i}]: published range ${p.published} is not supported by Swarm; publish one port per entry`, service.name, path);
      return;
    }
    let mode = p.mode;
    if (hostMode && mode !== 'host') {
      problems.warn(`ports[${i}]: published in host mode (no routing mesh with endpoint_mode dnsrr)`, service.name, path);
      mode = 'host';
    }
    out.push({ target: p.target, ...(p.published !== undefined ? { published: Number(p.published) } : {}), protocol: p.protocol, ...(mode ? { mode } : {}) });
  });
  return out;
}

function volumesOf(service: Service, problems: ProblemList): Dict[] {
  const binds = service.volumes.filter((v) => v.type === 'bind').map((v) => v.source);
  if (binds.length) {
    problems.warn(`bind mount source ${binds.join(', ')} must exist on every node that may run the service's tasks`, service.name, ['services', service.name, 'volumes']);
  }
  return service.volumes.flatMap((v, i): Dict[] => {
    if (v.type === 'cluster' || v.type === 'image') {
      problems.warn(`volumes[${i}]: type ${v.type} is not supported by docker stack deploy; dropped`, service.name, ['services', service.name, 'volumes', i]);
      return [];
    }
    const out: Dict = { type: v.type, ...(v.source !== undefined ? { source: v.source } : {}), target: v.target };
    if (v.read_only) out.read_only = true;
    if (v.bind?.propagation) out.bind = { propagation: v.bind.propagation };
    if (v.volume?.nocopy) out.volume = { nocopy: true };
    if (v.tmpfs?.size !== undefined) out.tmpfs = { size: v.tmpfs.size };
    return [out];
  });
}

function networksOf(service: Service, problems: ProblemList): Dict {
  const out: Dict = {};
  for (const [key, config] of Object.entries(service.networks).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (config?.ipv4_address || config?.ipv6_address) {
      problems.warn(`networks.${key}: a fixed address is not supported by Swarm services; dropped`, service.name, ['services', service.name, 'networks', key]);
    }
    out[key] = config?.aliases?.length ? { aliases: [...config.aliases] } : null;
  }
  return out;
}

function dropWarnings(service: Service, problems: ProblemList): void {
  for (const [key, why] of Object.entries(DROPPED)) {
    if (present(service[key])) problems.warn(`${key} is ignored by docker stack deploy: ${why}`, service.name, ['services', service.name, key]);
  }
  for (const [dependency, d] of Object.entries(service.depends_on).sort(([a], [b]) => (a < b ? -1 : 1))) {
    problems.warn(
      `depends_on ${dependency} (condition: ${d.condition}) is ignored by docker stack deploy: Swarm starts every service at once and restarts failed tasks, so ${service.name} must retry until ${dependency} answers`,
      service.name,
      ['services', service.name, 'depends_on', dependency],
    );
  }
  if (service.platform.os === 'windows') {
    if (service.extra_hosts.length) problems.warn('extra_hosts has no effect in Windows containers (moby/moby#41165); use DNS names', service.name, ['services', service.name, 'extra_hosts']);
    for (const key of WINDOWS_REFUSED) {
      if (present(service[key]) && service[key] !== false) problems.warn(`${key} dropped: Windows containers do not support it`, service.name, ['services', service.name, key]);
    }
  }
}

function imageOf(service: Service, problems: ProblemList): string | undefined {
  if (service.build && !service.image) {
    problems.error(`build: Swarm nodes cannot build; set image: to a name the nodes can pull, then build and push it (mixcompose build; docker push)`, service.name, ['services', service.name, 'build']);
    return undefined;
  }
  if (service.build) {
    problems.warn(`build: ignored by docker stack deploy; push ${service.image} where every node can pull it first`, service.name, ['services', service.name, 'build']);
  }
  return service.image;
}

function serviceOf(project: Project, original: Service, options: SwarmConvertOptions, problems: ProblemList): Dict {
  const service = withClusterAddresses(original, clusterAddressValues(project, original, (s) => s, problems));
  dropWarnings(service, problems);
  const out: Dict = {};
  const image = imageOf(service, problems);
  if (image) out.image = image;
  for (const key of CARRIED) if (present(service[key]) || service[key] === false) out[key] = service[key];
  if (present(service.environment)) out.environment = service.environment;
  if (present(service.labels)) out.labels = service.labels;
  if (present(service.extra_hosts)) out.extra_hosts = service.extra_hosts;
  if (service.healthcheck) {
    const { start_interval: _startInterval, ...healthcheck } = service.healthcheck;
    out.healthcheck = healthcheck;
  }
  const windows = service.platform.os === 'windows';
  if (!windows) {
    if (service.read_only) out.read_only = true;
    if (present(service.tmpfs)) out.tmpfs = service.tmpfs;
  }
  const deploy = deployOf(service, options, problems);
  const ports = portsOf(service, deploy.endpoint_mode === 'dnsrr', problems);
  if (ports.length) out.ports = ports;
  const volumes = volumesOf(service, problems);
  if (volumes.length) out.volumes = volumes;
  if (present(service.networks)) out.networks = networksOf(service, problems);
  if (service.secrets.length) out.secrets = service.secrets.map((s) => ({ ...s }));
  if (service.configs.length) out.configs = service.configs.map((c) => ({ ...c }));
  out.deploy = deploy;
  return out;
}

function networkOf(project: Project, key: string, network: Network, problems: ProblemList): Dict {
  if (network.external) return { external: true, name: network.name };
  const out: Dict = {};
  if (!defaultName(project, key, network.name)) out.name = network.name;
  const driver = network.driver ?? 'overlay';
  if (driver === 'bridge' || driver === 'nat') {
    problems.warn(`network ${key}: driver ${driver} becomes overlay: a ${driver} network exists on one node only`, undefined, ['networks', key, 'driver']);
  }
  out.driver = driver === 'bridge' || driver === 'nat' ? 'overlay' : driver;
  if (present(network.driver_opts)) out.driver_opts = network.driver_opts;
  for (const k of ['attachable', 'internal', 'ipam', 'labels'] as const) if (present(network[k])) out[k] = network[k];
  const windowsUsers = Object.values(project.services).filter((s) => s.platform.os === 'windows' && key in s.networks).map((s) => s.name);
  if (network.driver_opts?.encrypted !== undefined && windowsUsers.length) {
    problems.error(
      `network ${key} is an encrypted overlay, which Windows tasks cannot join (${windowsUsers.join(', ')}); give them a network without driver_opts.encrypted`,
      undefined,
      ['networks', key, 'driver_opts', 'encrypted'],
    );
  }
  return out;
}

function fileObjects(project: Project, section: 'secrets' | 'configs', problems: ProblemList): Dict {
  const out: Dict = {};
  for (const [key, object] of Object.entries(project[section]).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (object.external) out[key] = { external: true, name: object.name };
    else if (object.file) out[key] = { file: object.file, ...(defaultName(project, key, object.name) ? {} : { name: object.name }) };
    else {
      const from = object.content !== undefined ? 'content' : 'environment';
      problems.warn(
        `${section}.${key}: docker stack deploy reads ${section} from file: or external: only, so the stack file names it external ${object.name}; mixcompose deploy --to swarm creates it from its ${from}`,
        undefined,
        [section, key],
      );
      out[key] = { external: true, name: object.name };
    }
  }
  return out;
}

/** Project → stack document plus problems (errors mean `docker stack deploy` would not do what the file says). */
export function convertToSwarm(project: Project, options: SwarmConvertOptions = {}): SwarmStack {
  const problems = new ProblemList();
  const services: Dict = {};
  for (const name of Object.keys(project.services).sort()) services[name] = serviceOf(project, project.services[name]!, options, problems);
  const document: Dict = { version: STACK_FILE_VERSION, services };
  const networks: Dict = {};
  for (const key of Object.keys(project.networks).sort()) networks[key] = networkOf(project, key, project.networks[key]!, problems);
  if (Object.keys(networks).length) document.networks = networks;
  const volumes: Dict = {};
  for (const [key, v] of Object.entries(project.volumes).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (v.external) volumes[key] = { external: true, name: v.name };
    else {
      const out: Dict = {};
      if (!defaultName(project, key, v.name)) out.name = v.name;
      for (const k of ['driver', 'driver_opts', 'labels'] as const) if (present(v[k])) out[k] = v[k];
      volumes[key] = out;
    }
  }
  if (Object.keys(volumes).length) document.volumes = volumes;
  for (const section of ['secrets', 'configs'] as const) {
    const objects = fileObjects(project, section, problems);
    if (Object.keys(objects).length) document[section] = objects;
  }
  return { document, problems: problems.items };
}
