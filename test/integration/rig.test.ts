/**
 * The rig's facts, which every other integration test builds on: two distinct daemons, their address
 * pools routed to each other by IP, names NOT resolving across daemons on their own (the problem
 * mixcompose solves), the resolver image serving a hosts file written into it at run time, and the
 * registry's images (busybox as linux, fake-windows as windows).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pack } from 'tar-fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import {
  BUSYBOX_IMAGE,
  FAKE_WINDOWS_IMAGE,
  FAKE_WINDOWS_OS_VERSION,
  PAYLOAD_IMAGES,
  POOL_OF,
  REGISTRY,
  REGISTRY_BUSYBOX_IMAGE,
  RESOLVER_IMAGE,
  assertRigUp,
  containerIp,
  pollUntil,
  removeProjectLeftovers,
  rigDocker,
  runScript,
  startRigDaemon,
  stopRigDaemon,
  uniqueProjectName,
  type RigDaemon,
} from '../support/rig.js';

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

/** A busybox script printing what `ip`:7000 answers, retrying while the listener is not up yet. */
const readListener = (ip: string) =>
  `for i in $(seq 50); do out=$(nc -w 2 ${ip} 7000) && [ -n "$out" ] && echo "$out" && exit 0; sleep 0.1; done; exit 1`;

/** True when `ip` lies inside the IPv4 CIDR `pool`. */
function inPool(ip: string, pool: string): boolean {
  const toInt = (a: string) => a.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const [base, bits] = pool.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(base!) / size);
}

async function registryConfig(repo: string): Promise<Record<string, unknown>> {
  const manifest = await fetch(`http://${REGISTRY}/v2/${repo}/manifests/latest`, { headers: { accept: MANIFEST_V2 } });
  expect(manifest.status).toBe(200);
  const { config } = (await manifest.json()) as { config: { digest: string } };
  const blob = await fetch(`http://${REGISTRY}/v2/${repo}/blobs/${config.digest}`);
  expect(blob.status).toBe(200);
  return (await blob.json()) as Record<string, unknown>;
}

