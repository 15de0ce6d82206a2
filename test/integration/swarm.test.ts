/**
 * `deploy/ps/rm --to swarm` against a real single-node swarm. The swarm is a third, private dockerd
 * started here (own data/exec roots, pidfile, socket, --bridge none, pools inside 10.209.0.0/16) and
 * stopped after: the rig's two daemons are never made swarm members, and the test checks that they
 * are left as they were. Run under the rig lock (the new dockerd writes the host's iptables too).
 *
 * This kernel has no IPVS, so a service's virtual IP does not forward; the Linux services here use
 * `endpoint_mode: dnsrr` (the name resolves to the task IPs), which is what reaching by name needs.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertRigUp, execText, FAKE_WINDOWS_IMAGE, pollUntil, REGISTRY_BUSYBOX_IMAGE, rigDocker, runMixcompose, uniqueProjectName } from '../support/rig.js';
import { startPrivateDockerd, type PrivateDockerd } from '../support/private-dockerd.js';

const NAMESPACE = 'com.docker.stack.namespace';

/** Starts a private dockerd and makes it a single-node swarm on loopback. */
function startSwarmDaemon(): Promise<PrivateDockerd> {
  return startPrivateDockerd({
    prefix: 'mixcompose-swarm-',
    args: ['--default-address-pool', 'base=10.209.0.0/17,size=24', '--bridge', 'none', '--shutdown-timeout', '2', '--log-level', 'warn'],
    afterStart: async (docker) => {
      await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1', DefaultAddrPool: ['10.209.128.0/17'], SubnetSize: 24 });
    },
    // Leaving the swarm and removing docker_gwbridge first makes dockerd take out the bridge and its
    // iptables rules; a dockerd stopped with them in place leaves both on the host.
    beforeStop: async (docker) => {
      await docker.swarmLeave({ force: true }).catch(() => undefined);
      await docker.getNetwork('docker_gwbridge').remove().catch(() => undefined);
    },
  });
}

function writeStack(name: string): string {
  const dir = mkdtempSync('/tmp/mixcompose-swarm-stack-');
  writeFileSync(join(dir, 'token.txt'), 'tok-123\n');
  writeFileSync(
    join(dir, 'compose.yaml'),
    `name: ${name}
services:
  api:
    image: ${REGISTRY_BUSYBOX_IMAGE}
    command: ["sh", "-c", "while true; do echo pong | nc -l -p 8080; done"]
    expose: ["8080"]
    secrets: [token]
    deploy: {endpoint_mode: dnsrr}
  client:
    image: ${REGISTRY_BUSYBOX_IMAGE}
    command: ["sleep", "3600"]
    environment:
      API_HOST: "{{ api.host }}"
      API_PORT: "{{ api.port:8080 }}"
    deploy: {endpoint_mode: dnsrr}
  desktop:
    platform: windows
    image: ${FAKE_WINDOWS_IMAGE}
    depends_on: [api]
secrets:
  token:
    file: ./token.txt
`,
  );
  return join(dir, 'compose.yaml');
}

/** What the rig daemons hold that a swarm deploy could have touched. */
async function rigFacts(): Promise<unknown> {
  return Promise.all(
    (['linux', 'windows'] as const).map(async (d) => {
      const docker = rigDocker(d);
      const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
      const labelled = { filters: JSON.stringify({ label: [NAMESPACE] }) };
      return { daemon: d, swarm: info.Swarm?.LocalNodeState, containers: (await docker.listContainers({ all: true, ...labelled })).length, networks: (await docker.listNetworks(labelled)).length };
    }),
  );
}

