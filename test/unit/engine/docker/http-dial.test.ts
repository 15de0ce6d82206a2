import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpDial, queryString, type DialRequest, type HttpDialError } from '../../../../src/engine/docker/http-dial.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const seen: Seen[] = [];
let server: Server;
let dir: string;
let socketPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'http-dial-'));
  socketPath = join(dir, 'engine.sock');
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = req.url!.split('?')[0];
      if (path === '/json') res.end(JSON.stringify({ Id: 'abc' }));
      else if (path === '/text') res.end('plain words');
      else if (path === '/missing') res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'No such container: x' }));
      else if (path === '/stream') res.end('{"status":"a"}\n{"status":"b"}\n');
      else if (path === '/hang') return; // never answers
      else res.writeHead(204).end();
    });
  });
  server.on('upgrade', (req, socket) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: '' });
    socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nhello');
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function request(partial: Partial<DialRequest> & { path: string }): DialRequest {
  return {
    method: 'GET',
    query: {},
    body: {},
    isStream: false,
    hijack: false,
    statusCodes: { 200: true, 204: true, 404: 'not found' },
    signal: new AbortController().signal,
    ...partial,
  };
}

function dial(partial: Partial<DialRequest> & { path: string }): Promise<unknown> {
  return new Promise((resolve, reject) => httpDial({ socketPath, protocol: 'http' }, request(partial), (error, data) => (error ? reject(error) : resolve(data))));
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

describe('queryString', () => {
  it('sends objects (filters) as JSON and arrays as repeated keys', () => {
    expect(queryString({ all: true, filters: { label: ['a=b'] }, platform: ['x', 'y'] })).toBe('all=true&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D&platform=x&platform=y');
  });
});

describe('httpDial', () => {
  it('parses a JSON answer and sends the query', async () => {
    await expect(dial({ path: '/json', query: { all: 1 } })).resolves.toEqual({ Id: 'abc' });
    expect(seen.at(-1)!.url).toBe('/json?all=1');
  });

  it('gives the raw bytes of an answer that is not JSON', async () => {
    const data = await dial({ path: '/text' });
    expect(Buffer.isBuffer(data) && data.toString()).toBe('plain words');
  });

  it('reports a refused status with the daemon message and status code, as docker-modem does', async () => {
    const error = (await dial({ path: '/missing' }).catch((e: unknown) => e)) as HttpDialError;
    expect(error.statusCode).toBe(404);
    expect(error.json).toEqual({ message: 'No such container: x' });
    expect(error.message).toBe('(HTTP code 404) not found - No such container: x ');
  });

  it('reads the message of a refused stream request from the stream', async () => {
    const error = (await dial({ path: '/missing', isStream: true }).catch((e: unknown) => e)) as HttpDialError;
    expect(error.statusCode).toBe(404);
    expect(error.message).toContain('No such container: x');
  });

  it('hands back the response stream', async () => {
    const res = (await dial({ path: '/stream', isStream: true })) as Readable;
    expect(await readAll(res)).toBe('{"status":"a"}\n{"status":"b"}\n');
  });

  it('sends a POST body as JSON, and no body for an empty one', async () => {
    await dial({ path: '/create', method: 'POST', body: { Image: 'busybox' } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"Image":"busybox"}', headers: { 'content-type': 'application/json' } });
    await dial({ path: '/start', method: 'POST', body: {} });
    expect(seen.at(-1)!.body).toBe('');
    expect(seen.at(-1)!.headers['content-type']).toBeUndefined();
  });

  it('sends a file as a tar and registry credentials as headers', async () => {
    await dial({ path: '/archive', method: 'PUT', file: Buffer.from('tarbytes'), authconfig: { username: 'u' }, registryconfig: { r: { username: 'u' } } });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'PUT', body: 'tarbytes', headers: { 'content-type': 'application/tar' } });
    expect(JSON.parse(Buffer.from(String(last.headers['x-registry-auth']), 'base64').toString())).toEqual({ username: 'u' });
    expect(JSON.parse(Buffer.from(String(last.headers['x-registry-config']), 'base64').toString())).toEqual({ r: { username: 'u' } });
  });

  it('upgrades a hijacked request and keeps the bytes that came with the upgrade', async () => {
    const socket = (await dial({ path: '/exec/1/start', method: 'POST', hijack: true, body: { Detach: false } })) as Readable;
    expect(await readAll(socket)).toBe('hello');
    expect(seen.at(-1)!.headers).toMatchObject({ connection: 'Upgrade', upgrade: 'tcp' });
  });

  it('ends a request when its signal is aborted', async () => {
    const controller = new AbortController();
    const pending = dial({ path: '/hang', signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fails with the errno code when nothing listens', async () => {
    const error = await new Promise<unknown>((resolve) => httpDial({ socketPath: join(dir, 'none.sock'), protocol: 'http' }, request({ path: '/json' }), resolve));
    expect(error).toMatchObject({ code: 'ENOENT' });
  });
});

describe('httpDial over TLS (tcp://…:2376 and https://)', () => {
  const tlsDir = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'tls');
  const cert = readFileSync(join(tlsDir, 'cert.pem'));
  const key = readFileSync(join(tlsDir, 'key.pem'));
  let tlsServer: HttpsServer;
  let port: number;

  beforeAll(async () => {
    tlsServer = createHttpsServer({ cert, key }, (_req, res) => res.end(JSON.stringify({ ApiVersion: '1.41' })));
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    port = (tlsServer.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  });

  const tlsDial = (target: Parameters<typeof httpDial>[0]) =>
    new Promise<unknown>((resolve, reject) => httpDial(target, request({ path: '/version' }), (error, data) => (error ? reject(error) : resolve(data))));

  it('verifies the daemon against the CA through the https agent, as daemon-endpoints sets it up', async () => {
    const agent = new HttpsAgent({ ca: cert, rejectUnauthorized: true });
    await expect(tlsDial({ host: '127.0.0.1', port, protocol: 'https', ca: cert, agent })).resolves.toEqual({ ApiVersion: '1.41' });
    agent.destroy();
  });

  it('refuses a daemon whose certificate the CA does not sign', async () => {
    const agent = new HttpsAgent({ rejectUnauthorized: true });
    await expect(tlsDial({ host: '127.0.0.1', port, protocol: 'https', agent })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    agent.destroy();
  });
});
