/**
 * Names across daemons stay true when Docker restarts a container by itself. A windows-declared
 * `web` (on the stand-in daemon) with `restart: always` exits after the first `up`; while it is
 * down a squatter container takes its address (the daemon would otherwise give the same one back),
 * so Docker brings it back with another IP. `ps` then reports the stale resolver entry, `up` fixes
 * it without recreating anything, and a linux container resolves `web` to the new address. A
 * windows service removed from the file has its entry emptied by `up --remove-orphans`.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import { assertRigUp, containerIp, execText, nslookupIp, pollUntil, rigDocker, rigEnv, runMixcompose, BUSYBOX_IMAGE, MIXCOMPOSE_BIN } from '../../support/rig.js';
import { testStack, type TestStack } from './stack.js';

// web's own network, with a subnet so the squatter can ask for web's address (--ip needs a
// configured subnet). Random, inside the windows pool, far above what the pool hands out here.
const subnet = () => `10.202.${randomInt(200, 250)}.0/24`;

const services = (withApi: boolean, SUBNET: string) => `
services:
  db:
    platform: linux
    image: ${BUSYBOX_IMAGE}
    init: true
    command: ["sleep", "3600"]
  web:
    platform: windows
    image: ${BUSYBOX_IMAGE}
    init: true
    restart: always
    networks: [winnet]
    # Run 1 lasts until the test says go; runs 2-5 exit at once (Docker's restart delay doubles each
    # time: gaps for the squatter); from run 6 on it stays up. /tmp outlives a restart.
    command:
      - sh
      - -c
      - |
        n=$$(( $$(cat /tmp/runs 2>/dev/null || echo 0) + 1 )); echo $$n > /tmp/runs
        if [ $$n -eq 1 ]; then until [ -e /tmp/go ]; do sleep 0.1; done; exit 3; fi
        if [ $$n -lt 6 ]; then exit 4; fi
        exec sleep 3600
${
  withApi
    ? `  api:
    platform: windows
    image: ${BUSYBOX_IMAGE}
    init: true
    command: ["sleep", "3600"]
`
    : ''
}networks:
  winnet:
    ipam:
      config:
        - subnet: ${SUBNET}
`;

/** The IPv4 address `nslookup name` gives inside the linux `db` container (through the resolver). */
async function resolveFromLinux(stack: TestStack, name: string): Promise<string | undefined> {
  return nslookupIp(rigDocker('linux').getContainer(`${stack.name}-db-1`), name);
}

const windows = rigDocker('windows');
const squatters: Dockerode.Container[] = [];

/**
 * Lets web's first run end, and starts a squatter asking for web's address: its start succeeds only
 * while web is down, so Docker brings web back with another IP. Resolves with both addresses.
 */
async function restartWithAnotherAddress(stack: TestStack): Promise<{ oldIp: string; newIp: string }> {
  const web = windows.getContainer(`${stack.name}-web-1`);
  const network = `${stack.name}_winnet`;
  const oldIp = await containerIp(windows, web.id, network);
  const squatter = await windows.createContainer({
    Image: BUSYBOX_IMAGE,
    name: `${stack.name}-squatter`,
    Cmd: ['sleep', '3600'],
    HostConfig: { NetworkMode: network },
    NetworkingConfig: { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: oldIp } } } },
  });
  squatters.push(squatter);
  await execText(web, ['touch', '/tmp/go']);
  await pollUntil(
    "the squatter to take web's address while Docker restarts web",
    async () => {
      await squatter.start();
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 20 },
  );
  const newIp = await pollUntil(
    'web running again (run 6 or later) with another address',
    async () => {
      const info = await web.inspect();
      const runs = info.State.Running ? (await execText(web, ['cat', '/tmp/runs'])).trim() : '';
      const ip = info.NetworkSettings.Networks[network]?.IPAddress;
      return Number(runs) >= 6 && ip ? ip : undefined;
    },
    { timeoutMs: 60_000 },
  );
  expect(newIp).not.toBe(oldIp);
  expect((await web.inspect()).RestartCount).toBeGreaterThanOrEqual(5);
  return { oldIp, newIp };
}

