/**
 * `ps` and containers that ask the project resolver at an old address. Every project container is
 * created with `dns: [resolver IP]`; here the resolver comes back with another IP (stopped, a
 * squatter container takes its address on its network, started again), so `db` (linux) and `web`
 * (windows stand-in) point at the old one. `ps` says so (table and json) with the fix, and `up`
 * recreates exactly them, after which `ps` is clean and `web` resolves `db` again.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import { assertRigUp, containerIp, nslookupIp, pollUntil, rigDocker, runMixcompose, BUSYBOX_IMAGE } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';
import { testStack, type TestStack } from './stack.js';

// The default network (db's, and so the resolver's) gets a subnet so the squatter can ask for the
// resolver's address (--ip needs a configured subnet): inside the linux pool, far above what it hands out.
const SUBNET = `10.201.${randomInt(200, 250)}.0/24`;

const yaml = dbWebYaml({
  reach: 'ip',
  web: { lines: ['networks: [winnet]'] },
  tail: `networks:
  default:
    ipam:
      config:
        - subnet: ${SUBNET}
  winnet: {}
`,
});

const linux = rigDocker('linux');
const windows = rigDocker('windows');
let squatter: Dockerode.Container | undefined;

async function dnsOf(docker: Dockerode, name: string): Promise<string[]> {
  return (await docker.getContainer(name).inspect()).HostConfig.Dns ?? [];
}

interface Row {
  name: string;
  resolverDns?: { state: string; dnsServer: string; resolverAt: string };
}

describe('ps: containers whose DNS server is not where the project resolver is now', () => {
  let stack: TestStack;
  let args: string[];
  const ps = async (...more: string[]) => {
    const result = await runMixcompose([...args, ...more], { cwd: stack.dir });
    expect(result.exitCode, result.stderr).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('psdns', yaml);
    args = ['-p', stack.name, '-f', `${stack.dir}/compose.yaml`, '--progress', 'quiet', 'ps'];
    await stack.up();
  });
  afterAll(async () => {
    await squatter?.remove({ force: true }).catch(() => undefined);
    await stack?.cleanup();
  });

  it('the resolver comes back with another IP: ps names db and web with the fix, up recreates them, ps is clean', async () => {
    const resolverName = `${stack.name}-mixcompose-resolver`;
    const network = `${stack.name}_default`;
    const oldIp = await containerIp(linux, resolverName, network);
    expect(await dnsOf(linux, `${stack.name}-db-1`)).toEqual([oldIp]);
    expect(await dnsOf(windows, `${stack.name}-web-1`)).toEqual([oldIp]);
    expect(await ps()).not.toContain('dns points at');

    // The resolver comes back with another IP: a squatter holds its address while it is stopped.
    const resolver = linux.getContainer(resolverName);
    await resolver.stop({ t: 1 });
    squatter = await linux.createContainer({
      Image: BUSYBOX_IMAGE,
      name: `${stack.name}-squatter`,
      Cmd: ['sleep', '3600'],
      HostConfig: { NetworkMode: network },
      NetworkingConfig: { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: oldIp } } } },
    });
    await squatter.start();
    await resolver.start();
    const newIp = await containerIp(linux, resolverName, network);
    expect(newIp).not.toBe(oldIp);

    const fix = 'run mixcompose up (it recreates the containers that use the old address)';
    const table = await ps();
    expect(table).toContain(`db-1: dns points at ${oldIp}, the project resolver is at ${newIp}: ${fix}`);
    expect(table).toContain(`web-1: dns points at ${oldIp}, the project resolver is at ${newIp}: ${fix}`);
    // The resolver runs: no outage line.
    expect(table).not.toContain('names across daemons: the resolver');
    const rows = JSON.parse(await ps('--format', 'json')) as Row[];
    for (const replica of ['db-1', 'web-1']) {
      expect(rows.find((r) => r.name === `${stack.name}-${replica}`)?.resolverDns).toEqual({ state: 'stale', dnsServer: oldIp, resolverAt: newIp });
    }

    // up recreates the two containers (their config hash holds the DNS list) and keeps the resolver.
    const { plan } = await stack.up();
    expect(plan.operations.filter((op) => op.kind === 'create-container').map((op) => op.id).sort()).toEqual(['create:db:1', 'create:web:1']);
    expect(await dnsOf(linux, `${stack.name}-db-1`)).toEqual([newIp]);
    expect(await dnsOf(windows, `${stack.name}-web-1`)).toEqual([newIp]);
    expect(await ps()).not.toContain('dns points at');
    const after = JSON.parse(await ps('--format', 'json')) as Row[];
    expect(after.map((r) => r.resolverDns?.state)).toEqual(['current', 'current']);

    // And names across daemons work again: web (windows) resolves db through the resolver.
    const dbIp = await containerIp(linux, `${stack.name}-db-1`, network);
    const web = windows.getContainer(`${stack.name}-web-1`);
    expect(await pollUntil('web resolves db', () => nslookupIp(web, 'db'), { timeoutMs: 15_000 })).toBe(dbIp);
  });
});
