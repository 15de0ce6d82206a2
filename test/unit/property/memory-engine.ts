/**
 * A stateful in-memory Docker daemon (a DaemonClient) for the convergence tests: containers,
 * networks and volumes with labels, Docker's name rules (a container name once per daemon; a
 * network name twice only when a test injects it, as two racing creates do; a name that repeats is
 * ambiguous to attach or remove by), archives in containers, and fault injection: the n-th
 * changing call fails, or aborts the run and goes on (an interrupt between operations). Logs,
 * events, exec and image transfers answer as QuietDaemon does (test/support/quiet-daemon.ts says how
 * this daemon and the executor tests' MemoryDaemon differ, and why both exist).
 */
import type { ContainerSummary, EngineBody, EngineFilters, StdinExchangeOptions } from '../../../src/engine/daemon-client.js';
import { applyHostsBatch } from '../../support/hosts-batch.js';
import { QuietDaemon } from '../../support/quiet-daemon.js';
import { EngineApiError } from '../../../src/engine/docker/errors.js';
import { tarArchive, tarFiles } from '../../../src/engine/tar.js';

export interface MemContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  image: string;
  status: 'created' | 'running' | 'exited';
  /** network name → { id, ip } */
  networks: Record<string, { id: string; ip?: string }>;
  created: number;
  /** path → content */
  files: Map<string, Buffer>;
}

export interface MemNetwork {
  id: string;
  name: string;
  labels: Record<string, string>;
  created: number;
  driver: string;
}

/** What happens at the n-th changing call (create, start, stop, remove, connect, archive put). */
export interface Fault {
  readonly at: number;
  readonly kind: 'fail' | 'interrupt';
}

const MUTATING = new Set(['createContainer', 'startContainer', 'stopContainer', 'killContainer', 'removeContainer', 'createNetwork', 'removeNetwork', 'connectNetwork', 'putArchive', 'exchangeStdin', 'createVolume', 'removeVolume', 'restartContainer']);

