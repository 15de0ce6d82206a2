/**
 * A full disk on a daemon's data root (issue 12). The test starts its OWN small dockerd (as
 * swarm.test.ts does: own socket, data and exec roots, pidfile; --iptables=false and --bridge none,
 * so the host's firewall is not touched) whose data root is a tmpfs of 14 MB: enough for busybox,
 * not for an image with 8 MB more. `up` of a service on that image fails clearly with the daemon's
 * own "no space left on device"; after the space is grown (remount), the next `up` converges and
 * `down` leaves nothing of the project. The rig's daemons are only read (the project is linux-only
 * and runs on the private daemon through MIXCOMPOSE_LINUX_HOST).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_IMAGES, REGISTRY_BUSYBOX_IMAGE, assertRigUp, runMixcompose, uniqueProjectName } from '../../support/rig.js';
import { startPrivateDockerd, type PrivateDockerd } from '../../support/private-dockerd.js';
import { composeYaml } from '../../support/stacks.js';

/** A dockerd whose data root is a tmpfs of `sizeMb` MB (no iptables, no bridge: the host's firewall stays as it is). */
function startSmallDaemon(sizeMb: number): Promise<PrivateDockerd> {
  return startPrivateDockerd({
    prefix: 'mixcompose-fulldisk-',
    beforeStart: async (dataRoot) => {
      await execa('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dataRoot]);
    },
    args: ['--default-address-pool', 'base=10.208.0.0/16,size=24', '--bridge', 'none', '--iptables=false', '--storage-driver', 'vfs', '--shutdown-timeout', '2', '--log-level', 'warn'],
  });
}

const yaml = (image: string) => composeYaml({ services: { small: { platform: null, image: REGISTRY_BUSYBOX_IMAGE }, big: { platform: null, image } } });

describe('fault suite: a full disk on a daemon data root', () => {
  let daemon: PrivateDockerd | undefined;
  const name = uniqueProjectName('mcdisk');
  let dir = '';
  const mc = (args: string[]) =>
    runMixcompose(['-f', join(dir, 'compose.yaml'), '-p', name, ...args], { cwd: dir, env: { MIXCOMPOSE_LINUX_HOST: daemon!.host, MIXCOMPOSE_WINDOWS_HOST: undefined }, timeoutMs: 180_000 });
  const projectObjects = async () => {
    const filters = JSON.stringify({ label: [`com.docker.compose.project=${name}`] });
    const containers = await daemon!.docker.listContainers({ all: true, filters });
    const networks = await daemon!.docker.listNetworks({ filters });
    return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`)].sort();
  };

  beforeAll(async () => {
    assertRigUp();
    daemon = await startSmallDaemon(14);
    dir = mkdtempSync('/tmp/mixcompose-fulldisk-stack-');
    writeFileSync(join(dir, 'compose.yaml'), yaml(PAYLOAD_IMAGES[3]!));
  }, 120_000);
  afterAll(async () => {
    if (daemon) await mc(['down', '-t', '1']).catch(() => undefined);
    await daemon?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('up fails with the daemon\'s message; after space is freed the next up converges and down leaves nothing', async () => {
    const up = await mc(['up', '-d']);
    expect(up.exitCode, up.stdout + up.stderr).not.toBe(0);
    expect(up.stderr).toMatch(/no space left on device/);
    expect(up.stderr).toContain(PAYLOAD_IMAGES[3]!);
    expect(up.stderr).not.toMatch(/internal error|\n\s+at /);
    // Free space: the data root grows (as an operator would prune or resize).
    await execa('mount', ['-o', 'remount,size=200m', daemon!.dataRoot]);
    const again = await mc(['up', '-d']);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    const running = (await daemon!.docker.listContainers({ filters: JSON.stringify({ label: [`com.docker.compose.project=${name}`] }) })).map((c) => c.Names[0]).sort();
    expect(running).toEqual([`/${name}-big-1`, `/${name}-small-1`]);
    const down = await mc(['down', '-t', '1']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await projectObjects()).toEqual([]);
  }, 300_000);
});
