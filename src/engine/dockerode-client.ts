/**
 * The dockerode adapter: the ONLY file that imports dockerode. Implements DaemonClient over one
 * docker-modem connection. Every failure is wrapped as DaemonError(label, operation, cause) where
 * `cause` is an EngineApiError carrying the HTTP status and the daemon's message.
 *
 * Most calls go through `request()` (docker-modem's dial with our own status-code table) rather than
 * dockerode's per-resource helpers, so that "already stopped" (304) or "already gone" (404 on remove)
 * are not errors, and so the query string is exactly what we send (the fake engine in tests checks it).
 */
import Dockerode from 'dockerode';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { DaemonError } from '../errors.js';
import type {
  ContainerSummary,
  DaemonClient,
  EngineBody,
  EngineFilters,
  EngineInfo,
  EngineVersion,
  ExecResult,
  LogLine,
  LogOptions,
  ProgressMessage,
} from './daemon-client.js';
import type { ModemOptions } from './daemon-endpoints.js';
import { SshDialAgent } from './ssh-dial-agent.js';
import { sshFailureHint, type SshEndpointFacts } from './ssh-failure-hint.js';
import { containerIoCalls } from './docker/container-io.js';
import type { ContainerIoClient } from './daemon-client.js';

/** An Engine API call that answered with an error status (or never answered). */
export class EngineApiError extends Error {
  override readonly name = 'EngineApiError';
  constructor(
    message: string,
    /** HTTP status, absent for connection errors. */
    readonly statusCode?: number,
    /** errno code for connection errors (ECONNREFUSED, ENOENT, ...). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Two dockerd on one Linux host edit the same iptables chains. When both create (or remove) a
 * network at the same moment, one of them can fail half-way with an iptables error, for instance
 * "unable to remove jump to DOCKER-ISOLATION-STAGE-1 rule" (legacy iptables: "Bad rule"; nf_tables:
 * "RULE_DELETE failed"), HTTP 500, and roll the network back. Nothing was created, so asking again,
 * a moment later, is safe; any other error is final. The one place that retries it (network create).
 */
const NETWORK_CREATE_ATTEMPTS = 4;
const NETWORK_CREATE_PAUSE_MS = 150;
export function isIptablesRace(error: unknown): boolean {
  return engineStatusCode(error) === 500 && /iptables/i.test(error instanceof Error ? error.message : String(error));
}

/** The HTTP status behind a DaemonError / EngineApiError, if any. */
export function engineStatusCode(error: unknown): number | undefined {
  if (error instanceof EngineApiError) return error.statusCode;
  if (error instanceof DaemonError) return engineStatusCode(error.cause);
  return undefined;
}

type Query = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

interface RequestOptions {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  /** A tar (or any) request body stream / buffer, sent as application/x-tar. */
  readonly file?: Readable | Buffer;
  /** Status codes treated as success besides 2xx. */
  readonly ok?: readonly number[];
  readonly stream?: boolean;
  readonly auth?: EngineBody;
  readonly registryConfig?: EngineBody;
  readonly signal?: AbortSignal;
  /** Upgrade the connection (exec start, attach): resolves with the raw socket. */
  readonly hijack?: boolean;
}

function cleanQuery(query: Query | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

/** Builds the error for a modem failure: daemon's `message` when it sent one, else the modem text. */
function toEngineApiError(error: unknown): EngineApiError {
  if (error instanceof EngineApiError) return error;
  const e = error as { message?: string; statusCode?: number; json?: unknown; code?: string };
  let message = e?.message ?? String(error);
  const json = e?.json;
  if (json && typeof json === 'object' && 'message' in json && typeof (json as { message: unknown }).message === 'string') {
    message = (json as { message: string }).message;
  } else if (Buffer.isBuffer(json) && json.length) {
    message = json.toString('utf8').trim();
  } else if (typeof json === 'string' && json.trim()) {
    message = json.trim();
  }
  if (e?.statusCode) message = `${message} (HTTP ${e.statusCode})`;
  return new EngineApiError(message, e?.statusCode, e?.code);
}

/** Multiplexed log/attach frames → (stream, payload) chunks. Raw (TTY) streams are all stdout. */
export async function* demultiplex(
  source: AsyncIterable<Buffer | string>,
  multiplexed: boolean,
): AsyncGenerator<{ stream: 'stdout' | 'stderr'; data: Buffer }> {
  if (!multiplexed) {
    for await (const chunk of source) yield { stream: 'stdout', data: Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk) };
    return;
  }
  let buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    buffer = Buffer.concat([buffer, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)]);
    while (buffer.length >= 8) {
      const kind = buffer.readUInt8(0);
      const length = buffer.readUInt32BE(4);
      if (buffer.length < 8 + length) break;
      const data = buffer.subarray(8, 8 + length);
      buffer = buffer.subarray(8 + length);
      yield { stream: kind === 2 ? 'stderr' : 'stdout', data };
    }
  }
  if (buffer.length) yield { stream: 'stdout', data: buffer };
}

