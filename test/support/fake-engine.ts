/**
 * A small Docker Engine API stand-in (node:http) for unit tests. It answers /_ping, /version and
 * /info with RECORDED responses (test/fixtures/engine/*.json: a Windows Server 2022 daemon, an LCOW
 * daemon, a Debian Linux daemon; the Windows ones recorded from Docker's and Microsoft's
 * documentation), serves a few image endpoints from in-memory tables, and records every request it
 * got so tests can assert what mixcompose sent (e.g. `platform=linux` on create and pull for LCOW).
 *
 * Listens on a unix socket (default, in a temp dir) or a loopback TCP port.
 *
 * Why it is not one of the in-memory daemons (test/support/quiet-daemon.ts and its subclasses):
 * those are DaemonClient objects, below the HTTP adapter; this one is the other side of the wire,
 * so that the adapter's requests (paths, queries, headers, bodies) and its reading of recorded
 * answers are what is tested.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'engine');

export type RecordedDaemon = 'windows-server-2022' | 'windows-lcow' | 'linux';

/** Loads a recorded response: `recorded('windows-server-2022', 'info')`. */
export function recorded(daemon: RecordedDaemon, what: 'info' | 'version'): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, `${daemon}-${what}.json`), 'utf8')) as Record<string, unknown>;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path without the /v1.xx prefix and without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body, or the raw bytes for tar/other bodies. */
  readonly body: unknown;
  readonly raw: Buffer;
}

export interface FakeImage {
  readonly Id: string;
  readonly Os: string;
  readonly Architecture?: string;
  readonly OsVersion?: string;
  readonly Size?: number;
  readonly RepoTags?: readonly string[];
  readonly RepoDigests?: readonly string[];
}

export interface FakeRoute {
  readonly method: string;
  readonly path: RegExp;
  readonly handle: (req: RecordedRequest, res: ServerResponse, match: RegExpExecArray) => void | Promise<void>;
}

export interface FakeEngineOptions {
  /** Which recorded daemon to impersonate. */
  readonly daemon: RecordedDaemon;
  /** Override fields of the recorded /info or /version (e.g. ApiVersion for an older LCOW). */
  readonly infoOverrides?: Record<string, unknown>;
  readonly versionOverrides?: Record<string, unknown>;
  /** "unix" (default) or "tcp" (loopback, random port). */
  readonly listen?: 'unix' | 'tcp';
  /** GET /distribution/{name}/json answers: name → platforms. Unknown names get 404. */
  readonly distribution?: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  /** Local images: name → image (GET /images/{name}/json). Pulls add entries (see pulledImage). */
  readonly images?: Readonly<Record<string, FakeImage>>;
  /** What a successful pull of `name` leaves behind; default: an image with the daemon's OSType. */
  readonly pulledImage?: (name: string) => FakeImage;
  /** Extra routes tried before the built-in ones. */
  readonly routes?: readonly FakeRoute[];
  /** Builder-Version header of /_ping. */
  readonly builderVersion?: '1' | '2';
  /**
   * What a hijacked attach's container does with its stdin: `hosts-reader` (default) answers each
   * `ack <token>` line with `ok <token>` on stdout, as the project resolver's loop does; `silent`
   * answers nothing; `hang-up` ends the stream at once.
   */
  readonly attach?: 'hosts-reader' | 'silent' | 'hang-up';
}

/** A hijacked POST /containers/{id}/attach: its query and the stdin received so far. */
export interface FakeAttach {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  stdin: string;
}

export interface FakeEngine {
  /** DOCKER_HOST form: unix:///tmp/…/docker.sock or tcp://127.0.0.1:PORT. */
  readonly host: string;
  readonly requests: RecordedRequest[];
  /** Hijacked attaches (not in `requests`). */
  readonly attaches: FakeAttach[];
  readonly images: Map<string, FakeImage>;
  /** Requests matching method and path (exact string or RegExp). */
  find(method: string, path: string | RegExp): RecordedRequest[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://fake');
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  let body: unknown = raw;
  if (raw.length && String(req.headers['content-type'] ?? '').includes('json')) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = raw;
    }
  } else if (!raw.length) body = undefined;
  return {
    method: req.method ?? 'GET',
    path: decodeURIComponent(url.pathname.replace(/^\/v\d+\.\d+/, '')),
    query,
    headers: req.headers,
    body,
    raw,
  };
}

