/**
 * A Windows-behaving rig daemon: an Engine API proxy on a unix socket in front of the rig's "windows"
 * dockerd (a plain Linux dockerd), answering and refusing where a Windows daemon does, so tests run
 * without --allow-os-mismatch. Test support only, never part of the product.
 *
 * What it emulates, each with its source:
 * - /info and /version as a Windows Server 2022 daemon: OSType windows, Driver windowsfilter,
 *   Isolation process, OSVersion 10.0.20348.x, Windows network plugins; /version lists only an Engine
 *   component (moby api/types/system/info.go and daemon/info_windows.go; docs.docker.com/reference/api/engine).
 * - Create drops HostConfig.ExtraHosts: Windows containers ignore --add-host (moby/moby#41165,
 *   moby/moby#41439) and StopSignal (there are no signals, see stop below).
 * - Create refuses, with moby's words ("invalid option: Windows does not support …",
 *   daemon/daemon_windows.go verifyPlatformContainerSettings / verifyContainerResources; runconfig
 *   and daemon/oci_windows.go for binds): Privileged, ReadonlyRootfs, Tmpfs, blkio/cpuset/pids/ulimits
 *   and the other Linux-only resources, network_mode host, port bindings with a host IP or a host-port
 *   range (libnetwork/portmapper on Windows, docs "Windows container networking"), and bind sources
 *   that are not directories (Microsoft docs "Persistent storage in containers": only directories
 *   can be bind-mounted).
 * - Stop has no signals: any stop or kill other than SIGKILL is an HCS shutdown that ends the
 *   container whatever its stop_signal (moby libcontainerd/local/local_windows.go: SignalProcess
 *   terminates on SIGKILL and shuts the container down otherwise; docs "docker stop" on Windows). The
 *   proxy turns every stop and kill into a SIGKILL kill, so a container that ignores SIGTERM still
 *   stops at once, as a Windows one does, and no stop signal of the image is ever honoured.
 * - Network driver `nat` (the Windows default, moby daemon/network_windows.go) becomes the Linux
 *   daemon's `bridge`, the only way a Linux dockerd can give it a network.
 * - HostConfig.Isolation (process / hyperv) is accepted and dropped (the Linux daemon takes only
 *   "default").
 *
 * The OS check: the images themselves stay Linux images (the daemon behind runs them), so the proxy
 * presents every image as `os: windows` with the emulated host's os.version, in /distribution/…/json
 * and in image inspect, except the references listed in `linuxImages`, which it reports as they are:
 * a windows service with one of those is refused by mixcompose's OS check, and everything else
 * passes it without --allow-os-mismatch.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync, unlinkSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WINDOWS_OS_VERSION = '10.0.20348.2227';
const WINDOWS_KERNEL = '10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)';

export interface WindowsProxyOptions {
  /** The dockerd behind (the rig's "windows" socket path). */
  readonly upstreamSocket: string;
  /** Image references reported with their real (linux) platform, for OS-check refusals. */
  readonly linuxImages?: readonly string[];
}

export interface WindowsProxy {
  /** unix://… for MIXCOMPOSE_WINDOWS_HOST. */
  readonly host: string;
  /** What the proxy refused or changed, one line each ("refused create: …", "stop → kill …"). */
  readonly log: string[];
  close(): Promise<void>;
}