describe('the test rig', () => {
  const project = uniqueProjectName('rig');
  const labels = { 'com.docker.compose.project': project };
  const docker: Record<RigDaemon, Dockerode> = { linux: rigDocker('linux'), windows: rigDocker('windows') };
  const network = `${project}_default`;
  /** One listener per daemon, answering `pong-<daemon>` on TCP 7000. */
  const listenerIp: Partial<Record<RigDaemon, string>> = {};
  const listenerName = (daemon: RigDaemon) => `${project}-listener-${daemon}`;

  beforeAll(async () => {
    assertRigUp();
    for (const daemon of ['linux', 'windows'] as const) {
      await docker[daemon].createNetwork({ Name: network, Driver: 'bridge', Labels: labels });
      const container = await docker[daemon].createContainer({
        Image: BUSYBOX_IMAGE,
        name: listenerName(daemon),
        Labels: labels,
        Cmd: ['sh', '-c', `while true; do echo pong-${daemon} | nc -l -p 7000; done`],
        HostConfig: { NetworkMode: network },
      });
      await container.start();
      listenerIp[daemon] = await containerIp(docker[daemon], container.id, network);
    }
  });

  afterAll(async () => {
    await removeProjectLeftovers(project);
  });

  test('two distinct daemons answer /info, both with the busybox and resolver images', async () => {
    const [linux, windows] = await Promise.all([docker.linux.info(), docker.windows.info()]);
    expect(linux.ID).not.toBe(windows.ID);
    for (const daemon of ['linux', 'windows'] as const) {
      const tags = (await docker[daemon].listImages()).flatMap((image) => image.RepoTags ?? []);
      expect(tags).toEqual(expect.arrayContaining([BUSYBOX_IMAGE, RESOLVER_IMAGE]));
    }
  });

  test('each daemon allocates networks from its own pool', () => {
    expect(inPool(listenerIp.linux!, POOL_OF.linux)).toBe(true);
    expect(inPool(listenerIp.windows!, POOL_OF.windows)).toBe(true);
  });

  test.each([
    ['windows', 'linux'],
    ['linux', 'windows'],
  ] as const)('a container on %s reaches a container on %s by IP', async (from, to) => {
    // Retry inside the container: the listener may not be listening yet (a deadline, not a sleep).
    const result = await runScript(docker[from], readListener(listenerIp[to]!), { network });
    expect(result.output.trim()).toBe(`pong-${to}`);
    expect(result.exitCode).toBe(0);
  });

  test('names do not resolve across daemons on their own (the field situation)', async () => {
    const sameDaemon = await runScript(docker.linux, `nslookup ${listenerName('linux')}`, { network });
    expect(sameDaemon.exitCode).toBe(0);
    expect(sameDaemon.output).toContain(listenerIp.linux);

    const otherDaemon = await runScript(docker.windows, `nslookup ${listenerName('linux')}`, { network });
    expect(otherDaemon.exitCode).not.toBe(0);
    expect(otherDaemon.output).not.toContain(listenerIp.linux);
  });

  test('the resolver image serves a hosts file written into its hostsdir at run time, across daemons', async () => {
    const resolver = await docker.linux.createContainer({
      Image: RESOLVER_IMAGE,
      // Its own command, as mixcompose gives it: the image may have been rebuilt from resolver/Dockerfile
      // by the helper-image tests, whose default command watches another hostsdir.
      Cmd: ['sh', '-c', 'mkdir -p /etc/mixcompose/hosts && exec dnsmasq -k --no-resolv --server=127.0.0.11 --hostsdir=/etc/mixcompose/hosts --no-hosts --user=root --log-queries --log-facility=-'],
      name: `${project}-resolver`,
      Labels: labels,
      HostConfig: { NetworkMode: network },
    });
    await resolver.start();
    const resolverIp = await containerIp(docker.linux, resolver.id, network);

    const dir = mkdtempSync(join(tmpdir(), 'rig-hosts-'));
    try {
      writeFileSync(join(dir, 'windows-listener'), `${listenerIp.windows} winlistener\n`);
      await resolver.putArchive(pack(dir) as unknown as NodeJS.ReadableStream, { path: '/etc/mixcompose/hosts' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // dnsmasq picks the file up through inotify; wait until it says so.
    await pollUntil('dnsmasq to read the hosts file', async () => {
      const logs = (await resolver.logs({ stdout: true, stderr: true })).toString('utf8');
      return logs.includes('/etc/mixcompose/hosts/windows-listener');
    });

    // From the windows daemon: a name written into the resolver, and a linux-side name it forwards
    // to its own embedded DNS.
    const fromWindows = await runScript(
      docker.windows,
      `nslookup winlistener && nslookup ${listenerName('linux')}`,
      { network, dns: [resolverIp] },
    );
    expect(fromWindows.output).toContain(listenerIp.windows);
    expect(fromWindows.output).toContain(listenerIp.linux);
    expect(fromWindows.exitCode).toBe(0);
  });

  test('the registry serves busybox (linux), payload images and fake-windows (windows config)', async () => {
    const busybox = await registryConfig('busybox');
    expect(busybox.os).toBe('linux');

    const fakeWindows = await registryConfig('fake-windows');
    expect(fakeWindows.os).toBe('windows');
    expect(fakeWindows['os.version']).toBe(FAKE_WINDOWS_OS_VERSION);
    // Same layers as busybox: only the config differs.
    expect((fakeWindows.rootfs as { diff_ids: string[] }).diff_ids).toEqual(
      (busybox.rootfs as { diff_ids: string[] }).diff_ids,
    );

    for (const image of PAYLOAD_IMAGES) {
      const repo = image.slice(REGISTRY.length + 1).replace(/:latest$/, '');
      const config = await registryConfig(repo);
      expect((config.rootfs as { diff_ids: string[] }).diff_ids.length).toBe(
        (busybox.rootfs as { diff_ids: string[] }).diff_ids.length + 1,
      );
    }
  });

  test('one daemon can be stopped and started again, keeping its images, and routes still work', async () => {
    await stopRigDaemon('windows');
    try {
      await expect(docker.windows.ping()).rejects.toThrow();
      await expect(docker.linux.ping()).resolves.toBeTruthy();
    } finally {
      await startRigDaemon('windows');
    }
    await docker.windows.getImage(BUSYBOX_IMAGE).inspect();
    // Its containers were stopped, not removed: the windows listener comes back on start.
    await docker.windows.getContainer(listenerName('windows')).start();
    const ip = await containerIp(docker.windows, listenerName('windows'), network);
    const result = await runScript(docker.linux, readListener(ip), { network });
    expect(result.output.trim()).toBe('pong-windows');
  });

  test('a daemon reports the platforms of a registry image before any pull', async () => {
    const inspect = async (image: string) =>
      (await docker.linux.getImage(image).distribution()).Platforms as unknown as Array<Record<string, string>>;
    expect(await inspect(FAKE_WINDOWS_IMAGE)).toEqual([
      expect.objectContaining({ os: 'windows', 'os.version': FAKE_WINDOWS_OS_VERSION }),
    ]);
    expect(await inspect(REGISTRY_BUSYBOX_IMAGE)).toEqual([expect.objectContaining({ os: 'linux' })]);
  });
});