/** Starts a fake engine. Close it in afterEach/afterAll. */
export async function startFakeEngine(options: FakeEngineOptions): Promise<FakeEngine> {
  const info = { ...recorded(options.daemon, 'info'), ...options.infoOverrides };
  const version = { ...recorded(options.daemon, 'version'), ...options.versionOverrides };
  const requests: RecordedRequest[] = [];
  const images = new Map<string, FakeImage>(Object.entries(options.images ?? {}));
  const osType = String(info.OSType);
  const pulled =
    options.pulledImage ??
    ((name: string): FakeImage => ({ Id: `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`, Os: osType, Size: 1000 }));

  const builtIn: FakeRoute[] = [
    {
      method: 'GET',
      path: /^\/_ping$/,
      handle: (_req, res) => {
        res.writeHead(200, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Api-Version': String(version.ApiVersion),
          OSType: osType,
          'Builder-Version': options.builderVersion ?? '1',
          'Docker-Experimental': 'false',
          // As dockerd says it: Docker/<version> (<GOOS>).
          Server: `Docker/${String(version.Version)} (${osType})`,
        });
        res.end('OK');
      },
    },
    { method: 'GET', path: /^\/version$/, handle: (_req, res) => json(res, 200, version) },
    { method: 'GET', path: /^\/info$/, handle: (_req, res) => json(res, 200, info) },
    // An empty daemon: nothing of any project exists yet (observe before a plan).
    { method: 'GET', path: /^\/containers\/json$/, handle: (_req, res) => json(res, 200, []) },
    { method: 'GET', path: /^\/networks$/, handle: (_req, res) => json(res, 200, []) },
    { method: 'GET', path: /^\/volumes$/, handle: (_req, res) => json(res, 200, { Volumes: [], Warnings: null }) },
    {
      method: 'GET',
      path: /^\/images\/json$/,
      handle: (_req, res) =>
        json(
          res,
          200,
          [...images.entries()].map(([name, image]) => ({ Id: image.Id, RepoTags: image.RepoTags ?? [name], Size: image.Size ?? 0, Labels: {} })),
        ),
    },
    {
      method: 'POST',
      path: /^\/containers\/create$/,
      handle: (req, res) => json(res, 201, { Id: `c${requests.indexOf(req).toString(16).padStart(63, '0')}`, Warnings: [] }),
    },
    {
      method: 'GET',
      path: /^\/distribution\/(.+)\/json$/,
      handle: (_req, res, match) => {
        const platforms = options.distribution?.[match[1]!];
        if (!platforms) return json(res, 404, { message: `manifest unknown: ${match[1]}` });
        json(res, 200, {
          Descriptor: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: `sha256:${'d'.repeat(64)}`, size: 527 },
          Platforms: platforms,
        });
      },
    },
    {
      method: 'GET',
      path: /^\/images\/(.+)\/json$/,
      handle: (_req, res, match) => {
        const image = images.get(match[1]!);
        if (!image) return json(res, 404, { message: `No such image: ${match[1]}` });
        json(res, 200, image);
      },
    },
    {
      method: 'POST',
      path: /^\/images\/create$/,
      handle: (req, res) => {
        const name = `${req.query.fromImage}${req.query.tag ? `:${req.query.tag}` : ''}`;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const lines = [
          { status: `Pulling from ${req.query.fromImage}`, id: req.query.tag ?? 'latest' },
          { status: 'Pulling fs layer', progressDetail: {}, id: 'layer1' },
          { status: 'Downloading', progressDetail: { current: 500, total: 1000 }, id: 'layer1' },
          { status: 'Downloading', progressDetail: { current: 1000, total: 1000 }, id: 'layer1' },
          { status: 'Download complete', progressDetail: {}, id: 'layer1' },
          { status: 'Pull complete', progressDetail: {}, id: 'layer1' },
          { status: `Digest: sha256:${'d'.repeat(64)}` },
          { status: `Status: Downloaded newer image for ${name}` },
        ];
        images.set(name, pulled(name));
        res.end(lines.map((l) => JSON.stringify(l)).join('\r\n') + '\r\n');
      },
    },
  ];
  const routes = [...(options.routes ?? []), ...builtIn];

  const server: Server = createServer((req, res) => {
    void (async () => {
      const recordedRequest = await readRequest(req);
      requests.push(recordedRequest);
      for (const route of routes) {
        if (route.method !== recordedRequest.method) continue;
        const match = route.path.exec(recordedRequest.path);
        if (match) {
          await route.handle(recordedRequest, res, match);
          return;
        }
      }
      json(res, 404, { message: `fake engine: no route for ${recordedRequest.method} ${recordedRequest.path}` });
    })().catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { message: String(error) });
      else res.destroy();
    });
  });

  const attaches: FakeAttach[] = [];
  /** Hijacked connections: closeAllConnections does not know them. */
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const attach: FakeAttach = { path: url.pathname.replace(/^\/v\d+\.\d+/, ''), query: Object.fromEntries(url.searchParams), stdin: '' };
    attaches.push(attach);
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    if (options.attach === 'hang-up') return void socket.end();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      const before = attach.stdin.length;
      attach.stdin += chunk.toString('utf8');
      if (options.attach === 'silent') return;
      for (const line of attach.stdin.slice(attach.stdin.lastIndexOf('\n', before - 1) + 1).split('\n').slice(0, -1)) {
        if (!line.startsWith('ack\t')) continue;
        // One stdout frame: stream 1, three zero bytes, big-endian length, payload (Tty false).
        const payload = Buffer.from(`ok ${line.slice(4)}\n`);
        const head = Buffer.alloc(8);
        head.writeUInt8(1, 0);
        head.writeUInt32BE(payload.length, 4);
        socket.write(Buffer.concat([head, payload]));
      }
    });
  });

  let host: string;
  let dir: string | undefined;
  if (options.listen === 'tcp') {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'fake-engine-'));
    const socket = join(dir, 'docker.sock');
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    host = `unix://${socket}`;
  }

  return {
    host,
    requests,
    attaches,
    images,
    find(method, path) {
      return requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
    },
    async close() {
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