/** A create the Windows daemon refuses: moby's message, or undefined. */
export function windowsCreateRefusal(body: Record<string, unknown>): string | undefined {
  const hc = (body.HostConfig ?? {}) as Record<string, unknown>;
  const unsupported = (what: string) => `invalid option: Windows does not support ${what}`;
  if (hc.Privileged) return unsupported('Privileged');
  if (hc.ReadonlyRootfs) return unsupported('ReadonlyRootfs');
  if (hc.Tmpfs && Object.keys(hc.Tmpfs as object).length) return 'linux containers on Windows: tmpfs mounts are not supported (invalid option: Windows does not support Tmpfs)';
  const resources: [string, string][] = [
    ['BlkioWeight', 'BlkioWeight'],
    ['CgroupParent', 'CgroupParent'],
    ['CpuPeriod', 'CPUPeriod'],
    ['CpusetCpus', 'CpusetCpus'],
    ['CpusetMems', 'CpusetMems'],
    ['MemoryReservation', 'MemoryReservation'],
    ['MemorySwap', 'MemorySwap'],
    ['MemorySwappiness', 'MemorySwappiness'],
    ['OomKillDisable', 'OomKillDisable'],
    ['PidsLimit', 'PidsLimit'],
  ];
  for (const [key, name] of resources) {
    const v = hc[key];
    if (v !== undefined && v !== null && v !== 0 && v !== '' && v !== false && !(key === 'MemorySwappiness' && v === -1)) return unsupported(name);
  }
  if (Array.isArray(hc.Ulimits) && hc.Ulimits.length) return unsupported('Ulimits');
  if (hc.NetworkMode === 'host') return 'container network mode host is not supported on Windows (invalid option: Windows does not support host networking)';
  for (const [port, bindings] of Object.entries((hc.PortBindings ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>)) {
    for (const b of bindings ?? []) {
      if (b.HostIp && b.HostIp !== '0.0.0.0' && b.HostIp !== '::') return `Windows does not support host IP addresses in NAT settings (port ${port} bound to ${b.HostIp})`;
      if (b.HostPort && b.HostPort.includes('-')) return `Windows does not support a range of host ports (port ${port} bound to ${b.HostPort})`;
    }
  }
  const binds = [
    ...((hc.Binds ?? []) as string[]).map((b) => b.split(':')[0]!),
    ...((hc.Mounts ?? []) as { Type?: string; Source?: string }[]).filter((m) => m.Type === 'bind').map((m) => m.Source ?? ''),
  ];
  for (const source of binds) {
    if (source.startsWith('/') && existsSync(source) && !statSync(source).isDirectory()) {
      return `invalid mount config for type "bind": source path must be a directory: ${source}`;
    }
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** One call to the daemon behind; answers status, headers and the whole body. */
function upstream(socketPath: string, method: string, path: string, headers: IncomingMessage['headers'], body?: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body) h['content-length'] = String(body.length);
    delete h['transfer-encoding'];
    const req = request({ socketPath, method, path, headers: h }, (res) => {
      readBody(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }), reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Streams a call through unchanged (pulls, logs, attach, builds, events). */
function pipeThrough(socketPath: string, req: IncomingMessage, res: ServerResponse, path = req.url ?? '/'): void {
  const up = request({ socketPath, method: req.method, path, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: e.message }));
  });
  req.pipe(up);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), 'api-version': '1.41', ostype: 'windows' });
  res.end(body);
}

function windowsInfo(info: Record<string, unknown>): Record<string, unknown> {
  return {
    ...info,
    OSType: 'windows',
    OperatingSystem: 'Windows Server 2022 Datacenter Version 2009 (OS Build 20348.2227)',
    OSVersion: WINDOWS_OS_VERSION,
    KernelVersion: WINDOWS_KERNEL,
    Driver: 'windowsfilter',
    DriverStatus: [['Windows', '']],
    Isolation: 'process',
    Plugins: { ...(info.Plugins as object), Network: ['ics', 'internal', 'l2bridge', 'l2tunnel', 'nat', 'null', 'overlay', 'private', 'transparent'] },
  };
}

function windowsVersion(version: Record<string, unknown>): Record<string, unknown> {
  const engine = ((version.Components ?? []) as { Name: string }[]).find((c) => c.Name === 'Engine');
  return { ...version, Os: 'windows', KernelVersion: WINDOWS_KERNEL, Components: engine ? [{ ...engine, Details: { ...(engine as { Details?: object }).Details, Os: 'windows', KernelVersion: WINDOWS_KERNEL } }] : [] };
}

