/**
 * deploy/rm --to swarm against an in-memory swarm (the SwarmApi interface): what is created, that a
 * second deploy changes nothing, what a changed file updates and prunes, what rm removes, and how
 * tasks become ps rows and a settlement (running / cannot be placed, with the scheduler's reason).
 */
import { describe, expect, it } from 'vitest';
import type { SwarmApi, SwarmFilters, SwarmObject } from '../../../src/cluster/swarm-api.js';
import { deployStack, removeStack, type DeployEvent } from '../../../src/cluster/swarm-deploy.js';
import { serviceSpec } from '../../../src/cluster/swarm-spec.js';
import { settlement, taskRows } from '../../../src/cluster/swarm-tasks.js';
import { convertToSwarm } from '../../../src/convert/swarm.js';
import type { FileObject, Project } from '../../../src/model/project.js';
import { PlanError } from '../../../src/errors.js';
import { loadMixed } from './mixed-project.js';

type Dict = Record<string, any>;

class MemorySwarm implements SwarmApi {
  readonly label = 'swarm (memory)';
  state = { localNodeState: 'active', controlAvailable: true };
  services = new Map<string, SwarmObject>();
  networks = new Map<string, Dict>();
  secrets = new Map<string, SwarmObject>();
  configs = new Map<string, SwarmObject>();
  tasks: Dict[] = [];
  calls: string[] = [];
  private next = 1;

  private id = () => `id${this.next++}`;
  private matches(labels: Readonly<Record<string, string>> | undefined, name: string, filters: SwarmFilters): boolean {
    const byLabel = (filters.label ?? []).every((l) => {
      const [k, v] = l.split('=');
      return labels?.[k!] !== undefined && (v === undefined || labels[k!] === v);
    });
    return byLabel && (filters.name ?? []).every((n) => n === name);
  }
  async swarmState() {
    return this.state;
  }
  async listServices(f: SwarmFilters) {
    return [...this.services.values()].filter((s) => this.matches(s.Spec.Labels, s.Spec.Name, f));
  }
  async createService(spec: Dict) {
    const id = this.id();
    this.calls.push(`create service ${spec.Name}`);
    this.services.set(id, { ID: id, Version: { Index: 1 }, Spec: spec as SwarmObject['Spec'] });
    return id;
  }
  async updateService(id: string, version: number, spec: Dict) {
    this.calls.push(`update service ${spec.Name}@${version}`);
    this.services.set(id, { ID: id, Version: { Index: version + 1 }, Spec: spec as SwarmObject['Spec'] });
  }
  async removeService(id: string) {
    this.calls.push(`remove service ${this.services.get(id)?.Spec.Name}`);
    this.services.delete(id);
  }
  async listNetworks(f: SwarmFilters) {
    return [...this.networks.values()].filter((n) => this.matches(n.Labels, n.Name, f));
  }
  async createNetwork(body: Dict) {
    const id = this.id();
    this.calls.push(`create network ${body.Name}`);
    this.networks.set(id, { ...body, Id: id });
    return id;
  }
  async removeNetwork(id: string) {
    this.calls.push(`remove network ${this.networks.get(id)?.Name}`);
    this.networks.delete(id);
  }
  private objects(kind: 'secret' | 'config') {
    return kind === 'secret' ? this.secrets : this.configs;
  }
  private async list(kind: 'secret' | 'config', f: SwarmFilters) {
    return [...this.objects(kind).values()].filter((o) => this.matches(o.Spec.Labels, o.Spec.Name, f));
  }
  private async create(kind: 'secret' | 'config', spec: Dict) {
    const id = this.id();
    this.calls.push(`create ${kind} ${spec.Name}`);
    this.objects(kind).set(id, { ID: id, Spec: spec as SwarmObject['Spec'] });
    return id;
  }
  private async remove(kind: 'secret' | 'config', id: string) {
    this.calls.push(`remove ${kind} ${this.objects(kind).get(id)?.Spec.Name}`);
    this.objects(kind).delete(id);
  }
  listSecrets = (f: SwarmFilters) => this.list('secret', f);
  createSecret = (s: Dict) => this.create('secret', s);
  removeSecret = (id: string) => this.remove('secret', id);
  listConfigs = (f: SwarmFilters) => this.list('config', f);
  createConfig = (s: Dict) => this.create('config', s);
  removeConfig = (id: string) => this.remove('config', id);
  async listTasks() {
    return this.tasks.filter((t) => this.services.has(t.ServiceID));
  }
  async listNodes() {
    return [{ ID: 'n1', Description: { Hostname: 'node-1', Platform: { OS: 'linux' } } }];
  }
  close() {}
}

const data = (_kind: string, key: string, object: FileObject) => Buffer.from(object.content ?? `data of ${key}`);

async function deploy(api: MemorySwarm, project: Project, events: DeployEvent[] = []) {
  const { document } = convertToSwarm(project);
  await deployStack({ api, project, document, dataOf: data, onEvent: (e) => events.push(e), sleep: async () => {} });
  return events;
}

