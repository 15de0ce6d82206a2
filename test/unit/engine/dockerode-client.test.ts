/**
 * The dockerode adapter against the fake engine (recorded Windows Server 2022 responses, see
 * test/fixtures/engine/README.md) with routes for the calls under test.
 */
import { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { demultiplex, DockerodeClient, engineStatusCode, toLogLines } from '../../../src/engine/dockerode-client.js';
import { resolveEndpoint } from '../../../src/engine/daemon-endpoints.js';
import { DaemonError } from '../../../src/errors.js';
import { startFakeEngine, type FakeEngine, type FakeRoute } from '../../support/fake-engine.js';

const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

let fake: FakeEngine | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function client(routes: FakeRoute[] = []) {
  fake = await startFakeEngine({ daemon: 'windows-server-2022', routes });
  const endpoint = await resolveEndpoint({ platform: 'windows', host: fake.host, reach: 'auto', origin: 'file' }, { env: {} });
  return new DockerodeClient({ label: endpoint.label, modem: endpoint.modem });
}

const send = (res: ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

describe('stream helpers', () => {
  it('demultiplexes frames split across chunks', async () => {
    const bytes = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 17), bytes.subarray(17)];
    const out: string[] = [];
    for await (const { stream, data } of demultiplex(Readable.from(chunks), true)) out.push(`${stream}:${data.toString()}`);
    expect(out).toEqual(['stdout:out 1\n', 'stderr:err 1\n', 'stdout:out 2\n']);
  });

  it('splits lines per stream and parses RFC3339Nano timestamps', async () => {
    const chunks = [
      { stream: 'stdout' as const, data: Buffer.from('2026-11-22T06:00:00.123456789Z hello\n2026-11-22T06:00:01.5Z par') },
      { stream: 'stderr' as const, data: Buffer.from('2026-11-22T06:00:02Z oops\n') },
      { stream: 'stdout' as const, data: Buffer.from('tial\n') },
    ];
    const lines = [];
    for await (const line of toLogLines(Readable.from(chunks), true)) lines.push(line);
    expect(lines).toEqual([
      { stream: 'stdout', text: 'hello', timestamp: '2026-11-22T06:00:00.123456789Z' },
      { stream: 'stderr', text: 'oops', timestamp: '2026-11-22T06:00:02Z' },
      { stream: 'stdout', text: 'partial', timestamp: '2026-11-22T06:00:01.5Z' },
    ]);
  });
});

/** GET /events answering with these actions, then keeping the stream open like a daemon does. */
const openEvents = (...actions: string[]): FakeRoute => ({
  method: 'GET',
  path: /^\/events$/,
  handle: (_r, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    for (const action of actions) res.write(JSON.stringify({ Type: 'container', Action: action, id: 'a' }) + '\n');
  },
});