/** Shared across the daemons of one test: ids and the counter faults count with. */
export class MemWorld {
  seq = 0;
  calls = 0;
  fault: Fault | undefined;
  abort: AbortController | undefined;
  /** Calls that changed something, in order ("linux createContainer shop-db-1"). */
  readonly log: string[] = [];
  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${this.seq.toString(16).padStart(8, '0')}`.padEnd(64, '0');
  }
}

function err(status: number, message: string): EngineApiError {
  return new EngineApiError(message, status);
}

function matches(labels: Record<string, string>, filters: EngineFilters): boolean {
  for (const f of filters.label ?? []) {
    const [k, v] = f.split('=');
    if (v === undefined ? !(k! in labels) : labels[k!] !== v) return false;
  }
  return true;
}

export class MemEngine extends QuietDaemon {
  readonly containers = new Map<string, MemContainer>();
  readonly networks = new Map<string, MemNetwork>();
  readonly volumes = new Map<string, { name: string; labels: Record<string, string> }>();
  private ipNext = 2;

  constructor(
    label: string,
    readonly world: MemWorld,
    private readonly subnet: string,
  ) {
    super(label);
  }

  private step(method: string, what: string): void {
    if (!MUTATING.has(method)) return;
    this.world.calls += 1;
    const fault = this.world.fault;
    if (fault && fault.at === this.world.calls) {
      if (fault.kind === 'fail') throw err(500, `injected failure of ${method} ${what}`);
      this.world.abort?.abort();
    }
    this.world.log.push(`${this.label} ${method} ${what}`);
  }

  private container(idOrName: string): MemContainer {
    const c = this.containers.get(idOrName) ?? [...this.containers.values()].find((o) => o.name === idOrName);
    if (!c) throw err(404, `No such container: ${idOrName}`);
    return c;
  }

  network(idOrName: string): MemNetwork {
    const byId = this.networks.get(idOrName);
    if (byId) return byId;
    const named = [...this.networks.values()].filter((n) => n.name === idOrName);
    if (named.length > 1) throw err(400, `network ${idOrName} is ambiguous (${named.length} matches found on name)`);
    if (!named[0]) throw err(404, `network ${idOrName} not found`);
    return named[0];
  }

  /** Test set-up: a network made behind the planner's back (a racing create, another tool). */
  addNetwork(name: string, labels: Record<string, string>): MemNetwork {
    const n = { id: this.world.nextId('n'), name, labels: { ...labels }, created: this.world.seq, driver: 'bridge' };
    this.networks.set(n.id, n);
    return n;
  }

  /** Test set-up: a container made behind the planner's back. */
  addContainer(c: Omit<MemContainer, 'id' | 'created' | 'files'>): MemContainer {
    const made = { ...c, id: this.world.nextId('c'), created: this.world.seq, files: new Map<string, Buffer>() };
    this.containers.set(made.id, made);
    return made;
  }

  override async listContainers(filters: EngineFilters, all?: boolean): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((c) => matches(c.labels, filters) && (all || c.status === 'running'))
      .map((c) => ({
        Id: c.id,
        Names: [`/${c.name}`],
        Image: c.image,
        State: c.status,
        Status: c.status === 'exited' ? 'Exited (0) 1 second ago' : c.status === 'running' ? 'Up 1 second' : 'Created',
        Labels: { ...c.labels },
        Created: c.created,
        NetworkSettings: { Networks: Object.fromEntries(Object.entries(c.networks).map(([name, n]) => [name, { NetworkID: n.id, ...(n.ip && c.status === 'running' ? { IPAddress: n.ip } : {}) }])) },
      }));
  }

  async inspectContainer(id: string): Promise<EngineBody> {
    const c = this.container(id);
    return {
      Id: c.id,
      Name: `/${c.name}`,
      State: { Status: c.status, Running: c.status === 'running', ExitCode: 0 },
      Config: { Labels: { ...c.labels } },
      NetworkSettings: { Networks: Object.fromEntries(Object.entries(c.networks).map(([name, n]) => [name, { NetworkID: n.id, IPAddress: c.status === 'running' ? (n.ip ?? '') : '' }])) },
    };
  }

  async createContainer(name: string, body: EngineBody) {
    await Promise.resolve();
    this.step('createContainer', name);
    if ([...this.containers.values()].some((c) => c.name === name)) throw err(409, `Conflict. The container name "/${name}" is already in use`);
    const host = (body.HostConfig ?? {}) as { NetworkMode?: string };
    const endpoints = Object.keys(((body.NetworkingConfig as { EndpointsConfig?: Record<string, unknown> } | undefined)?.EndpointsConfig ?? {}));
    const networks: MemContainer['networks'] = {};
    for (const wanted of new Set([...(host.NetworkMode && !['default', 'none', 'host', 'bridge'].includes(host.NetworkMode) && !host.NetworkMode.startsWith('container:') ? [host.NetworkMode] : []), ...endpoints])) {
      const n = this.network(wanted);
      networks[n.name] = { id: n.id };
    }
    const c = this.addContainer({ name, labels: { ...((body.Labels as Record<string, string> | undefined) ?? {}) }, image: String(body.Image ?? ''), status: 'created', networks });
    return { id: c.id, warnings: [] };
  }

  async startContainer(id: string) {
    await Promise.resolve();
    const c = this.container(id);
    this.step('startContainer', c.name);
    if (c.status === 'running') return;
    for (const [name, n] of Object.entries(c.networks)) {
      if (!this.networks.has(n.id)) throw err(404, `network ${name} not found`);
      if (!n.ip) n.ip = `${this.subnet}.${this.ipNext++}`;
    }
    c.status = 'running';
  }
  async stopContainer(id: string) {
    const c = this.container(id);
    this.step('stopContainer', c.name);
    if (c.status === 'running') c.status = 'exited';
  }
  async killContainer(id: string) {
    const c = this.container(id);
    this.step('killContainer', c.name);
    c.status = 'exited';
  }
  async restartContainer(id: string) {
    const c = this.container(id);
    this.step('restartContainer', c.name);
    c.status = 'running';
  }
  async removeContainer(id: string) {
    await Promise.resolve();
    const c = this.container(id);
    this.step('removeContainer', c.name);
    this.containers.delete(c.id);
  }
  async putArchive(id: string, path: string, tar: Buffer | NodeJS.ReadableStream) {
    const c = this.container(id);
    this.step('putArchive', c.name);
    for (const f of tarFiles(tar as Buffer)) c.files.set(`${path.replace(/\/+$/, '')}/${f.path}`.replace(/\/+/g, '/'), f.content);
  }
  /** The resolver's hosts reader: each file of the batch written whole (a fault stops the batch before any). */
  async exchangeStdin(id: string, input: string, options: StdinExchangeOptions): Promise<string> {
    const c = this.container(id);
    this.step('exchangeStdin', c.name);
    const { files, answer } = applyHostsBatch(input);
    for (const f of files) c.files.set(`${f.dir}/${f.file}`, Buffer.from(f.content));
    if (!options.answered(answer)) throw new Error(`the batch did not take its own answer ${answer}`);
    return answer;
  }
  async getArchive(id: string, path: string): Promise<Buffer | undefined> {
    const c = this.container(id);
    const dir = path.replace(/\/+$/, '');
    const inside = [...c.files].filter(([p]) => p.startsWith(`${dir}/`));
    if (!inside.length) return undefined;
    const base = dir.split('/').pop()!;
    return tarArchive(inside.map(([p, content]) => ({ path: `${base}/${p.slice(dir.length + 1)}`, content })));
  }

  override async listNetworks(filters: EngineFilters): Promise<EngineBody[]> {
    const names = filters.name;
    return [...this.networks.values()]
      .filter((n) => matches(n.labels, filters) && (!names || names.some((want) => n.name.includes(want))))
      .map((n) => this.networkBody(n));
  }
  private networkBody(n: MemNetwork): EngineBody {
    return { Id: n.id, Name: n.name, Driver: n.driver, Labels: { ...n.labels }, Created: new Date(Date.UTC(2026, 0, 1) + n.created * 1000).toISOString(), IPAM: { Config: [{ Subnet: `${this.subnet}.0/24`, Gateway: `${this.subnet}.1` }] } };
  }
  async inspectNetwork(idOrName: string): Promise<EngineBody> {
    return this.networkBody(this.network(idOrName));
  }
  async createNetwork(body: EngineBody) {
    await Promise.resolve();
    const name = String(body.Name);
    this.step('createNetwork', name);
    if ([...this.networks.values()].some((n) => n.name === name)) throw err(409, `network with name ${name} already exists`);
    return { id: this.addNetwork(name, (body.Labels as Record<string, string> | undefined) ?? {}).id };
  }
  async removeNetwork(idOrName: string) {
    await Promise.resolve();
    const n = this.network(idOrName);
    this.step('removeNetwork', n.name);
    // As Docker: only running containers hold endpoints; a stopped one loses its network (its start fails).
    const users = [...this.containers.values()].filter((c) => c.status === 'running' && Object.values(c.networks).some((e) => e.id === n.id));
    if (users.length) throw err(403, `error while removing network: network ${n.name} id ${n.id} has active endpoints`);
    this.networks.delete(n.id);
  }
  async connectNetwork(network: string, container: string) {
    const c = this.container(container);
    this.step('connectNetwork', c.name);
    const n = this.network(network);
    c.networks[n.name] = { id: n.id };
  }

  override async listVolumes(filters: EngineFilters): Promise<EngineBody[]> {
    return [...this.volumes.values()].filter((v) => matches(v.labels, filters)).map((v) => ({ Name: v.name, Driver: 'local', Labels: { ...v.labels } }));
  }
  async createVolume(body: EngineBody) {
    this.step('createVolume', String(body.Name));
    this.volumes.set(String(body.Name), { name: String(body.Name), labels: (body.Labels as Record<string, string> | undefined) ?? {} });
  }
  override async removeVolume(name: string) {
    this.step('removeVolume', name);
    if (!this.volumes.delete(name)) throw err(404, `no such volume ${name}`);
  }

  /** Every image asked for is there (images are not what these tests are about). */
  override async listImages(filters: EngineFilters): Promise<EngineBody[]> {
    return (filters.reference ?? []).map((ref) => ({ Id: `sha256:${Buffer.from(ref).toString('hex').padEnd(64, '0').slice(0, 64)}`, RepoTags: [ref], Size: 1 }));
  }
}
