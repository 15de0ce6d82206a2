/**
 * An in-memory DaemonClient for executor tests: containers with states, a call log, scripted
 * inspect states and injectable failures. Only what the executor uses is implemented; the calls it
 * does not model answer as QuietDaemon does (test/support/quiet-daemon.ts says how this daemon and
 * the property tests' MemEngine differ, and why both exist).
 */
import type { EngineBody, StdinExchangeOptions } from '../../../src/engine/daemon-client.js';
import type { HostsFileWrite } from '../../../src/plan/resolver-hosts-protocol.js';
import { applyHostsBatch } from '../../support/hosts-batch.js';
import { QuietDaemon } from '../../support/quiet-daemon.js';

export interface MemoryContainer {
  id: string;
  name: string;
  body: EngineBody;
  running: boolean;
  ip?: string;
  files: Buffer[];
  /** Hosts files written through the container's stdin, one list per batch (the resolver's hosts reader). */
  hostsBatches: HostsFileWrite[][];
}

export class MemoryDaemon extends QuietDaemon {
  readonly calls: string[] = [];
  readonly containers = new Map<string, MemoryContainer>();
  readonly networks = new Set<string>();
  /** Scripted `State` answers of inspect, per container name, consumed in order (the last repeats). */
  readonly states = new Map<string, EngineBody[]>();
  /** Makes the named call fail: method name → error. */
  readonly failures = new Map<string, unknown>();
  /** A restarted container gets its old address back (as Docker usually does); default: a new one. */
  keepIps = false;
  private next = 1;
  constructor(
    label: string,
    private readonly subnet: string,
  ) {
    super(label);
  }

  private record(call: string, method: string): void {
    this.calls.push(call);
    const failure = this.failures.get(method);
    if (failure) throw failure;
  }
  private byId(id: string): MemoryContainer {
    const c = this.containers.get(id);
    if (!c) throw Object.assign(new Error(`no such container ${id}`), { statusCode: 404 });
    return c;
  }

  async inspectContainer(id: string): Promise<EngineBody> {
    this.record(`inspect ${this.byId(id).name}`, 'inspectContainer');
    const c = this.byId(id);
    const scripted = this.states.get(c.name);
    const health = c.body.Healthcheck && c.running ? { Health: { Status: 'healthy', Log: [] } } : {};
    const state = scripted && scripted.length > 1 ? scripted.shift()! : (scripted?.[0] ?? { Status: c.running ? 'running' : 'created', Running: c.running, ...health });
    // The address is on the network the container was created on (HostConfig.NetworkMode), as Docker says it.
    const network = String((c.body.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode ?? 'net');
    return { Id: c.id, State: state, NetworkSettings: { Networks: c.ip ? { [network]: { IPAddress: c.ip } } : {} } };
  }
  async createContainer(name: string, body: EngineBody) {
    await Promise.resolve();
    this.record(`create ${name}`, 'createContainer');
    const id = `${name}-id`;
    this.containers.set(id, { id, name, body, running: false, files: [], hostsBatches: [] });
    return { id, warnings: [] };
  }
  async startContainer(id: string) {
    await Promise.resolve();
    this.record(`start ${this.byId(id).name}`, 'startContainer');
    const c = this.byId(id);
    c.running = true;
    if (!this.keepIps || !c.ip) c.ip = `${this.subnet}.${++this.next}`;
  }
  async stopContainer(id: string) {
    this.record(`stop ${this.byId(id).name}`, 'stopContainer');
    this.byId(id).running = false;
  }
  async killContainer(id: string) {
    this.record(`kill ${this.byId(id).name}`, 'killContainer');
  }
  async restartContainer(id: string) {
    this.record(`restart ${this.byId(id).name}`, 'restartContainer');
  }
  async removeContainer(id: string) {
    this.record(`remove ${this.byId(id).name}`, 'removeContainer');
    this.containers.delete(id);
  }
  async putArchive(id: string, path: string, tar: Buffer | NodeJS.ReadableStream) {
    this.record(`putArchive ${this.byId(id).name} ${path}`, 'putArchive');
    this.byId(id).files.push(tar as Buffer);
  }
  async exchangeStdin(id: string, input: string, options: StdinExchangeOptions): Promise<string> {
    this.record(`exchangeStdin ${this.byId(id).name}`, 'exchangeStdin');
    const { files, answer } = applyHostsBatch(input);
    if (!options.answered(answer)) throw new Error(`the batch did not take its own answer ${answer}`);
    this.byId(id).hostsBatches.push(files);
    return answer;
  }
  async getArchive(id: string, path: string): Promise<Buffer | undefined> {
    this.record(`getArchive ${this.byId(id).name} ${path}`, 'getArchive');
    return undefined;
  }
  async inspectNetwork(name: string): Promise<EngineBody> {
    // A created network has a gateway, as Docker's IPAM gives one (read by create-network readGateway).
    return this.networks.has(name) ? { Name: name, IPAM: { Config: [{ Subnet: '172.30.0.0/16', Gateway: '172.30.0.1' }] } } : {};
  }
  async createNetwork(body: EngineBody) {
    await Promise.resolve();
    this.record(`network ${String(body.Name)}`, 'createNetwork');
    this.networks.add(String(body.Name));
    return { id: String(body.Name) };
  }
  async removeNetwork(name: string) {
    this.record(`remove network ${name}`, 'removeNetwork');
  }
  async connectNetwork(network: string, container: string) {
    this.record(`connect ${this.byId(container).name} ${network}`, 'connectNetwork');
  }
  async createVolume(body: EngineBody) {
    this.record(`volume ${String(body.Name)}`, 'createVolume');
  }
}