const TIMESTAMP_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) ?/;

/** Demultiplexed chunks → whole lines per stream, with the RFC3339Nano prefix split off when asked. */
export async function* toLogLines(
  chunks: AsyncIterable<{ stream: 'stdout' | 'stderr'; data: Buffer }>,
  timestamps: boolean,
): AsyncGenerator<LogLine> {
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const make = (stream: 'stdout' | 'stderr', raw: string): LogLine => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (timestamps) {
      const match = TIMESTAMP_PREFIX.exec(line);
      if (match) return { stream, text: line.slice(match[0].length), timestamp: match[1]! };
    }
    return { stream, text: line };
  };
  for await (const { stream, data } of chunks) {
    pending[stream] += data.toString('utf8');
    let newline: number;
    while ((newline = pending[stream].indexOf('\n')) >= 0) {
      const raw = pending[stream].slice(0, newline);
      pending[stream] = pending[stream].slice(newline + 1);
      yield make(stream, raw);
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) yield make(stream, pending[stream]);
}

/** Newline-delimited JSON stream → objects (events, progress). */
export async function* jsonLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<EngineBody> {
  let buffer = '';
  for await (const chunk of source) {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield JSON.parse(line) as EngineBody;
    }
  }
  if (buffer.trim()) yield JSON.parse(buffer.trim()) as EngineBody;
}

async function readBody(res: IncomingMessage): Promise<string> {
  return (await readAll(res)).toString('utf8');
}

/** The message of an `error` progress message, if it is one. */
export function progressError(message: ProgressMessage): string | undefined {
  return message.errorDetail?.message ?? message.error;
}

export interface DockerodeClientOptions {
  readonly label: string;
  readonly modem: ModemOptions;
}

// The interactive and container-control calls come from engine/docker/container-io.ts (see the constructor).
export interface DockerodeClient extends ContainerIoClient {}

export class DockerodeClient implements DaemonClient {
  readonly label: string;
  apiVersion?: string;
  private readonly docker: Dockerode;
  private readonly agent: { destroy(): void } | undefined;
  /** Aborted by close(): every request is tied to it, so none outlives the client. */
  private readonly closer = new AbortController();

  private readonly ssh: boolean;
  /** For ssh endpoints: what a failure hint names (see ssh-failure-hint.ts). */
  private readonly sshFacts: SshEndpointFacts | undefined;
  private readonly sshAgent: SshDialAgent | undefined;

  constructor(options: DockerodeClientOptions) {
    this.label = options.label;
    const { modem } = options;
    this.sshAgent = modem.agent instanceof SshDialAgent ? modem.agent : undefined;
    // docker-modem's own ssh (protocol 'ssh', only when a caller passes it): see dialQuietly.
    this.ssh = modem.protocol === 'ssh';
    this.sshFacts = this.sshAgent
      ? {
          target: `${this.sshAgent.ssh.username ? `${this.sshAgent.ssh.username}@` : ''}${this.sshAgent.ssh.host}`,
          port: this.sshAgent.ssh.port,
          agentOffered: this.sshAgent.ssh.agentSocket !== undefined,
        }
      : undefined;
    this.agent = options.modem.agent;
    this.docker = new Dockerode(options.modem as unknown as Dockerode.DockerOptions);
    Object.assign(this, containerIoCalls((o) => this.request(o), (operation, fn) => this.call(operation, fn)));
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.closer.signal.aborted;
  }

