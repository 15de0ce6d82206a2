/**
 * Service attributes that need the daemon to prove: secrets and configs as files (from a file,
 * from content), a named volume, tmpfs (linux), user, working_dir, labels and hostname, on both daemons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRigUp, demuxLogs, rigDocker, type RigDaemon } from '../../support/rig.js';
import { testStack, type TestStack } from './stack.js';

const service = (platform: RigDaemon) => `
  ${platform}-app:
    platform: ${platform}
    image: mixcompose-test/busybox:latest
    init: true
    command: ["sleep", "3600"]
    user: "1000:1000"
    working_dir: /tmp
    hostname: app-${platform}
    labels: { team: shop }
    secrets: [token]
    configs:
      - source: settings
        target: /etc/settings.conf
    volumes:
      - data:/data
${platform === 'linux' ? '      - type: tmpfs\n        target: /scratch\n' : ''}`;

const yaml = `
services:${service('linux')}${service('windows')}
volumes:
  data: {}
secrets:
  token:
    file: ./token.txt
configs:
  settings:
    content: |
      mode=fast
`;

async function run(daemon: RigDaemon, container: string, cmd: string[]): Promise<string> {
  const exec = await rigDocker(daemon).getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return demuxLogs(Buffer.concat(chunks));
}

describe('service attributes on both daemons', () => {
  let stack: TestStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('attrs', yaml, { 'token.txt': 's3cret\n' });
    await stack.up();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  for (const daemon of ['linux', 'windows'] as const) {
    it(`${daemon}: secrets and configs are files, volumes and tmpfs are mounted, user/workdir/hostname/labels set`, async () => {
      const name = `${stack.name}-${daemon}-app-1`;
      expect(await run(daemon, name, ['cat', '/run/secrets/token'])).toBe('s3cret\n');
      expect(await run(daemon, name, ['cat', '/etc/settings.conf'])).toBe('mode=fast\n');
      expect(await run(daemon, name, ['id', '-u'])).toBe('1000\n');
      expect(await run(daemon, name, ['pwd'])).toBe('/tmp\n');
      expect(await run(daemon, name, ['hostname'])).toBe(`app-${daemon}\n`);
      const inspect = await rigDocker(daemon).getContainer(name).inspect();
      expect(inspect.Config.Labels.team).toBe('shop');
      expect(inspect.Config.Labels['io.mixcompose.platform']).toBe(daemon);
      const mounts = Object.fromEntries(inspect.Mounts.map((m) => [m.Destination, m.Type]));
      expect(mounts['/data']).toBe('volume');
      expect(mounts['/run/secrets/token']).toBe('bind');
      // tmpfs: Linux only (the loader refuses it for windows services).
      if (daemon === 'linux') expect(inspect.HostConfig.Mounts?.find((m) => m.Target === '/scratch')?.Type).toBe('tmpfs');
    });
  }
});
