/**
 * Names and addresses across daemons on the rig: a linux `db` and a windows-declared `web` (on
 * the Linux daemon standing in for Windows, --allow-os-mismatch). `web` reaches `db` by the
 * injected address and by the plain name `db`; `db` reaches `web` by its name (the project resolver).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResolverFiles } from '../../../src/engine/resolver-hosts-write.js';
import { RESOLVER_HOSTS_DIR } from '../../../src/plan/resolver.js';
import { assertRigUp, demuxLogs, pollUntil, rigDocker } from '../../support/rig.js';
import { testStack, type TestStack } from './stack.js';

/** The linux daemon's event actions for `container` between `since` and now (unix seconds). */
async function containerActions(container: string, since: number): Promise<string[]> {
  const stream = (await rigDocker('linux').getEvents({ since, until: Math.ceil(Date.now() / 1000) + 1, filters: { container: [container] } })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text.split('\n').filter((line) => line.trim()).map((line) => String((JSON.parse(line) as { Action: string }).Action));
}

/** Runs `cmd` in a container of the linux daemon; its output. */
async function execText(container: string, cmd: string[]): Promise<string> {
  const exec = await rigDocker('linux').getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const chunks: Buffer[] = [];
  for await (const chunk of await exec.start({})) chunks.push(chunk as Buffer);
  return demuxLogs(Buffer.concat(chunks));
}

const yaml = `
services:
  db:
    platform: linux
    image: mixcompose-test/busybox:latest
    init: true
    expose: ["8080"]
    command: ["sh", "-c", "echo db-says-hello > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/index.html"]
      interval: 500ms
      retries: 40
  web:
    platform: windows
    image: mixcompose-test/busybox:latest
    init: true
    environment:
      DB_URL: "http://{{ db.host }}:{{ db.port:8080 }}/index.html"
    depends_on:
      db: { condition: service_healthy }
    command:
      - sh
      - -c
      - |
        echo "by-address=$$(wget -q -O - $$DB_URL)"
        echo "by-name=$$(wget -q -O - http://db:8080/index.html)"
        echo web-says-hello > /tmp/index.html
        exec httpd -f -p 8081 -h /tmp
`;

describe('cross-daemon addresses and names', () => {
  let stack: TestStack;
  let upSince = 0;
  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('xdaemon', yaml);
    upSince = Math.floor(Date.now() / 1000);
    await stack.up();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('places db on the linux daemon and web on the windows stand-in', async () => {
    const onLinux = await rigDocker('linux').listContainers({ filters: JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`] }) });
    const onWindows = await rigDocker('windows').listContainers({ filters: JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`] }) });
    expect(onLinux.map((c) => c.Labels['com.docker.compose.service']).sort()).toEqual(['db', 'mixcompose-resolver']);
    expect(onWindows.map((c) => c.Labels['com.docker.compose.service'])).toEqual(['web']);
    expect(onWindows[0]!.Labels['io.mixcompose.platform']).toBe('windows');
  });

  it('injects the linux container IP into the windows service environment', async () => {
    const web = rigDocker('windows').getContainer(`${stack.name}-web-1`);
    const db = await rigDocker('linux').getContainer(`${stack.name}-db-1`).inspect();
    const dbIp = Object.values(db.NetworkSettings.Networks)[0]!.IPAddress;
    const env = (await web.inspect()).Config.Env;
    expect(env).toContain(`DB_URL=http://${dbIp}:8080/index.html`);
    expect(dbIp.startsWith('10.201.')).toBe(true);
  });

  it('gives windows containers no ExtraHosts and the resolver as DNS', async () => {
    const web = await rigDocker('windows').getContainer(`${stack.name}-web-1`).inspect();
    const resolver = await rigDocker('linux').getContainer(`${stack.name}-mixcompose-resolver`).inspect();
    const resolverIp = Object.values(resolver.NetworkSettings.Networks)[0]!.IPAddress;
    expect(web.HostConfig.ExtraHosts ?? []).toEqual([]);
    expect(web.HostConfig.Dns).toEqual([resolverIp]);
  });

  it('web reached db by the injected address and by the name db', async () => {
    const web = rigDocker('windows').getContainer(`${stack.name}-web-1`);
    const logs = await pollUntil('web output', async () => {
      const text = demuxLogs((await web.logs({ stdout: true, stderr: true })) as unknown as Buffer);
      return text.includes('by-name=') ? text : undefined;
    });
    expect(logs).toContain('by-address=db-says-hello');
    expect(logs).toContain('by-name=db-says-hello');
  });

  it('the linux side resolves and reaches the windows service by name', async () => {
    const db = rigDocker('linux').getContainer(`${stack.name}-db-1`);
    const output = await pollUntil('db → web by name', async () => {
      const exec = await db.exec({ Cmd: ['wget', '-q', '-O', '-', 'http://web:8081/index.html'], AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({});
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const text = demuxLogs(Buffer.concat(chunks));
      return text.includes('web-says-hello') ? text : undefined;
    }, { timeoutMs: 15_000 });
    expect(output).toContain('web-says-hello');
  });

  it('wrote the names into the resolver through its stdin (attach), never an archive (PUT archive costs the daemon ~50x the CPU)', async () => {
    const actions = await containerActions(`${stack.name}-mixcompose-resolver`, upSince);
    expect(actions).toContain('attach');
    expect(actions).not.toContain('extract-to-dir');
    // dnsmasq is still PID 1 (stop and signals as before); the reader loop runs beside it.
    expect((await execText(`${stack.name}-mixcompose-resolver`, ['cat', '/proc/1/comm'])).trim()).toBe('dnsmasq');
  });

  it('a resolver whose reader is gone: a hosts write fails at its timeout, naming the resolver (runs last: it breaks the resolver)', async () => {
    const resolver = `${stack.name}-mixcompose-resolver`;
    const { Id: id } = await rigDocker('linux').getContainer(resolver).inspect();
    // The loop is the resolver's only sh process besides this one (dnsmasq is PID 1); the image has no pkill.
    const kill = 'for p in /proc/[0-9]*; do n=${p#/proc/}; [ "$n" != 1 ] && [ "$n" != $$ ] && [ "$(cat $p/comm 2>/dev/null)" = sh ] && kill $n; done; true';
    await execText(resolver, ['sh', '-c', kill]);
    expect(await execText(resolver, ['sh', '-c', 'cat /proc/[0-9]*/comm 2>/dev/null'])).not.toMatch(/^sh$/m);
    const client = stack.daemons.clients.linux!;
    const error = await writeResolverFiles(client, id, [{ dir: RESOLVER_HOSTS_DIR, file: 'x-1', content: '10.0.0.1 x\n' }], 1000).catch((e: unknown) => e);
    expect(String(error)).toMatch(new RegExp(`the project resolver \\(container ${id.slice(0, 12)}\\) did not confirm the write: no answer within 1 s; its hosts reader is not running`));
  });
});