/** Starts the proxy on a fresh unix socket. */
export async function startWindowsProxy(options: WindowsProxyOptions): Promise<WindowsProxy> {
  const socketPath = join(tmpdir(), `mixcompose-winproxy-${randomBytes(4).toString('hex')}.sock`);
  const log: string[] = [];
  const linuxImages = new Set(options.linuxImages ?? []);
  const up = options.upstreamSocket;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) json(res, 500, { message: error.message });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/info') {
      const r = await upstream(up, 'GET', req.url!, req.headers);
      return json(res, r.status, windowsInfo(JSON.parse(r.body.toString()) as Record<string, unknown>));
    }
    if (method === 'GET' && path === '/version') {
      const r = await upstream(up, 'GET', req.url!, req.headers);
      return json(res, r.status, windowsVersion(JSON.parse(r.body.toString()) as Record<string, unknown>));
    }
    if ((method === 'GET' || method === 'HEAD') && path === '/_ping') {
      const r = await upstream(up, method, req.url!, req.headers);
      res.writeHead(r.status, { ...r.headers, ostype: 'windows' });
      return void res.end(r.body);
    }
    const distribution = /^\/distribution\/(.+)\/json$/.exec(path);
    if (method === 'GET' && distribution) {
      const r = await upstream(up, 'GET', req.url!, req.headers);
      if (r.status !== 200 || linuxImages.has(decodeURIComponent(distribution[1]!))) return json(res, r.status, JSON.parse(r.body.toString() || '{}'));
      const body = JSON.parse(r.body.toString()) as { Platforms?: Record<string, unknown>[] };
      return json(res, 200, { ...body, Platforms: (body.Platforms ?? []).map((p) => ({ ...p, os: 'windows', 'os.version': WINDOWS_OS_VERSION })) });
    }
    const imageInspect = /^\/images\/(.+)\/json$/.exec(path);
    if (method === 'GET' && imageInspect) {
      const r = await upstream(up, 'GET', req.url!, req.headers);
      if (r.status !== 200) return json(res, r.status, JSON.parse(r.body.toString() || '{}'));
      const image = JSON.parse(r.body.toString()) as { RepoTags?: string[]; Os?: string };
      const name = decodeURIComponent(imageInspect[1]!);
      const keepLinux = linuxImages.has(name) || (image.RepoTags ?? []).some((t) => linuxImages.has(t));
      return json(res, 200, keepLinux ? image : { ...image, Os: 'windows', OsVersion: WINDOWS_OS_VERSION });
    }
    if (method === 'POST' && path === '/containers/create') {
      const body = JSON.parse((await readBody(req)).toString() || '{}') as Record<string, unknown>;
      const refusal = windowsCreateRefusal(body);
      if (refusal) {
        log.push(`refused create: ${refusal}`);
        return json(res, 400, { message: refusal });
      }
      const hc = { ...((body.HostConfig ?? {}) as Record<string, unknown>) };
      if (hc.ExtraHosts) log.push(`dropped ExtraHosts ${JSON.stringify(hc.ExtraHosts)}`);
      delete hc.ExtraHosts;
      delete hc.Isolation;
      const changed = { ...body, HostConfig: hc };
      delete (changed as { StopSignal?: unknown }).StopSignal;
      const r = await upstream(up, 'POST', req.url!, { ...req.headers, 'content-type': 'application/json' }, Buffer.from(JSON.stringify(changed)));
      res.writeHead(r.status, r.headers);
      return void res.end(r.body);
    }
    if (method === 'POST' && path === '/networks/create') {
      const body = JSON.parse((await readBody(req)).toString() || '{}') as Record<string, unknown>;
      const changed = body.Driver === 'nat' ? { ...body, Driver: 'bridge' } : body;
      const r = await upstream(up, 'POST', req.url!, { ...req.headers, 'content-type': 'application/json' }, Buffer.from(JSON.stringify(changed)));
      res.writeHead(r.status, r.headers);
      return void res.end(r.body);
    }
    const stopOrKill = /^\/containers\/([^/]+)\/(stop|kill)$/.exec(path);
    if (method === 'POST' && stopOrKill) {
      await readBody(req);
      const [, id, verb] = stopOrKill;
      const signal = url.searchParams.get('signal');
      log.push(`${verb}${signal ? ` ${signal}` : ''} → kill SIGKILL ${id}`);
      const prefix = /^\/v\d+\.\d+/.exec(url.pathname)?.[0] ?? '';
      const r = await upstream(up, 'POST', `${prefix}/containers/${id}/kill?signal=SIGKILL`, req.headers, Buffer.alloc(0));
      // kill of a stopped container is 409 where stop is 304: answer as stop does.
      if (verb === 'stop' && r.status === 409) {
        res.writeHead(304);
        return void res.end();
      }
      if (verb === 'stop' && r.status === 204) {
        // stop answers once the container has stopped.
        await upstream(up, 'POST', `${prefix}/containers/${id}/wait?condition=not-running`, req.headers, Buffer.alloc(0));
      }
      res.writeHead(r.status, r.headers);
      return void res.end(r.body);
    }
    pipeThrough(up, req, res);
  }

  // Hijacked calls (exec start, attach: `Upgrade: tcp`) go through as raw bytes both ways.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const behind = connect(up, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      behind.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) behind.write(head);
      behind.pipe(socket);
      socket.pipe(behind);
    });
    const end = () => {
      behind.destroy();
      socket.destroy();
    };
    behind.on('error', end);
    socket.on('error', end);
  });

  if (existsSync(socketPath)) unlinkSync(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    host: `unix://${socketPath}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
