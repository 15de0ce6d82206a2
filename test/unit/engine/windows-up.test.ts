/**
 * `up` and `down` through the real dockerode adapter against the Engine API stand-in answering with
 * RECORDED Windows responses (test/fixtures/engine: a Windows Server 2022 daemon and an LCOW daemon,
 * from Docker's and Microsoft's documentation). What only a real Windows daemon shows: the `nat`
 * network driver it lists, no ExtraHosts and no StopSignal for windows containers, and
 * `platform=linux` on create for an LCOW daemon.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeHostsBatch } from '../../../src/plan/resolver-hosts-protocol.js';
import { apply } from '../../../src/engine/apply.js';
import { connectDaemons } from '../../../src/engine/connect-daemons.js';
import { startFakeEngine, type FakeEngine, type FakeRoute, type RecordedDaemon } from '../../support/fake-engine.js';
import { project, service } from '../plan/builders.js';

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Enough of the container and network API for up: create, start, inspect with an IP per container. */
function lifecycleRoutes(subnet: string): FakeRoute[] {
  const ips = new Map<string, string>();
  return [
    { method: 'POST', path: /^\/networks\/create$/, handle: (_r, res) => json(res, 201, { Id: 'net1', Warning: '' }) },
    // The IPAM gateway of a created network (read for host.docker.internal on the windows side).
    { method: 'GET', path: /^\/networks\/([^/]+)$/, handle: (_r, res, m) => json(res, 200, { Name: m[1], IPAM: { Config: [{ Subnet: `${subnet}.0/24`, Gateway: `${subnet}.1` }] } }) },
    { method: 'POST', path: /^\/containers\/([^/]+)\/start$/, handle: (_r, res, m) => { ips.set(m[1]!, `${subnet}.${ips.size + 2}`); res.writeHead(204).end(); } },
    { method: 'PUT', path: /^\/containers\/([^/]+)\/archive$/, handle: (_r, res) => res.writeHead(200).end() },
    {
      method: 'GET',
      path: /^\/containers\/([^/]+)\/json$/,
      handle: (_r, res, m) =>
        json(res, 200, {
          Id: m[1],
          State: { Status: 'running', Running: true, Health: { Status: 'healthy', Log: [] } },
          NetworkSettings: { Networks: { shop_default: { IPAddress: ips.get(m[1]!) ?? '' } } },
        }),
    },
  ];
}

const engines: FakeEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function engine(daemon: RecordedDaemon, subnet: string): Promise<FakeEngine> {
  const resolver = { Id: `sha256:${'e'.repeat(64)}`, Os: 'linux', Architecture: 'amd64' };
  const e = await startFakeEngine({ daemon, routes: lifecycleRoutes(subnet), images: { 'mixcompose/resolver:0.1.0': resolver } });
  engines.push(e);
  return e;
}

const stack = () => [
  service('db', { command: ['sleep', '1'], healthcheck: { test: ['CMD', 'true'] }, extra_hosts: ['gw=10.0.0.1'] }),
  service('web', {
    platform: 'windows',
    image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022',
    environment: { DB: '{{ db.host }}' },
    extra_hosts: ['gw=10.0.0.1'],
    stop_signal: 'SIGINT',
    depends_on: { db: { condition: 'service_healthy', required: true, restart: false } },
  }),
];

describe('up against recorded Windows engines', () => {
  it('creates a nat network on Windows, and windows containers without ExtraHosts or StopSignal', async () => {
    const windows = await engine('windows-server-2022', '172.20.0');
    const linux = await engine('linux', '10.201.0');
    const p = project(stack(), {}, { windows: { host: windows.host }, linux: { host: linux.host } });
    const daemons = await connectDaemons(p, { allowOsMismatch: false, env: {} });
    await apply(p, daemons, { reconcile: { command: 'up' }, pollIntervalMs: 1 });

    const networks = windows.find('POST', '/networks/create').map((r) => r.body as { Driver: string });
    expect(networks.map((n) => n.Driver)).toEqual(['nat']);
    expect(linux.find('POST', '/networks/create').map((r) => (r.body as { Driver: string }).Driver)).toEqual(['bridge']);

    const [webCreate] = windows.find('POST', '/containers/create');
    const web = webCreate!.body as { Env: string[]; StopSignal?: string; HostConfig: { ExtraHosts?: string[]; Dns?: string[] } };
    expect(webCreate!.query.name).toBe('shop-web-1');
    expect(web.HostConfig.ExtraHosts).toBeUndefined();
    expect(web.StopSignal).toBeUndefined();
    expect(web.Env).toEqual(['DB=10.201.0.3']);
    // The resolver (first container started on the linux engine) is every container's DNS server.
    expect(web.HostConfig.Dns).toEqual(['10.201.0.2']);
    const dbCreate = linux.find('POST', '/containers/create').find((r) => r.query.name === 'shop-db-1')!;
    expect((dbCreate.body as { HostConfig: { ExtraHosts: string[] } }).HostConfig.ExtraHosts).toEqual(['gw:10.0.0.1']);
    // web was registered in the resolver after it started; host.docker.internal → the nat network's
    // gateway, read from the windows engine after the create.
    expect(windows.find('GET', '/networks/shop_default')).toHaveLength(1);
    // Written through the resolver's stdin (an attach), never as an archive.
    const written = linux.attaches.flatMap((a) => decodeHostsBatch(a.stdin)).map((f) => `${f.dir}/${f.file}: ${f.content}`);
    expect(written).toContain('/etc/mixcompose-hosts/mixcompose-host-gateway: 172.20.0.1 host.docker.internal\n');
    expect(written.some((f) => f.startsWith('/etc/mixcompose-hosts/web-1: '))).toBe(true);
    expect(linux.find('PUT', /^\/containers\/.+\/archive$/)).toEqual([]);
  });

  it('builds a missing resolver image first, and starts nothing when its base cannot be had, naming the setting', async () => {
    const windows = await startFakeEngine({ daemon: 'windows-server-2022', routes: lifecycleRoutes('172.20.0') });
    const linux = await startFakeEngine({ daemon: 'linux', routes: lifecycleRoutes('10.201.0') });
    engines.push(windows, linux);
    const p = project(stack(), {}, { windows: { host: windows.host }, linux: { host: linux.host } });
    const daemons = await connectDaemons(p, { allowOsMismatch: false, env: {} });
    await expect(apply(p, daemons, { reconcile: { command: 'up' } })).rejects.toThrow(/resolver image mixcompose\/resolver:0.1.0 is not on the linux daemon .*could not pull it from base alpine:3.20 .*Set x-mixcompose.resolver.base or MIXCOMPOSE_RESOLVER_BASE/);
    // The build is an operation of the plan: networks may be made beside it (down removes them), but
    // no container is created or started when the resolver's image cannot be had.
    expect([...windows.requests, ...linux.requests].filter((r) => r.method !== 'GET' && r.path.startsWith('/containers'))).toEqual([]);
  });

  it('sends platform=linux on create to an LCOW daemon serving linux services', async () => {
    const lcow = await engine('windows-lcow', '172.21.0');
    const p = project([service('db', { command: ['sleep', '1'] })], {}, { linux: { host: lcow.host } });
    const daemons = await connectDaemons(p, { allowOsMismatch: false, env: {} });
    await apply(p, daemons, { reconcile: { command: 'up' }, pollIntervalMs: 1 });
    const [create] = lcow.find('POST', '/containers/create');
    expect(create!.query.platform).toBe('linux');
  });
});
