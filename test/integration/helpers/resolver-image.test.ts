/**
 * mixcompose builds its resolver image on a Linux daemon that lacks it: here on the rig's linux
 * daemon, under a throw-away tag, from the test registry's resolver-base (the rig's resolver rootfs:
 * it has /usr/sbin/dnsmasq, so the Dockerfile installs nothing and no internet is needed).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerodeClient } from '../../../src/engine/dockerode-client.js';
import { ensureResolverImage, LABEL_RESOLVER_BASE } from '../../../src/engine/helper-images.js';
import type { EngineEvent as Event } from '../../../src/model/events.js';
import { modemOptionsFor, parseDockerHost } from '../../../src/engine/daemon-endpoints.js';
import { assertRigUp, LINUX_HOST, REGISTRY, rigDocker } from '../../support/rig.js';

const BASE = `${REGISTRY}/resolver-base:latest`;
const TAG = `mixcompose-test/resolver-build:${randomBytes(4).toString('hex')}`;

describe('the resolver image, built by mixcompose on a daemon that lacks it', () => {
  const docker = rigDocker('linux');
  const client = createDockerodeClient({ label: 'linux (rig)', modem: modemOptionsFor(parseDockerHost(LINUX_HOST), undefined, {}) });
  beforeAll(async () => {
    assertRigUp();
    // The base comes from the registry, as a user's private base would.
    await docker.getImage(BASE).remove({ force: true }).catch(() => undefined);
  });
  afterAll(async () => {
    await docker.getImage(TAG).remove({ force: true }).catch(() => undefined);
    await docker.getImage(BASE).remove({ force: true }).catch(() => undefined);
    client.close?.();
  });

  it('pulls the base with progress, installs nothing when it has dnsmasq, and the image serves names', async () => {
    const events: Event[] = [];
    const result = await ensureResolverImage(client, { image: TAG, base: BASE, onProgress: (e) => events.push(e) });
    expect(result).toEqual({ image: TAG, action: 'built' });
    const steps = events.filter((e) => e.type === 'step').map((e) => `${e.action} ${e.status}`);
    expect(steps).toEqual(['pull started', 'pull done', 'pull done', 'build started', 'build done']);
    const lines = events.flatMap((e) => (e.type === 'progress' && e.text ? [e.text] : []));
    expect(lines.some((l) => l.includes('the base image has /usr/sbin/dnsmasq; nothing to install'))).toBe(true);
    const inspected = await docker.getImage(TAG).inspect();
    expect(inspected.Config.Labels?.[LABEL_RESOLVER_BASE]).toBe(BASE);
    // A second call finds it.
    expect(await ensureResolverImage(client, { image: TAG, base: BASE })).toEqual({ image: TAG, action: 'present' });
    // dnsmasq runs from it and answers a name from its hostsdir.
    const container = await docker.createContainer({
      Image: TAG,
      Cmd: ['sh', '-c', 'echo "10.9.8.7 probe-name" > /etc/mixcompose-hosts/x.hosts && /usr/sbin/dnsmasq --no-resolv --hostsdir=/etc/mixcompose-hosts --no-hosts --user=root && sleep 1 && nslookup probe-name 127.0.0.1'],
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const logs = (await container.logs({ stdout: true, stderr: true })).toString('latin1');
      expect(logs).toContain('10.9.8.7');
      expect(logs, `exit ${StatusCode}`).toMatch(/Name:\s+probe-name[\s\S]*Address:? 10\.9\.8\.7/);
    } finally {
      await container.remove({ force: true });
    }
  });

  it('names the base and the setting when the base cannot be had', async () => {
    const error = await ensureResolverImage(client, { image: `${TAG}-x`, base: `${REGISTRY}/no-such-base:1`, baseSetting: 'x-mixcompose.resolver.base' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(new RegExp(`could not pull it from base ${REGISTRY.replace(/\./g, '\\.')}/no-such-base:1 \\(x-mixcompose\\.resolver\\.base\\)`));
  });
});