describe('DockerodeClient', () => {
  it('returns undefined for a missing image and the body for a present one', async () => {
    const c = await client();
    fake!.images.set('mcr.microsoft.com/windows/nanoserver:ltsc2022', { Id: 'sha256:abc', Os: 'windows', OsVersion: '10.0.20348.2113' });
    expect(await c.inspectImage('nothere:latest')).toBeUndefined();
    expect(await c.inspectImage('mcr.microsoft.com/windows/nanoserver:ltsc2022')).toMatchObject({ Os: 'windows' });
    expect(fake!.find('GET', '/images/mcr.microsoft.com/windows/nanoserver:ltsc2022/json')).toHaveLength(1);
  });

  it('wraps failures as DaemonError naming the daemon, the operation and the daemon message', async () => {
    const c = await client([
      { method: 'POST', path: /^\/containers\/create$/, handle: (_r, res) => send(res, 400, { message: 'invalid option: Windows does not support CPUShares' }) },
    ]);
    const error = await c.createContainer('x-web-1', { Image: 'i' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as DaemonError).daemon).toBe(`windows (${fake!.host})`);
    expect((error as Error).message).toBe(
      `daemon windows (${fake!.host}): create container x-web-1 failed: invalid option: Windows does not support CPUShares (HTTP 400)`,
    );
    expect(engineStatusCode(error)).toBe(400);
  });

  it('treats stop of a stopped container (304) and removal of a gone one (404) as done', async () => {
    const c = await client([
      { method: 'POST', path: /^\/containers\/abc\/stop$/, handle: (_r, res) => send(res, 304) },
      { method: 'DELETE', path: /^\/containers\/abc$/, handle: (_r, res) => send(res, 404, { message: 'No such container: abc' }) },
    ]);
    await c.stopContainer('abc', 75);
    await c.removeContainer('abc', { force: true, volumes: true });
    expect(fake!.find('POST', '/containers/abc/stop')[0]!.query).toEqual({ t: '75' });
    expect(fake!.find('DELETE', '/containers/abc')[0]!.query).toEqual({ force: 'true', v: 'true' });
  });

  it('streams demultiplexed logs with timestamps', async () => {
    const c = await client([
      { method: 'GET', path: /^\/containers\/abc\/json$/, handle: (_r, res) => send(res, 200, { Id: 'abc', Config: { Tty: false } }) },
      {
        method: 'GET',
        path: /^\/containers\/abc\/logs$/,
        handle: (_r, res) => {
          res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
          res.end(Buffer.concat([frame(1, '2026-11-22T06:00:00Z ready\n'), frame(2, '2026-11-22T06:00:01Z warn\n')]));
        },
      },
    ]);
    const lines = [];
    for await (const line of await c.containerLogs('abc', { timestamps: true, tail: 10 })) lines.push(line);
    expect(lines).toEqual([
      { stream: 'stdout', text: 'ready', timestamp: '2026-11-22T06:00:00Z' },
      { stream: 'stderr', text: 'warn', timestamp: '2026-11-22T06:00:01Z' },
    ]);
    expect(fake!.find('GET', '/containers/abc/logs')[0]!.query).toMatchObject({ stdout: 'true', stderr: 'true', timestamps: 'true', tail: '10' });
  });

  it('runs exec and returns demultiplexed output with the exit code', async () => {
    const c = await client([
      { method: 'POST', path: /^\/containers\/abc\/exec$/, handle: (_r, res) => send(res, 201, { Id: 'e1' }) },
      {
        method: 'POST',
        path: /^\/exec\/e1\/start$/,
        handle: (_r, res) => {
          res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
          res.end(Buffer.concat([frame(1, 'hello\n'), frame(2, 'bad\n')]));
        },
      },
      { method: 'GET', path: /^\/exec\/e1\/json$/, handle: (_r, res) => send(res, 200, { ExitCode: 3, Running: false }) },
    ]);
    expect(await c.exec('abc', ['cmd', '/S', '/C', 'type hosts'])).toEqual({ exitCode: 3, stdout: 'hello\n', stderr: 'bad\n' });
    expect(fake!.find('POST', '/containers/abc/exec')[0]!.body).toMatchObject({ Cmd: ['cmd', '/S', '/C', 'type hosts'], AttachStdout: true });
  });

  it('yields events as an async iterable and stops on abort', async () => {
    const c = await client([openEvents('start', 'die')]);
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of c.events({ label: ['com.docker.compose.project=x'] }, controller.signal)) {
      seen.push(String(event.Action));
      if (seen.length === 2) controller.abort();
    }
    expect(seen).toEqual(['start', 'die']);
    expect(JSON.parse(fake!.find('GET', '/events')[0]!.query.filters!)).toEqual({ label: ['com.docker.compose.project=x'] });
  });

  it('puts an archive with the target path', async () => {
    const c = await client([{ method: 'PUT', path: /^\/containers\/abc\/archive$/, handle: (_r, res) => send(res, 200) }]);
    await c.putArchive('abc', '/etc/mixcompose/hosts', Buffer.from('tar-bytes'));
    const request = fake!.find('PUT', '/containers/abc/archive')[0]!;
    expect(request.query).toEqual({ path: '/etc/mixcompose/hosts' });
    expect(request.raw.toString()).toBe('tar-bytes');
  });

  it('follows a pull and rejects on an error message in the stream', async () => {
    const c = await client([
      {
        method: 'POST',
        path: /^\/images\/create$/,
        handle: (_r, res) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(
            [
              { status: 'Pulling fs layer', id: 'l1' },
              { errorDetail: { message: 'image operating system "linux" cannot be used on this platform' }, error: 'image operating system "linux" cannot be used on this platform' },
            ]
              .map((m) => JSON.stringify(m))
              .join('\n'),
          );
        },
      },
    ]);
    const messages: unknown[] = [];
    await expect(c.pullImage('busybox:latest', {}, (m) => messages.push(m))).rejects.toThrow(
      /pull image busybox:latest failed: image operating system "linux" cannot be used on this platform/,
    );
    expect(messages).toHaveLength(2);
  });

  it('ends a pull under way when its signal aborts: the stream closes and the pull rejects', async () => {
    let held: ServerResponse | undefined;
    const c = await client([
      {
        method: 'POST',
        path: /^\/images\/create$/,
        handle: (_r, res) => {
          // A pull that goes on downloading: the first message, then nothing until the client leaves.
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write(`${JSON.stringify({ status: 'Downloading', id: 'l1', progressDetail: { current: 1, total: 100 } })}\n`);
          held = res;
        },
      },
    ]);
    const interrupt = new AbortController();
    const pull = c.pullImage('busybox:latest', { signal: interrupt.signal }, () => interrupt.abort());
    await expect(pull).rejects.toThrow();
    // The engine saw its client go: the daemon ends a pull whose client has gone.
    await new Promise<void>((resolve) => (held!.destroyed || held!.closed ? resolve() : held!.once('close', resolve)));
    expect(held!.writableEnded).toBe(false);
  });

  it('sends a classic build with version=1 and returns the built image id', async () => {
    const c = await client([
      {
        method: 'POST',
        path: /^\/build$/,
        handle: (_r, res) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(
            [{ stream: 'Step 1/1 : FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n' }, { aux: { ID: 'sha256:built' } }, { stream: 'Successfully built built\n' }]
              .map((m) => JSON.stringify(m))
              .join('\n'),
          );
        },
      },
    ]);
    const id = await c.buildImage(Readable.from([Buffer.from('context-tar')]), { t: 'x/web:latest', version: '1', buildargs: { A: '1' } }, () => {});
    expect(id).toBe('sha256:built');
    const request = fake!.find('POST', '/build')[0]!;
    expect(request.query).toMatchObject({ t: 'x/web:latest', version: '1', buildargs: '{"A":"1"}' });
    expect(request.raw.toString()).toBe('context-tar');
  });

  it('reads ping headers', async () => {
    const c = await client();
    expect(await c.pingHeaders()).toMatchObject({ ostype: 'windows', 'api-version': '1.41', 'builder-version': '1' });
  });
});