describe('deploy --to swarm on a single-node swarm', () => {
  let swarm: PrivateDockerd | undefined;
  let before: unknown;
  const name = uniqueProjectName('swarm');
  let file = '';

  beforeAll(async () => {
    assertRigUp();
    before = await rigFacts();
    swarm = await startSwarmDaemon();
    file = writeStack(name);
  }, 120_000);

  afterAll(async () => {
    await swarm?.stop();
    if (file) rmSync(join(file, '..'), { recursive: true, force: true });
  }, 60_000);

  const cli = (...args: string[]) => runMixcompose(['-f', file, ...args, '--host', swarm!.host]);

  test('Linux services run and reach each other by name; the Windows service is reported unplaceable; redeploy changes nothing; rm removes all', async () => {
    const deployed = await cli('deploy', '--to', 'swarm', '--wait');
    expect(deployed.stderr).toContain(`created service ${name}_api`);
    expect(deployed.stderr).toContain('depends_on api (condition: service_started) is ignored by docker stack deploy');
    expect(deployed.stdout).toBe(['api: running', 'client: running', 'desktop: cannot be placed: no suitable node (scheduling constraints not satisfied on 1 node)'].join('\n'));
    expect(deployed.exitCode).toBe(0);

    const ps = await cli('ps', '--to', 'swarm', '--format', 'json');
    const rows = JSON.parse(ps.stdout) as { service: string; os: string; state: string; message: string }[];
    const running = rows.filter((r) => r.state === 'running');
    expect(running.map((r) => [r.service, r.os]).sort()).toEqual([['api', 'linux'], ['client', 'linux']]);
    expect(rows.filter((r) => r.service === 'desktop').map((r) => [r.state, r.message])).toContainEqual(['pending', 'no suitable node (scheduling constraints not satisfied on 1 node)']);
    const table = await cli('ps', '--to', 'swarm');
    expect(table.stdout).toMatch(new RegExp(`${name}_desktop\\.1\\s+desktop\\s+running\\s+pending\\s+no suitable node`));

    const [clientTask] = await swarm!.docker.listContainers({ filters: JSON.stringify({ label: [`com.docker.swarm.service.name=${name}_client`] }) });
    const client = swarm!.docker.getContainer(clientTask!.Id);
    const answer = await pollUntil('api to answer client by name', async () => {
      const out = await execText(client, ['sh', '-c', 'echo "$API_HOST:$API_PORT"; nc -w 3 "$API_HOST" "$API_PORT" </dev/null']);
      return out.includes('pong') ? out : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(answer).toContain('api:8080');
    const [apiTask] = await swarm!.docker.listContainers({ filters: JSON.stringify({ label: [`com.docker.swarm.service.name=${name}_api`] }) });
    expect(await execText(swarm!.docker.getContainer(apiTask!.Id), ['cat', '/run/secrets/token'])).toBe('tok-123\n');

    const versions = async () => ((await swarm!.docker.listServices({ filters: JSON.stringify({ label: [`${NAMESPACE}=${name}`] }) } as never)) as unknown as Dockerode.Service[]).map((s: any) => `${s.Spec?.Name}@${s.Version?.Index}`).sort();
    const first = await versions();
    const again = await cli('deploy', '--to', 'swarm');
    expect(again.exitCode).toBe(0);
    expect(again.stderr).not.toMatch(/^(created|updated|removed) /m);
    expect(again.stderr).toContain(`unchanged service ${name}_client`);
    expect(await versions()).toEqual(first);

    const removed = await cli('rm', '--to', 'swarm');
    expect(removed.exitCode).toBe(0);
    const labelled = { filters: JSON.stringify({ label: [`${NAMESPACE}=${name}`] }) };
    expect(await swarm!.docker.listServices(labelled as never)).toEqual([]);
    expect(await swarm!.docker.listSecrets(labelled)).toEqual([]);
    expect((await swarm!.docker.listNetworks(labelled)).map((n) => n.Name)).toEqual([]);
    expect(await swarm!.docker.listTasks(labelled)).toEqual([]);
    expect(await rigFacts()).toEqual(before);
  }, 240_000);

  test('docker stack deploy takes the file convert --to swarm writes, and rm --to swarm removes that stack too', async () => {
    const stackFile = join(file, '..', 'stack.yaml');
    const converted = await runMixcompose(['-f', file, 'convert', '--to', 'swarm', '-o', stackFile]);
    expect(converted.exitCode).toBe(0);
    const stack = `${name}-cli`;
    const deployed = await execa('/usr/bin/docker', ['-H', swarm!.host, 'stack', 'deploy', '-c', stackFile, stack], { reject: false });
    expect(deployed.stderr).toBe('');
    expect(deployed.exitCode).toBe(0);
    const labelled = { filters: JSON.stringify({ label: [`${NAMESPACE}=${stack}`] }) };
    const services = (await swarm!.docker.listServices(labelled as never)) as unknown as { Spec: { Name: string; TaskTemplate: { Placement: { Constraints: string[] } } } }[];
    expect(services.map((s) => [s.Spec.Name, s.Spec.TaskTemplate.Placement.Constraints]).sort()).toEqual([
      [`${stack}_api`, ['node.platform.os == linux']],
      [`${stack}_client`, ['node.platform.os == linux']],
      [`${stack}_desktop`, ['node.platform.os == windows']],
    ]);
    const removed = await runMixcompose(['-f', file, '-p', stack, 'rm', '--to', 'swarm', '--host', swarm!.host]);
    expect(removed.exitCode).toBe(0);
    expect(await swarm!.docker.listServices(labelled as never)).toEqual([]);
    expect((await swarm!.docker.listNetworks(labelled)).map((n) => n.Name)).toEqual([]);
  }, 120_000);

  test('stopping the private swarm daemon leaves no bridge or iptables rule of its pool on the host', async () => {
    await swarm!.stop();
    swarm = undefined;
    const rules = await execa('iptables-save', [], { reject: false });
    expect(String(rules.stdout).split('\n').filter((l) => /docker_gwbridge|10\.209\./.test(l))).toEqual([]);
    expect(existsSync('/sys/class/net/docker_gwbridge')).toBe(false);
  }, 60_000);
});
