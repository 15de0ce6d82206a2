/**
 * Port 53 on the linux daemon's address under published reach: one container per IP can publish it,
 * so a second project's resolver is refused at plan time (naming the holder and the fixes), the
 * daemon's bare bind errors become the same kind of message, and doctor says whether the port is free.
 */
import { describe, expect, it } from 'vitest';
import { DaemonError, PlanError } from '../../../src/errors.js';
import { hostPortHolders } from '../../../src/engine/observe.js';
import { execute } from '../../../src/engine/execute.js';
import { doctorRows, type DoctorFacts } from '../../../src/plan/doctor-verdict.js';
import type { PortHolder } from '../../../src/plan/observed-state.js';
import { dnsPortClashes, dnsPortTakenMessage, resolverBindFailure, resolverBindProblem } from '../../../src/plan/resolver.js';
import type { Service } from '../../../src/model/project.js';
import type { ContainerSummary } from '../../../src/engine/daemon-client.js';
import { MemoryDaemon } from '../engine/memory-daemon.js';
import { containersAfter, observed, project, service, planOf } from './builders.js';

const ADDRESS = '192.0.2.10';
const db = () => service('db', { command: ['sleep', '3600'], ports: [{ target: 5432, published: '5432', protocol: 'tcp' }] });
const web = (): Service =>
  service('web', { platform: 'windows', ports: [{ target: 80, published: '8080', protocol: 'tcp' }] });
const stack = (linuxReach: 'ip' | 'published' = 'published') =>
  project([db(), web()], {}, { linux: { reach: linuxReach, address: ADDRESS }, windows: { reach: 'published', address: '192.0.2.20' } });

const otherResolver = (hostIp = ADDRESS): PortHolder => ({ name: 'other-mixcompose-resolver', project: 'other', role: 'resolver', hostIp, protocol: 'udp' });
const ownResolver: PortHolder = { name: 'shop-mixcompose-resolver', project: 'shop', role: 'resolver', hostIp: ADDRESS, protocol: 'udp' };