  /**
   * Cancels every open request (a daemon that accepted the connection but never answers would
   * otherwise keep the process alive) and destroys the TLS agent's sockets. Later calls fail with
   * "client closed". Idempotent.
   */
  close(): void {
    if (this.closer.signal.aborted) return;
    this.closer.abort(new EngineApiError(`connection to daemon ${this.label} closed`, undefined, 'ECLOSED'));
    this.agent?.destroy();
  }

  /**
   * Runs a synchronous docker-modem dial. For ssh endpoints docker-modem 5 builds a throw-away URL
   * "ssh:HOST:PORTHOST" (url.format without slashes) only to take its path, which the request gets
   * right, but Node prints DEP0170 ("The URL … is invalid") for it to the user. That one synchronous
   * call runs with deprecation warnings off; nothing else is affected.
   */
  private dialQuietly(dial: () => void): void {
    if (!this.ssh) return dial();
    const before = process.noDeprecation;
    process.noDeprecation = true;
    try {
      dial();
    } finally {
      process.noDeprecation = before;
    }
  }

  /** The request's own signal (if any) joined with the client's closer. */
  private signalFor(signal: AbortSignal | undefined): AbortSignal {
    // AbortSignal.any registers no listener on the long-lived closer signal (no listener leak).
    return AbortSignal.any(signal ? [signal, this.closer.signal] : [this.closer.signal]);
  }

  private wrap(operation: string, error: unknown): DaemonError {
    if (error instanceof DaemonError) return error;
    const cause = toEngineApiError(error);
    const hint = this.sshFacts && sshFailureHint(cause.message, { ...this.sshFacts, remoteStderr: this.sshAgent?.lastRemoteStderr, hostKeyRefusal: this.sshAgent?.lastHostKeyRefusal }, cause.statusCode);
    return new DaemonError(this.label, operation, hint ? new EngineApiError(`${cause.message} (${hint})`, cause.statusCode, cause.code) : cause);
  }

  /** One Engine API call through docker-modem. Resolves with parsed JSON, or the response stream. */
  private request<T = unknown>(options: RequestOptions): Promise<T> {
    const statusCodes: Record<number, true | string> = {};
    for (let code = 200; code < 300; code++) statusCodes[code] = true;
    for (const code of options.ok ?? []) statusCodes[code] = true;
    for (const [code, reason] of [
      [304, 'not modified'],
      [400, 'bad parameter'],
      [401, 'unauthorized'],
      [403, 'forbidden'],
      [404, 'not found'],
      [409, 'conflict'],
      [500, 'server error'],
      [503, 'unavailable'],
    ] as const) {
      statusCodes[code] ??= reason;
    }
    const query = cleanQuery(options.query);
    const hasQuery = Object.keys(query).length > 0;
    const dialOptions: Record<string, unknown> = {
      path: `${options.path}${hasQuery ? '?' : ''}`,
      method: options.method,
      statusCodes,
      isStream: options.stream === true,
      options: { _query: query, _body: options.body ?? {} },
    };
    if (options.file) dialOptions.file = options.file;
    if (options.hijack) dialOptions.hijack = true;
    if (options.auth) dialOptions.authconfig = options.auth;
    if (options.registryConfig) dialOptions.registryconfig = options.registryConfig;
    if (this.closer.signal.aborted) return Promise.reject(this.closer.signal.reason as Error);
    dialOptions.abortSignal = this.signalFor(options.signal);
    return new Promise<T>((resolve, reject) => {
      this.dialQuietly(() =>
        this.docker.modem.dial(dialOptions as unknown as Parameters<Dockerode['modem']['dial']>[0], (error: unknown, data: unknown) => {
          if (error) reject(this.closer.signal.aborted ? (this.closer.signal.reason as Error) : toEngineApiError(error));
          else resolve(data as T);
        }),
      );
    });
  }