describe('deploy --to swarm (in memory)', () => {
  it('creates networks, secrets and services, labelled with the stack namespace', async () => {
    const api = new MemorySwarm();
    await deploy(api, await loadMixed());
    expect(api.calls.map((c) => c.replace(/_[0-9a-f]{10}$/, '_<hash>'))).toEqual([
      'create network shop_default',
      'create secret shop_api_key_<hash>',
      'create secret shop_db_password_<hash>',
      'create service shop_api',
      'create service shop_db',
      'create service shop_web',
    ]);
    for (const s of api.services.values()) expect(s.Spec.Labels!['com.docker.stack.namespace']).toBe('shop');
    const web = [...api.services.values()].find((s) => s.Spec.Name === 'shop_web')!.Spec as Dict;
    expect(web.TaskTemplate.Placement.Constraints).toEqual(['node.platform.os == windows', 'node.platform.arch == x86_64']);
    expect(web.TaskTemplate.ContainerSpec.Env).toEqual(['API_URL=http://api:5000', 'DB_IP=db']);
    expect(web.TaskTemplate.ContainerSpec.Secrets).toEqual([{ File: { Name: 'api_key' }, SecretID: expect.any(String), SecretName: expect.stringMatching(/^shop_api_key_/) }]);
    expect(web.EndpointSpec).toEqual({ Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] });
    expect(web.TaskTemplate.Networks).toEqual([{ Target: 'shop_default', Aliases: ['web'] }]);
  });

  it('changes nothing on a second deploy of the same file', async () => {
    const api = new MemorySwarm();
    const project = await loadMixed();
    await deploy(api, project);
    api.calls = [];
    const events = await deploy(api, project);
    expect(api.calls).toEqual([]);
    expect(new Set(events.map((e) => e.action))).toEqual(new Set(['unchanged']));
  });

  it('updates a changed service, rotates a changed secret and prunes what left the file', async () => {
    const api = new MemorySwarm();
    const project = await loadMixed();
    await deploy(api, project);
    api.calls = [];
    const { web: _web, ...rest } = project.services;
    const changed: Project = {
      ...project,
      services: { ...rest, api: { ...project.services.api!, environment: { ...project.services.api!.environment, LOG: 'debug' } } },
      secrets: { db_password: { ...project.secrets.db_password!, file: undefined, content: 'new' } },
    };
    await deploy(api, changed, []);
    expect(api.calls.map((c) => c.replace(/_[0-9a-f]{10}$/, '_<hash>'))).toEqual([
      'create secret shop_db_password_<hash>',
      'update service shop_api@1',
      'update service shop_db@1',
      'remove service shop_web',
      'remove secret shop_api_key_<hash>',
      'remove secret shop_db_password_<hash>',
    ]);
  });

  it('rm removes services, secrets and networks of the stack, and nothing else', async () => {
    const api = new MemorySwarm();
    await deploy(api, await loadMixed());
    await api.createNetwork({ Name: 'other_default', Labels: { 'com.docker.stack.namespace': 'other' } });
    await removeStack({ api, stack: 'shop', sleep: async () => {} });
    expect(api.services.size).toBe(0);
    expect(api.secrets.size).toBe(0);
    expect([...api.networks.values()].map((n) => n.Name)).toEqual(['other_default']);
  });

  it('says what to do when the daemon is not a swarm manager', async () => {
    const api = new MemorySwarm();
    api.state = { localNodeState: 'inactive', controlAvailable: false };
    await expect(deploy(api, await loadMixed())).rejects.toThrow(new PlanError('swarm (memory) is not part of a swarm (state: inactive); run docker swarm init on it, or name a manager with --host/--context'));
    api.state = { localNodeState: 'active', controlAvailable: false };
    await expect(deploy(api, await loadMixed())).rejects.toThrow('is a swarm worker; deploy through a manager (--host/--context)');
  });

  it('writes extra_hosts as the Engine wants them ("ip name"), IPv6 included', () => {
    const document = { services: { a: { image: 'busybox', extra_hosts: ['db.local=10.0.0.5', 'v6.local=::1'] } } };
    const spec = serviceSpec({ stack: 's', document, secrets: new Map(), configs: new Map() }, 'a') as Dict;
    expect(spec.TaskTemplate.ContainerSpec.Hosts).toEqual(['10.0.0.5 db.local', '::1 v6.local']);
  });

  it('hashes the spec: the same document gives the same hash label', async () => {
    const { document } = convertToSwarm(await loadMixed());
    const ctx = { stack: 'shop', document, secrets: new Map(), configs: new Map() };
    expect(serviceSpec(ctx, 'api').Labels).toEqual(serviceSpec(ctx, 'api').Labels);
  });
});

describe('ps --to swarm rows', () => {
  const services = [{ ID: 's1', Spec: { Name: 'shop_api' } }, { ID: 's2', Spec: { Name: 'shop_web' } }];
  const nodes = [{ ID: 'n1', Description: { Hostname: 'node-1', Platform: { OS: 'linux' } } }];
  const tasks = [
    { ServiceID: 's1', Slot: 1, NodeID: 'n1', DesiredState: 'running', Status: { State: 'running', Message: 'started' }, CreatedAt: '2026-12-02T00:00:01Z' },
    { ServiceID: 's2', Slot: 1, DesiredState: 'running', Status: { State: 'pending', Message: 'pending task scheduling', Err: 'no suitable node (scheduling constraints not satisfied on 1 node)' }, CreatedAt: '2026-12-02T00:00:01Z' },
  ];

  it('shows the node and its OS, and the scheduler reason of a task it cannot place', () => {
    const rows = taskRows('shop', services, tasks, nodes);
    expect(rows).toEqual([
      { name: 'shop_api.1', service: 'api', node: 'node-1', os: 'linux', desired: 'running', state: 'running', message: 'started', error: false },
      { name: 'shop_web.1', service: 'web', node: '', os: '', desired: 'running', state: 'pending', message: 'no suitable node (scheduling constraints not satisfied on 1 node)', error: true },
    ]);
    expect(settlement(['api', 'web', 'db'], rows)).toEqual([
      { service: 'api', running: true },
      { service: 'web', running: false, unplaced: 'no suitable node (scheduling constraints not satisfied on 1 node)' },
      { service: 'db', running: false },
    ]);
  });
});