describe('names across daemons after Docker restarts a container', () => {
  let stack: TestStack;

  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('namesfresh', services(true, subnet()));
    await stack.up();
  });
  afterAll(async () => {
    await Promise.all(squatters.map((s) => s.remove({ force: true }).catch(() => undefined)));
    await stack?.cleanup();
  });

  it('web comes back with another address, up registers it without recreating anything, linux resolves it', async () => {
    const ids = async () => (await Promise.all(['linux', 'windows'].map((d) => rigDocker(d as 'linux' | 'windows').listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`] }) })))).flat().map((c) => c.Id).sort();
    const before = await ids();
    const webIp = await containerIp(windows, `${stack.name}-web-1`, `${stack.name}_winnet`);
    expect(await pollUntil('db resolves web', () => resolveFromLinux(stack, 'web'), { timeoutMs: 15_000 })).toBe(webIp);
    const { oldIp, newIp } = await restartWithAnotherAddress(stack);
    // The resolver still answers the old address: that is the stale entry.
    expect(await pollUntil('db resolves web (stale)', () => resolveFromLinux(stack, 'web'), { timeoutMs: 15_000 })).toBe(oldIp);

    // ps says so, in the table and in json.
    const args = ['-p', stack.name, '-f', `${stack.dir}/compose.yaml`, '--progress', 'quiet', 'ps'];
    const table = await runMixcompose(args, { cwd: stack.dir });
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stdout).toContain(`web-1: the resolver answers ${oldIp}, the container has ${newIp}: run mixcompose up`);
    expect(table.stdout).not.toContain('api-1:');
    const json = await runMixcompose([...args, '--format', 'json'], { cwd: stack.dir });
    const rows = JSON.parse(json.stdout) as { name: string; nameEntry?: { state: string; resolverIp?: string; containerIp: string } }[];
    expect(rows.find((r) => r.name === `${stack.name}-web-1`)?.nameEntry).toMatchObject({ state: 'stale', resolverIp: oldIp, containerIp: newIp });
    expect(rows.find((r) => r.name === `${stack.name}-api-1`)?.nameEntry?.state).toBe('fresh');

    // up registers web again and does nothing else.
    const { plan } = await stack.up();
    expect(plan.operations.map((op) => `${op.kind} ${op.id}`)).toEqual(['register-hosts hosts:web:1']);
    expect(await ids()).toEqual(before);
    expect(await pollUntil('db resolves web to its new address', async () => (await resolveFromLinux(stack, 'web')) === newIp, { timeoutMs: 15_000 })).toBe(true);
    const after = await runMixcompose(args, { cwd: stack.dir });
    expect(after.stdout).not.toContain('the resolver answers');

    // A second up: nothing stale, nothing to do.
    expect((await stack.up()).plan.operations).toEqual([]);
  });

  it('a windows service removed from the file: up --remove-orphans empties its entry, linux no longer resolves it', async () => {
    const apiIp = await containerIp(windows, `${stack.name}-api-1`);
    expect(await pollUntil('db resolves api', () => resolveFromLinux(stack, 'api'), { timeoutMs: 15_000 })).toBe(apiIp);
    await stack.rewrite(services(false, stack.project.networks.winnet!.ipam!.config![0]!.subnet!));
    const { plan } = await stack.up({ removeOrphans: true });
    expect(plan.operations.map((op) => `${op.kind} ${op.id}`).sort()).toEqual([
      'remove-container remove:api:1',
      'stop-container stop:api:1',
      'unregister-hosts unhosts:api-1',
    ]);
    expect(await pollUntil('api no longer resolves from linux', async () => (await resolveFromLinux(stack, 'api')) === undefined, { timeoutMs: 15_000 })).toBe(true);
    // Nothing left to clean up: the emptied entry is no entry.
    expect((await stack.up()).plan.operations).toEqual([]);
  });
});

describe('attached up', () => {
  let stack: TestStack | undefined;
  afterAll(async () => {
    await Promise.all(squatters.map((s) => s.remove({ force: true }).catch(() => undefined)));
    await stack?.cleanup();
  });

  it('registers a container Docker restarts while up streams its logs, with no second up', async () => {
    assertRigUp();
    stack = await testStack('namesattached', services(false, subnet()));
    const child = execa('node', [MIXCOMPOSE_BIN, '-p', stack.name, '-f', join(stack.dir, 'compose.yaml'), '--progress', 'plain', 'up'], {
      env: rigEnv(),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      all: true,
    });
    let output = '';
    child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const webIp = await pollUntil('web registered and resolving from linux', async () => {
        const ip = await containerIp(windows, `${stack!.name}-web-1`, `${stack!.name}_winnet`).catch(() => undefined);
        return ip && (await resolveFromLinux(stack!, 'web').catch(() => undefined)) === ip ? ip : undefined;
      }, { timeoutMs: 60_000 });
      const { oldIp, newIp } = await restartWithAnotherAddress(stack);
      expect(oldIp).toBe(webIp);
      expect(await pollUntil('linux resolves web to its new address', async () => (await resolveFromLinux(stack!, 'web')) === newIp, { timeoutMs: 20_000 })).toBe(true);
      expect(output).toContain(`Registered: web ${stack.name}-web-1 → ${newIp}`);
    } finally {
      child.kill('SIGINT');
      await child;
    }
    expect(output).toContain('Gracefully stopping');
  });
});