  /** Runs `fn`, wrapping any failure as DaemonError naming this daemon and the operation. */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.wrap(operation, error);
    }
  }

  /**
   * Follows a JSON progress stream, calling onProgress per message; rejects on the first `error`
   * message. Plain streams are read with jsonLines (unlike modem.followProgress it keeps a last line
   * without a newline and turns a malformed line into a rejection, not an uncaught throw); BuildKit
   * streams go through dockerode's followProgress, which decodes the base64 protobuf trace messages.
   */
  private async followProgress(
    stream: Readable,
    onProgress: (m: ProgressMessage) => void,
    decodeBuildKit: boolean,
  ): Promise<ProgressMessage[]> {
    const output: ProgressMessage[] = [];
    let failure: string | undefined;
    const handle = (message: ProgressMessage) => {
      output.push(message);
      const error = progressError(message);
      if (error && failure === undefined) failure = error;
      onProgress(message);
    };
    if (decodeBuildKit) {
      await new Promise<void>((resolve, reject) => {
        const docker = this.docker as unknown as { followProgress: Dockerode['modem']['followProgress'] };
        docker.followProgress(stream, (error: unknown) => (error ? reject(error) : resolve()), handle);
      });
    } else {
      for await (const message of jsonLines(stream)) handle(message as ProgressMessage);
    }
    if (failure !== undefined) throw new EngineApiError(failure);
    return output;
  }

  ping(): Promise<void> {
    return this.call('ping', async () => {
      await this.pingHeaders();
    });
  }

  /** GET /_ping and its headers (Api-Version, OSType, Builder-Version, Docker-Experimental). */
  pingHeaders(): Promise<Readonly<Record<string, string>>> {
    return this.call('ping', async () => {
      const res = await this.request<IncomingMessage>({ method: 'GET', path: '/_ping', stream: true });
      await readBody(res);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(res.headers)) {
        if (typeof value === 'string') headers[key.toLowerCase()] = value;
      }
      return headers;
    });
  }

  info(): Promise<EngineInfo> {
    return this.call('info', () => this.request<EngineInfo>({ method: 'GET', path: '/info' }));
  }

  version(): Promise<EngineVersion> {
    return this.call('version', async () => {
      const version = await this.request<EngineVersion>({ method: 'GET', path: '/version' });
      this.apiVersion = version.ApiVersion;
      return version;
    });
  }

  listContainers(filters: EngineFilters, all = true): Promise<ContainerSummary[]> {
    return this.call('list containers', () =>
      this.request<ContainerSummary[]>({ method: 'GET', path: '/containers/json', query: { all, filters: JSON.stringify(filters) } }),
    );
  }

  inspectContainer(id: string): Promise<EngineBody> {
    return this.call(`inspect container ${id}`, () =>
      this.request<EngineBody>({ method: 'GET', path: `/containers/${encodeURIComponent(id)}/json` }),
    );
  }

  createContainer(name: string, body: EngineBody, platform?: string): Promise<{ id: string; warnings: string[] }> {
    return this.call(`create container ${name}`, async () => {
      const result = await this.request<{ Id: string; Warnings?: string[] | null }>({
        method: 'POST',
        path: '/containers/create',
        query: { name, platform },
        body,
      });
      return { id: result.Id, warnings: result.Warnings ?? [] };
    });
  }

  startContainer(id: string): Promise<void> {
    return this.call(`start container ${id}`, async () => {
      // 304: already started.
      await this.request({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/start`, ok: [304] });
    });
  }

  stopContainer(id: string, timeoutSeconds: number, signal?: string, abort?: AbortSignal): Promise<void> {
    return this.call(`stop container ${id}`, async () => {
      await this.request({
        method: 'POST',
        path: `/containers/${encodeURIComponent(id)}/stop`,
        query: { t: Math.max(0, Math.round(timeoutSeconds)), signal },
        ok: [304],
        ...(abort ? { signal: abort } : {}),
      });
    });
  }

  killContainer(id: string, signal?: string, abort?: AbortSignal): Promise<void> {
    return this.call(`kill container ${id}`, async () => {
      await this.request({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/kill`, query: { signal }, ...(abort ? { signal: abort } : {}) });
    });
  }

  restartContainer(id: string, timeoutSeconds: number): Promise<void> {
    return this.call(`restart container ${id}`, async () => {
      await this.request({
        method: 'POST',
        path: `/containers/${encodeURIComponent(id)}/restart`,
        query: { t: Math.max(0, Math.round(timeoutSeconds)) },
      });
    });
  }

  /** DELETE /containers/{id}; a container already gone (404) counts as removed. */
  removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return this.call(`remove container ${id}`, async () => {
      await this.request({
        method: 'DELETE',
        path: `/containers/${encodeURIComponent(id)}`,
        query: { force: options.force ? true : undefined, v: options.volumes ? true : undefined },
        ok: [404],
      });
    });
  }

  waitContainer(id: string, condition?: 'not-running' | 'next-exit' | 'removed', abort?: AbortSignal): Promise<number> {
    return this.call(`wait for container ${id}`, async () => {
      const result = await this.request<{ StatusCode: number }>({
        method: 'POST',
        path: `/containers/${encodeURIComponent(id)}/wait`,
        query: { condition },
        ...(abort ? { signal: abort } : {}),
      });
      return result.StatusCode;
    });
  }

  renameContainer(id: string, name: string): Promise<void> {
    return this.call(`rename container ${id} to ${name}`, async () => {
      await this.request({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/rename`, query: { name } });
    });
  }

  containerLogs(id: string, options: LogOptions): Promise<AsyncIterable<LogLine>> {
    return this.call(`logs of container ${id}`, async () => {
      // TTY containers send a raw stream; all others are multiplexed.
      const inspect = await this.request<{ Config?: { Tty?: boolean } }>({
        method: 'GET',
        path: `/containers/${encodeURIComponent(id)}/json`,
      });
      let res: IncomingMessage;
      try {
        res = await this.request<IncomingMessage>({
          method: 'GET',
          path: `/containers/${encodeURIComponent(id)}/logs`,
          query: {
            stdout: true,
            stderr: true,
            follow: options.follow ? true : undefined,
            tail: options.tail === undefined ? undefined : String(options.tail),
            since: options.since,
            timestamps: options.timestamps ? true : undefined,
          },
          stream: true,
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        // Stopped before the daemon answered: no lines, not an error.
        if (options.signal?.aborted && !this.closed) return (async function* () {})();
        throw error;
      }
      return toLogLines(demultiplex(endOnAbort(res, options.signal), inspect.Config?.Tty !== true), options.timestamps === true);
    });
  }

  events(filters: EngineFilters, signal?: AbortSignal, since?: number): AsyncIterable<EngineBody> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        let res: IncomingMessage;
        try {
          res = await self.request<IncomingMessage>({
            method: 'GET',
            path: '/events',
            query: { filters: JSON.stringify(filters), ...(since !== undefined ? { since: since.toFixed(3) } : {}) },
            stream: true,
            ...(signal ? { signal } : {}),
          });
        } catch (error) {
          if (signal?.aborted) return;
          throw self.wrap('events', error);
        }
        const abort = () => res.destroy();
        signal?.addEventListener('abort', abort, { once: true });
        try {
          for await (const event of jsonLines(res)) yield event;
        } catch (error) {
          if (signal?.aborted) return;
          throw self.wrap('events', error);
        } finally {
          signal?.removeEventListener('abort', abort);
          res.destroy();
        }
      },
    };
  }

  exec(id: string, cmd: readonly string[]): Promise<ExecResult> {
    return this.call(`exec ${JSON.stringify(cmd)} in container ${id}`, async () => {
      const created = await this.request<{ Id: string }>({
        method: 'POST',
        path: `/containers/${encodeURIComponent(id)}/exec`,
        body: { AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false, Cmd: cmd },
      });
      const res = await this.request<IncomingMessage>({
        method: 'POST',
        path: `/exec/${created.Id}/start`,
        body: { Detach: false, Tty: false },
        stream: true,
      });
      const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
      for await (const { stream, data } of demultiplex(res, true)) out[stream].push(data);
      const inspect = await this.request<{ ExitCode: number | null; Running?: boolean }>({
        method: 'GET',
        path: `/exec/${created.Id}/json`,
      });
      return {
        exitCode: inspect.ExitCode ?? -1,
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8'),
      };
    });
  }

  putArchive(id: string, path: string, tar: Buffer | Readable): Promise<void> {
    return this.call(`copy archive to ${path} in container ${id}`, async () => {
      await this.request({
        method: 'PUT',
        path: `/containers/${encodeURIComponent(id)}/archive`,
        query: { path },
        file: tar,
      });
    });
  }

  async getArchive(id: string, path: string): Promise<Buffer | undefined> {
    try {
      const res = await this.request<IncomingMessage>({
        method: 'GET',
        path: `/containers/${encodeURIComponent(id)}/archive`,
        query: { path },
        stream: true,
      });
      return await readAll(res);
    } catch (error) {
      if (engineStatusCode(error) === 404) return undefined;
      throw this.wrap(`copy ${path} from container ${id}`, error);
    }
  }

  listNetworks(filters: EngineFilters): Promise<EngineBody[]> {
    return this.call('list networks', () =>
      this.request<EngineBody[]>({ method: 'GET', path: '/networks', query: { filters: JSON.stringify(filters) } }),
    );
  }

  inspectNetwork(idOrName: string): Promise<EngineBody> {
    return this.call(`inspect network ${idOrName}`, () =>
      this.request<EngineBody>({ method: 'GET', path: `/networks/${encodeURIComponent(idOrName)}` }),
    );
  }

  createNetwork(body: EngineBody): Promise<{ id: string }> {
    return this.call(`create network ${String(body.Name ?? '')}`, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await this.request<{ Id: string }>({ method: 'POST', path: '/networks/create', body });
          return { id: result.Id };
        } catch (error) {
          if (attempt >= NETWORK_CREATE_ATTEMPTS || !isIptablesRace(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, NETWORK_CREATE_PAUSE_MS * attempt));
        }
      }
    });
  }

  /** DELETE /networks/{id}; a network already gone (404) counts as removed. */
  removeNetwork(idOrName: string): Promise<void> {
    return this.call(`remove network ${idOrName}`, async () => {
      await this.request({ method: 'DELETE', path: `/networks/${encodeURIComponent(idOrName)}`, ok: [404] });
    });
  }

  connectNetwork(network: string, container: string, endpointConfig?: EngineBody): Promise<void> {
    return this.call(`connect container ${container} to network ${network}`, async () => {
      await this.request({
        method: 'POST',
        path: `/networks/${encodeURIComponent(network)}/connect`,
        body: { Container: container, ...(endpointConfig ? { EndpointConfig: endpointConfig } : {}) },
      });
    });
  }

  disconnectNetwork(network: string, container: string, force?: boolean): Promise<void> {
    return this.call(`disconnect container ${container} from network ${network}`, async () => {
      await this.request({
        method: 'POST',
        path: `/networks/${encodeURIComponent(network)}/disconnect`,
        body: { Container: container, Force: force === true },
      });
    });
  }

  listVolumes(filters: EngineFilters): Promise<EngineBody[]> {
    return this.call('list volumes', async () => {
      const result = await this.request<{ Volumes?: EngineBody[] | null }>({
        method: 'GET',
        path: '/volumes',
        query: { filters: JSON.stringify(filters) },
      });
      return result.Volumes ?? [];
    });
  }

  createVolume(body: EngineBody): Promise<void> {
    return this.call(`create volume ${String(body.Name ?? '')}`, async () => {
      await this.request({ method: 'POST', path: '/volumes/create', body });
    });
  }

  /** DELETE /volumes/{name}; a volume already gone (404) counts as removed. */
  removeVolume(name: string, force?: boolean): Promise<void> {
    return this.call(`remove volume ${name}`, async () => {
      await this.request({
        method: 'DELETE',
        path: `/volumes/${encodeURIComponent(name)}`,
        query: { force: force ? true : undefined },
        ok: [404],
      });
    });
  }

  listImages(filters: EngineFilters): Promise<EngineBody[]> {
    return this.call('list images', () =>
      this.request<EngineBody[]>({ method: 'GET', path: '/images/json', query: { filters: JSON.stringify(filters) } }),
    );
  }

  async inspectImage(name: string): Promise<EngineBody | undefined> {
    try {
      return await this.request<EngineBody>({ method: 'GET', path: `/images/${encodeImageName(name)}/json` });
    } catch (error) {
      if (engineStatusCode(error) === 404) return undefined;
      throw this.wrap(`inspect image ${name}`, error);
    }
  }

  distributionInspect(name: string, auth?: EngineBody): Promise<{ Descriptor: EngineBody; Platforms: readonly EngineBody[] }> {
    return this.call(`look up image ${name} in its registry`, async () => {
      const result = await this.request<{ Descriptor: EngineBody; Platforms?: EngineBody[] | null }>({
        method: 'GET',
        path: `/distribution/${encodeImageName(name)}/json`,
        ...(auth ? { auth } : {}),
      });
      return { Descriptor: result.Descriptor, Platforms: result.Platforms ?? [] };
    });
  }

  pullImage(
    name: string,
    options: { platform?: string; auth?: EngineBody },
    onProgress: (m: ProgressMessage) => void,
  ): Promise<void> {
    return this.call(`pull image ${name}`, async () => {
      const { repository, tag, digest } = splitImageReference(name);
      const res = await this.request<IncomingMessage>({
        method: 'POST',
        path: '/images/create',
        query: {
          fromImage: digest ? `${repository}@${digest}` : repository,
          tag: digest ? undefined : (tag ?? 'latest'),
          platform: options.platform,
        },
        stream: true,
        ...(options.auth ? { auth: options.auth } : {}),
      });
      await this.followProgress(res, onProgress, false);
    });
  }

  buildImage(
    context: Readable,
    query: EngineBody,
    onProgress: (m: ProgressMessage) => void,
    options: { auth?: EngineBody } = {},
  ): Promise<string | undefined> {
    const tag = Array.isArray(query.t) ? query.t[0] : query.t;
    return this.call(`build image${tag ? ` ${String(tag)}` : ''}`, async () => {
      const buildKit = String(query.version ?? '1') === '2';
      let res: Readable;
      if (buildKit) {
        // BuildKit needs a session (dockerode opens it over /session); let dockerode dial.
        const opts: Record<string, unknown> = { ...query, abortSignal: this.signalFor(undefined) };
        if (options.auth) opts.registryconfig = options.auth;
        try {
          res = (await this.docker.buildImage(context as unknown as NodeJS.ReadableStream, opts)) as unknown as Readable;
        } catch (error) {
          throw toEngineApiError(error);
        }
      } else {
        const q: Record<string, string | number | boolean | undefined> = {};
        for (const [key, value] of Object.entries(query)) {
          if (value === undefined || value === null) continue;
          q[key] = typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);
        }
        res = await this.request<IncomingMessage>({
          method: 'POST',
          path: '/build',
          query: q,
          file: context,
          stream: true,
          ...(options.auth ? { registryConfig: options.auth } : {}),
        });
      }
      let imageId: string | undefined;
      const output = await this.followProgress(
        res,
        (message) => {
          const aux = message.aux as { ID?: string } | undefined;
          if (aux && typeof aux === 'object' && typeof aux.ID === 'string') imageId = aux.ID;
          onProgress(message);
        },
        buildKit,
      );
      if (!imageId) {
        // Classic builder without aux: "Successfully built 0123abcd".
        for (const message of output) {
          const match = /(?:Successfully built|Built image:) (\S+)/.exec(message.stream ?? '');
          if (match) imageId = match[1];
        }
      }
      return imageId;
    });
  }

  removeImage(name: string, force?: boolean): Promise<void> {
    return this.call(`remove image ${name}`, async () => {
      await this.request({
        method: 'DELETE',
        path: `/images/${encodeImageName(name)}`,
        query: { force: force ? true : undefined },
      });
    });
  }

  tagImage(source: string, repo: string, tag: string): Promise<void> {
    return this.call(`tag image ${source} as ${repo}:${tag}`, async () => {
      await this.request({ method: 'POST', path: `/images/${encodeImageName(source)}/tag`, query: { repo, tag } });
    });
  }
}

/**
 * The response as an iterable that simply ends when `signal` aborts (instead of failing with an
 * abort error): a followed log stopped by the user is a normal end. The socket is destroyed.
 */
async function* endOnAbort(res: IncomingMessage, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  if (!signal) {
    yield* res as AsyncIterable<Buffer>;
    return;
  }
  const stop = () => res.destroy();
  if (signal.aborted) stop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', stop);
    res.destroy();
  }
}

/** Image names keep their slashes in the path (/images/127.0.0.1:5555/busybox:latest/json). */
function encodeImageName(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/').replace(/%3A/gi, ':').replace(/%40/g, '@');
}

/**
 * "127.0.0.1:5555/busybox:1.36@sha256:…" → repository, tag, digest. A colon counts as a tag
 * separator only after the last slash (the registry part may carry a port).
 */
export function splitImageReference(reference: string): { repository: string; tag?: string; digest?: string } {
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Creates the adapter for one resolved endpoint. */
export function createDockerodeClient(options: DockerodeClientOptions): DockerodeClient {
  return new DockerodeClient(options);
}

/** Reads a stream body fully. */
export async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
