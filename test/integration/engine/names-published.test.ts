/**
 * Plain service names across daemons under `reach: published` (Docker Desktop's two engines, remote
 * hosts), on the rig: both daemons' containers are told to reach the other daemon only at this
 * host's primary IP and published ports. A linux `db` and a windows-declared `web` (on the Linux
 * daemon standing in for Windows, --allow-os-mismatch) each resolve the other's plain name to that
 * address and connect on the published port; `web` asks the project resolver at the linux
 * daemon's address (port 53 published there), `db` at the resolver's container IP. A static answer
 * deleted inside the resolver is written again by the next `up`; a service removed from the file
 * stops answering once its container is gone. `down` removes everything of the
 * project on both daemons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRigUp, demuxLogs, pollUntil, rigDocker, type RigDaemon } from '../../support/rig.js';
import { hostAddress, projectResources } from './published-host.js';
import { testStack, type TestStack } from './stack.js';

const address = hostAddress();
// (busybox-static's `wget -T` crashes here, so `timeout` bounds each try.)
// Host ports unlikely to clash with other tests running at the same time on the rig.
const dbPort = 21000 + Math.floor(Math.random() * 2000);
const webPort = dbPort + 2000;

const yaml = `
x-mixcompose:
  daemons:
    linux: { reach: published, address: "${address}" }
    windows: { reach: published, address: "${address}" }
services:
  db:
    platform: linux
    image: mixcompose-test/busybox:latest
    init: true
    ports: ["${address}:${dbPort}:8080"]
    command: ["sh", "-c", "echo db-says-hello > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/index.html"]
      interval: 500ms
      retries: 40
  api:
    platform: windows
    image: mixcompose-test/busybox:latest
    init: true
    command: ["sleep", "3600"]
  web:
    platform: windows
    image: mixcompose-test/busybox:latest
    init: true
    ports: ["${webPort}:8081"]
    depends_on:
      db: { condition: service_healthy }
    command:
      - sh
      - -c
      - |
        echo web-says-hello > /tmp/index.html
        httpd -f -p 8081 -h /tmp &
        while true; do
          echo "lookup=$$(nslookup db 2>&1 | tr '\\n\\t' '  ')"
          echo "by-name=$$(timeout 5 wget -q -O - http://db:${dbPort}/index.html)"
          sleep 1
        done
`;

async function execIn(daemon: RigDaemon, container: string, cmd: string[]): Promise<string> {
  const exec = await rigDocker(daemon).getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return demuxLogs(Buffer.concat(chunks));
}

describe('names across daemons under reach: published', () => {
  let stack: TestStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('names-published', yaml);
    await stack.up();
  }, 120_000);
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('publishes the resolver on the linux address, port 53, and gives windows containers that address as DNS', async () => {
    const resolver = await rigDocker('linux').getContainer(`${stack.name}-mixcompose-resolver`).inspect();
    const bindings = resolver.HostConfig.PortBindings as Record<string, { HostIp: string; HostPort: string }[]>;
    expect(bindings['5353/udp']).toEqual([{ HostIp: address, HostPort: '53' }]);
    expect(bindings['5353/tcp']).toEqual([{ HostIp: address, HostPort: '53' }]);
    const resolverIp = Object.values(resolver.NetworkSettings.Networks)[0]!.IPAddress;
    const web = await rigDocker('windows').getContainer(`${stack.name}-web-1`).inspect();
    const db = await rigDocker('linux').getContainer(`${stack.name}-db-1`).inspect();
    expect(web.HostConfig.Dns).toEqual([address]);
    expect(web.HostConfig.ExtraHosts ?? []).toEqual([]);
    expect(db.HostConfig.Dns).toEqual([resolverIp]);
  });

  it('the windows service resolves db to the linux address and reaches it on the published port', async () => {
    const web = rigDocker('windows').getContainer(`${stack.name}-web-1`);
    const logs = await pollUntil(
      'web reaching db by name',
      async () => {
        const text = demuxLogs((await web.logs({ stdout: true, stderr: true })) as unknown as Buffer);
        return text.includes('by-name=db-says-hello') ? text : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const lookup = logs.split('\n').find((l) => l.startsWith('lookup=') && /Name:\s+db\b/.test(l));
    expect(lookup).toMatch(new RegExp(`Name:\\s+db\\s+Address:\\s+${address.replace(/\./g, '\\.')}`));
  });

  it('the linux service resolves web to the windows address and reaches it on the published port', async () => {
    const container = `${stack.name}-db-1`;
    const lookup = await pollUntil('db resolving web', async () => {
      const text = await execIn('linux', container, ['nslookup', 'web']);
      return /Name:\s+web/.test(text) ? text : undefined;
    }, { timeoutMs: 15_000, intervalMs: 250 });
    expect(lookup).toMatch(new RegExp(`Name:\\s+web\\s+Address:\\s+${address.replace(/\./g, '\\.')}`));
    const body = await pollUntil('db → web by name', async () => {
      const text = await execIn('linux', container, ['timeout', '5', 'wget', '-q', '-O', '-', `http://web:${webPort}/index.html`]);
      return text.includes('web-says-hello') ? text : undefined;
    }, { timeoutMs: 15_000, intervalMs: 250 });
    expect(body).toContain('web-says-hello');
  });

  it('the resolver answers windows askers a windows service\'s container IP (same daemon), linux askers its daemon\'s address', async () => {
    const api = await rigDocker('windows').getContainer(`${stack.name}-api-1`).inspect();
    expect(api.HostConfig.Dns).toEqual([address]);
    const web = await rigDocker('windows').getContainer(`${stack.name}-web-1`).inspect();
    const webIp = Object.values(web.NetworkSettings.Networks)[0]!.IPAddress;
    expect(webIp.startsWith('10.202.')).toBe(true);
    // Asked directly (the stand-in's own embedded DNS would answer same-daemon names before it).
    const forWindows = await pollUntil('the resolver answering web to a windows asker', async () => {
      const text = await execIn('windows', `${stack.name}-api-1`, ['nslookup', 'web', address]);
      return /Name:\s+web/.test(text) ? text : undefined;
    }, { timeoutMs: 15_000, intervalMs: 250 });
    expect(forWindows).toMatch(new RegExp(`Name:\\s+web\\s+Address:\\s+${webIp.replace(/\./g, '\\.')}`));
    const resolver = await rigDocker('linux').getContainer(`${stack.name}-mixcompose-resolver`).inspect();
    const resolverIp = Object.values(resolver.NetworkSettings.Networks)[0]!.IPAddress;
    const forLinux = await execIn('linux', `${stack.name}-db-1`, ['nslookup', 'web', resolverIp]);
    expect(forLinux).toMatch(new RegExp(`Name:\\s+web\\s+Address:\\s+${address.replace(/\./g, '\\.')}`));
  });

  it('a second up plans nothing (the static answers are written once)', async () => {
    const again = await stack.up();
    expect(again.plan.operations).toEqual([]);
  });

  it('a static answer missing in the resolver (a write an interrupted up never made) is written by the next up, and answers again', async () => {
    const resolver = `${stack.name}-mixcompose-resolver`;
    // db's names for windows askers: the file the first up wrote when the resolver started.
    const file = '/etc/mixcompose-hosts-for-windows/db';
    const askDb = () => execIn('windows', `${stack.name}-api-1`, ['nslookup', 'db', address]);
    const answersDb = (text: string) => new RegExp(`Name:\\s+db\\s+Address:\\s+${address.replace(/\./g, '\\.')}`).test(text);
    await execIn('linux', resolver, ['rm', file]);
    expect(await execIn('linux', resolver, ['ls', '/etc/mixcompose-hosts-for-windows'])).not.toMatch(/^db$/m);
    await pollUntil('db no longer answered to windows askers', async () => !answersDb(await askDb()), { timeoutMs: 15_000, intervalMs: 250 });

    const again = await stack.up();
    expect(again.plan.operations.map((op) => op.id)).toEqual(['names:db']);
    expect(await execIn('linux', resolver, ['cat', file])).toBe(`${address} db\n${address} ${stack.name}-db-1\n`);
    // Fails (times out) unless the name answers the address again.
    await pollUntil('db answered again to windows askers', async () => answersDb(await askDb()), { timeoutMs: 15_000, intervalMs: 250 });
    // Nothing left to repair: the next up plans nothing.
    expect((await stack.up()).plan.operations).toEqual([]);
  });

  it('a service removed from the file stops answering once its container is gone (up --remove-orphans)', async () => {
    const resolver = `${stack.name}-mixcompose-resolver`;
    // api's names for linux askers, asked of the resolver from db.
    const file = '/etc/mixcompose-hosts-for-linux/api';
    const resolverIp = Object.values((await rigDocker('linux').getContainer(resolver).inspect()).NetworkSettings.Networks)[0]!.IPAddress;
    const answersApi = async () => new RegExp(`Name:\\s+api\\s+Address:\\s+${address.replace(/\./g, '\\.')}`).test(await execIn('linux', `${stack.name}-db-1`, ['nslookup', 'api', resolverIp]));
    expect(await answersApi()).toBe(true);
    await stack.rewrite(yaml.replace(/ {2}api:\n( {4}.*\n)+/, ''));
    // Its container left running (an orphan) still answers: nothing to unregister yet.
    const kept = await stack.up();
    expect(kept.plan.operations.filter((op) => op.kind === 'unregister-hosts')).toEqual([]);
    expect(await execIn('linux', resolver, ['cat', file])).toContain(' api\n');

    const removed = await stack.up({ removeOrphans: true });
    // (Its container's own entry for windows askers goes too: unhosts:api-1.)
    expect(removed.plan.operations.filter((op) => op.id.startsWith('unnames:')).map((op) => [op.id, op.deps])).toEqual([['unnames:windows:api', ['remove:api:1']]]);
    expect(await execIn('linux', resolver, ['cat', file])).toBe('');
    await pollUntil('api no longer answered to linux askers', async () => !(await answersApi()), { timeoutMs: 15_000, intervalMs: 250 });
    // The emptied file answers nothing and needs nothing: the next up plans nothing.
    expect((await stack.up()).plan.operations).toEqual([]);
  });

  it('down removes everything of the project on both daemons', async () => {
    expect((await projectResources(stack.name)).length).toBeGreaterThan(0);
    await stack.down();
    expect(await projectResources(stack.name)).toEqual([]);
  });
});