describe('DockerodeClient.containerLogs with a signal', () => {
  it('ends a followed log (which never ends by itself) when the signal aborts, closing the connection', async () => {
    let hungUp!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (hungUp = resolve));
    const c = await client([
      { method: 'GET', path: /^\/containers\/abc\/json$/, handle: (_r, res) => send(res, 200, { Id: 'abc', Config: { Tty: false } }) },
      {
        method: 'GET',
        path: /^\/containers\/abc\/logs$/,
        handle: (_r, res) => {
          res.on('close', hungUp);
          res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
          res.write(frame(1, '2026-11-22T06:00:00Z first\n')); // then nothing more, stream kept open
        },
      },
    ]);
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const line of await c.containerLogs('abc', { follow: true, timestamps: true, signal: abort.signal })) {
      seen.push(line.text);
      abort.abort(); // the user pressed Ctrl-C: the loop must end although no more lines come
    }
    expect(seen).toEqual(['first']);
    expect(fake!.find('GET', '/containers/abc/logs')[0]!.query).toMatchObject({ follow: 'true' });
    await serverSawClose;
  });

  it('gives no lines (and no error) when aborted before the daemon answered', async () => {
    const c = await client([
      { method: 'GET', path: /^\/containers\/abc\/json$/, handle: (_r, res) => send(res, 200, { Id: 'abc', Config: { Tty: false } }) },
      { method: 'GET', path: /^\/containers\/abc\/logs$/, handle: () => undefined },
    ]);
    const abort = new AbortController();
    const stream = c.containerLogs('abc', { follow: true, signal: abort.signal });
    const deadline = Date.now() + 5000;
    while (!fake!.find('GET', '/containers/abc/logs').length && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    abort.abort();
    const lines = [];
    for await (const line of await stream) lines.push(line);
    expect(lines).toEqual([]);
  });
});

describe('DockerodeClient.close', () => {
  /** A route that accepts the request and never answers; resolves `closed` when the client hangs up. */
  function silentRoute(method: string, path: RegExp) {
    let hungUp!: () => void;
    const closed = new Promise<void>((resolve) => (hungUp = resolve));
    const route: FakeRoute = { method, path, handle: (_r, res) => void res.on('close', hungUp) };
    return { route, closed };
  }

  it('cancels a request the daemon never answers and hangs up the connection', async () => {
    const silent = silentRoute('GET', /^\/info$/);
    const c = await client([silent.route]);
    const pending = c.info().catch((e: unknown) => e);
    // Poll (no fixed sleep) until the fake engine has the request, then close.
    const deadline = Date.now() + 5000;
    while (!fake!.find('GET', '/info').length && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    c.close();
    const error = await pending;
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as Error).message).toBe(`daemon windows (${fake!.host}): info failed: connection to daemon windows (${fake!.host}) closed`);
    await silent.closed; // the server saw the connection end: nothing keeps the process alive
    expect(c.closed).toBe(true);
  });

  it('cancels an open stream (events without a signal) and fails later calls without sending them', async () => {
    const c = await client([openEvents('start')]);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of c.events({ label: ['x'] })) {
        seen.push(String(event.Action));
        c.close();
      }
    })().catch((e: unknown) => e);
    const ended = await reading;
    expect(seen).toEqual(['start']);
    expect(ended === undefined || ended instanceof DaemonError).toBe(true);
    const before = fake!.requests.length;
    const later = await c.version().catch((e: unknown) => e);
    expect((later as Error).message).toMatch(/version failed: connection to daemon .* closed/);
    expect(fake!.requests.length).toBe(before);
    c.close(); // idempotent
  });
});

describe('DockerodeClient over ssh', () => {
  it('does not print a Node deprecation warning (DEP0170) for the URL docker-modem builds', async () => {
    // A loopback port with nothing listening: the ssh connection is refused at once.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }) => warnings.push(warning.code ?? warning.message);
    process.on('warning', onWarning);
    try {
      const endpoint = await resolveEndpoint({ platform: 'linux', host: `ssh://nobody@127.0.0.1:${port}`, reach: 'auto', origin: 'file' }, { env: {} });
      const c = new DockerodeClient({ label: endpoint.label, modem: endpoint.modem });
      const error = await c.version().catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/version failed: .*ECONNREFUSED/);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings).not.toContain('DEP0170');
      expect(process.noDeprecation).not.toBe(true); // restored after the dial
    } finally {
      process.off('warning', onWarning);
    }
  });
});