describe('the resolver\'s port 53 on the linux address', () => {
  it('clashes with a holder on that IP or on every IP, never with the project\'s own resolver or another IP', () => {
    const holders: PortHolder[] = [otherResolver(), otherResolver('0.0.0.0'), otherResolver('192.0.2.99'), ownResolver];
    expect(dnsPortClashes('shop', ADDRESS, holders).map((h) => h.hostIp)).toEqual([ADDRESS, '0.0.0.0']);
  });

  it('up is refused before anything starts, naming the holder, the setting and every fix', () => {
    let error: unknown;
    try {
      planOf(stack(), observed({ dnsPortHolders: [otherResolver()] }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toContain('port 53 on 192.0.2.10 (x-mixcompose.daemons.linux.address) is already published by container other-mixcompose-resolver, the resolver of project other (192.0.2.10:53 udp)');
    expect(message).toContain('mixcompose -p other down');
    expect(message).toContain('another IP of the linux daemon\'s host');
    expect(message).toContain('x-mixcompose.resolver.enabled: false');
    expect(message).toContain('Nothing was started.');
  });

  it('mixed reach (linux ip, windows published) needs the port too; a free port or another IP plans as usual', () => {
    expect(() => planOf(stack('ip'), observed({ dnsPortHolders: [otherResolver()] }))).toThrow(/port 53 on 192\.0\.2\.10/);
    expect(planOf(stack(), observed({ dnsPortHolders: [otherResolver('192.0.2.99')] })).resolver).toBe(true);
    expect(planOf(stack(), observed({ dnsPortHolders: [] })).resolver).toBe(true);
  });

  it('a running resolver of the project that already holds the port is kept, not refused', () => {
    const plan = planOf(stack(), observed());
    const running = containersAfter(plan, (id, daemon) => `10.${daemon === 'linux' ? 201 : 202}.0.${id.length}`);
    expect(running.some((c) => c.service === 'mixcompose-resolver')).toBe(true);
    const again = planOf(stack(), observed({ containers: running, dnsPortHolders: [ownResolver, otherResolver('192.0.2.99')] }));
    expect(again.operations.filter((op) => 'service' in op && op.service === 'mixcompose-resolver')).toEqual([]);
  });

  it('the daemon\'s bind errors become messages with the setting and the fix', () => {
    const taken = resolverBindFailure(new Error('(HTTP code 500) server error - driver failed programming external connectivity on endpoint x: Bind for 192.0.2.2:53 failed: port is already allocated'));
    expect(taken).toContain('could not publish port 53 on 192.0.2.2 (x-mixcompose.daemons.linux.address)');
    expect(taken).toContain('x-mixcompose.resolver.enabled: false');
    const hostProcess = resolverBindFailure(new Error('listen udp4 192.0.2.2:53: bind: address already in use'));
    expect(hostProcess).toContain('something already holds it');
    const foreign = resolverBindFailure(new DaemonError('linux', 'start', new Error('listen tcp4 192.0.2.99:53: bind: cannot assign requested address')));
    expect(foreign).toContain('192.0.2.99 (x-mixcompose.daemons.linux.address): it is not an IP of the linux daemon\'s host');
    expect(resolverBindFailure(new Error('no such image'))).toBeUndefined();
  });

  it('the executor reports the resolver\'s bind failure with that message and no "to continue"', async () => {
    const linux = new MemoryDaemon('linux (mem)', '10.201.0');
    const windows = new MemoryDaemon('windows (mem)', '10.202.0');
    linux.failures.set('startContainer', new Error('Bind for 192.0.2.10:53 failed: port is already allocated'));
    const resume = { files: ['compose.yaml'], projectName: 'shop', command: 'up', args: ['-d'] };
    const error = await execute(planOf(stack(), observed()), { clients: { linux, windows }, pollIntervalMs: 1, resume }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as DaemonError).message).toContain('names across daemons: the project resolver could not publish port 53 on 192.0.2.10');
    expect((error as DaemonError).progress?.resume).toBeUndefined();
    expect((error as DaemonError).progress?.notDone.length).toBeGreaterThan(0);
  });

  it('lists running containers that publish the host port, with their project and role', async () => {
    const daemon = new MemoryDaemon('linux (mem)', '10.201.0');
    const summaries: ContainerSummary[] = [
      { Id: 'a', Names: ['/other-mixcompose-resolver'], Image: 'r', State: 'running', Labels: { 'com.docker.compose.project': 'other', 'io.mixcompose.role': 'resolver' }, Ports: [{ IP: ADDRESS, PrivatePort: 5353, PublicPort: 53, Type: 'udp' }] },
      { Id: 'b', Names: ['/web'], Image: 'w', State: 'running', Labels: {}, Ports: [{ IP: '0.0.0.0', PrivatePort: 53, PublicPort: 1053, Type: 'udp' }] },
    ];
    daemon.listContainers = async () => summaries;
    expect(await hostPortHolders(daemon, 53)).toEqual([{ name: 'other-mixcompose-resolver', project: 'other', role: 'resolver', hostIp: ADDRESS, protocol: 'udp' }]);
  });
});

describe('doctor: resolver port 53', () => {
  const base = (extra: Partial<DoctorFacts>): DoctorFacts => ({ daemons: [], allowOsMismatch: true, reach: { linux: 'published', windows: 'published' }, ...extra });
  const rowOf = (facts: DoctorFacts) => doctorRows(facts).find((r) => r.check === `resolver port 53 on ${ADDRESS}`);

  it('fails when another project publishes it, with the fix', () => {
    const row = rowOf(base({ dnsPort: { address: ADDRESS, project: 'shop', holders: [otherResolver()] } }));
    expect(row).toMatchObject({ status: 'fail', detail: expect.stringContaining('other-mixcompose-resolver (project other)') });
    expect(row?.fix).toContain('mixcompose -p other down');
  });

  it('is ok when free or held by this project\'s resolver, and absent under ip reach', () => {
    expect(rowOf(base({ dnsPort: { address: ADDRESS, project: 'shop', holders: [] } }))).toMatchObject({ status: 'ok', detail: expect.stringContaining('free') });
    expect(rowOf(base({ dnsPort: { address: ADDRESS, project: 'shop', holders: [ownResolver] } }))).toMatchObject({ status: 'ok', detail: expect.stringContaining('this project\'s resolver') });
    expect(rowOf(base({ reach: { linux: 'ip', windows: 'ip' }, dnsPort: { address: ADDRESS, project: 'shop', holders: [otherResolver()] } }))).toBeUndefined();
  });
});

describe('doctor: names through the published resolver', () => {
  it('a bind failure of the doctor\'s resolver is the names row\'s detail and fix', () => {
    const bind = resolverBindProblem(new Error('listen udp4 198.51.100.7:53: bind: cannot assign requested address'))!;
    const ok = { status: 'ok' as const, detail: 'ok' };
    const network = {
      ip: { 'linux->windows': ok, 'windows->linux': ok },
      published: {},
      namesWithoutWiring: {},
      namesWithWiring: { 'windows->linux': { status: 'failed' as const, detail: bind.problem, fix: bind.fix } },
    };
    const row = doctorRows({ daemons: [], allowOsMismatch: true, reach: {}, network }).find((r) => r.check === 'names with mixcompose windows → linux');
    expect(row).toMatchObject({ status: 'fail', detail: expect.stringContaining('198.51.100.7 (x-mixcompose.daemons.linux.address): it is not an IP'), fix: expect.stringContaining('set x-mixcompose.daemons.linux.address to an IP of that host') });
    expect(row?.detail).not.toContain('run up again');
  });
});

describe('the plan-time message', () => {
  it('names every holder once, sorted, and a host holder without a project', () => {
    const message = dnsPortTakenMessage(ADDRESS, [otherResolver(), { ...otherResolver(), protocol: 'tcp' }, { name: 'dns', hostIp: '0.0.0.0', protocol: 'tcp' }]);
    expect(message).toContain('container dns (0.0.0.0:53 tcp), container other-mixcompose-resolver, the resolver of project other (192.0.2.10:53 tcp+udp);');
    expect(message).toContain('free it (docker rm -f dns on the linux daemon; mixcompose -p other down)');
    expect(message).not.toContain('or or');
  });

  it('names the down that frees the port with the holder\'s own compose files', () => {
    const message = dnsPortTakenMessage(ADDRESS, [{ ...otherResolver(), configFiles: ['/srv/other/compose.yaml', '/srv/other/dev.yaml'] }]);
    expect(message).toContain('mixcompose -f /srv/other/compose.yaml -f /srv/other/dev.yaml -p other down');
  });
});
