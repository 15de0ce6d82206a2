/**
 * The connection to one daemon: node:http (http-dial.ts; docker-modem only for its own ssh protocol
 * and under dockerode), its agent (TLS / ssh dial), the closer that cancels
 * every open request, and `request()` — one Engine API call with our own status-code table, so that
 * "already stopped" (304) or "already gone" (404 on remove) are not errors, and so the query string
 * is exactly what we send (the fake engine in tests checks it). Every failure leaves through
 * `call()` / `wrap()` as a DaemonError naming the daemon.
 *
 * dockerode itself (with its BuildKit session and protobuf decoding, the heaviest module we have) is
 * imported only for a BuildKit build, on the same modem.
 */
import type Modem from 'docker-modem';
import type Dockerode from 'dockerode';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { DaemonError } from '../../errors.js';
import type { EngineBody, ProgressMessage } from '../daemon-client.js';
import type { ModemOptions } from '../daemon-endpoints.js';
import { SshDialAgent } from '../ssh-dial-agent.js';
import { sshFailureHint, type SshEndpointFacts } from '../ssh-failure-hint.js';
import { EngineApiError, toDaemonError, toEngineApiError } from './errors.js';
import { httpDial, type DialRequest } from './http-dial.js';
import { jsonLines, progressCollector } from './streams.js';

type Query = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export interface RequestOptions {
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

export interface TransportOptions {
  readonly label: string;
  readonly modem: ModemOptions;
}

const STATUS_REASONS = [
  [304, 'not modified'],
  [400, 'bad parameter'],
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'not found'],
  [409, 'conflict'],
  [500, 'server error'],
  [503, 'unavailable'],
] as const;

function cleanQuery(query: Query | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

function statusCodesFor(ok: readonly number[] | undefined): Record<number, true | string> {
  const statusCodes: Record<number, true | string> = {};
  for (let code = 200; code < 300; code++) statusCodes[code] = true;
  for (const code of ok ?? []) statusCodes[code] = true;
  for (const [code, reason] of STATUS_REASONS) statusCodes[code] ??= reason;
  return statusCodes;
}

export class Transport {
  readonly label: string;
  /** Negotiated API version once `version()` was called. */
  apiVersion?: string;
  private readonly modemOptions: ModemOptions;
  /** docker-modem, made on first use: for docker-modem's own ssh protocol, and under dockerode. */
  private modemInstance: Modem | undefined;
  /** dockerode on the same modem, for BuildKit builds only (loaded on first use). */
  private dockerode: Promise<Dockerode> | undefined;
  private readonly agent: { destroy(): void } | undefined;
  /** Aborted by close(): every request is tied to it, so none outlives the client. */
  private readonly closer = new AbortController();
  private readonly ssh: boolean;
  /** For ssh endpoints: what a failure hint names (see ssh-failure-hint.ts). */
  private readonly sshFacts: SshEndpointFacts | undefined;
  private readonly sshAgent: SshDialAgent | undefined;

  constructor(options: TransportOptions) {
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
    this.agent = modem.agent;
    this.modemOptions = modem;
  }

  /** docker-modem (CommonJS, required synchronously: dial is synchronous) on first use only. */
  private get modem(): Modem {
    if (!this.modemInstance) {
      const ModemClass = createRequire(import.meta.url)('docker-modem') as typeof Modem;
      this.modemInstance = new ModemClass(this.modemOptions as unknown as Modem.ConstructorOptions);
    }
    return this.modemInstance;
  }

  /**
   * dockerode (CommonJS) on first use only, through require like docker-modem: the CLI bundle runs as
   * a vm script (cli/code-cache.ts), where an `import()` would need node's experimental loader hook.
   */
  private withDockerode(): Promise<Dockerode> {
    this.dockerode ??= Promise.resolve().then(() => {
      const Docker = createRequire(import.meta.url)('dockerode') as typeof Dockerode;
      return new Docker({ modem: this.modem } as unknown as Dockerode.DockerOptions);
    });
    return this.dockerode;
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
  signalFor(signal: AbortSignal | undefined): AbortSignal {
    // AbortSignal.any registers no listener on the long-lived closer signal (no listener leak).
    return AbortSignal.any(signal ? [signal, this.closer.signal] : [this.closer.signal]);
  }

  /** `error` as the DaemonError of `operation` on this daemon (with an ssh hint when one applies). */
  wrap(operation: string, error: unknown): DaemonError {
    const facts = this.sshFacts;
    return toDaemonError(
      this.label,
      operation,
      error,
      facts &&
        ((cause) =>
          sshFailureHint(cause.message, { ...facts, remoteStderr: this.sshAgent?.lastRemoteStderr, hostKeyRefusal: this.sshAgent?.lastHostKeyRefusal }, cause.statusCode)),
    );
  }

  /** One Engine API call. Resolves with parsed JSON, the response stream, or the upgraded socket. */
  request<T = unknown>(options: RequestOptions): Promise<T> {
    if (this.closer.signal.aborted) return Promise.reject(this.closer.signal.reason as Error);
    const request: DialRequest = {
      method: options.method,
      path: options.path,
      query: cleanQuery(options.query),
      body: options.body ?? {},
      file: options.file,
      isStream: options.stream === true,
      hijack: options.hijack === true,
      statusCodes: statusCodesFor(options.ok),
      authconfig: options.auth,
      registryconfig: options.registryConfig,
      signal: this.signalFor(options.signal),
    };
    return new Promise<T>((resolve, reject) => {
      const done = (error: unknown, data: unknown) => {
        if (error) reject(this.closer.signal.aborted ? (this.closer.signal.reason as Error) : toEngineApiError(error));
        else resolve(data as T);
      };
      if (this.ssh) this.dialQuietly(() => this.dialModem(request, done));
      else httpDial(this.modemOptions, request, done);
    });
  }

  /** The same request through docker-modem (its own ssh protocol only). */
  private dialModem(request: DialRequest, done: (error: unknown, data: unknown) => void): void {
    const hasQuery = Object.keys(request.query).length > 0;
    const dialOptions: Record<string, unknown> = {
      path: `${request.path}${hasQuery ? '?' : ''}`,
      method: request.method,
      statusCodes: request.statusCodes,
      isStream: request.isStream,
      options: { _query: request.query, _body: request.body },
      abortSignal: request.signal,
    };
    if (request.file) dialOptions.file = request.file;
    if (request.hijack) dialOptions.hijack = true;
    if (request.authconfig) dialOptions.authconfig = request.authconfig;
    if (request.registryconfig) dialOptions.registryconfig = request.registryconfig;
    this.modem.dial(dialOptions as unknown as Parameters<Modem['dial']>[0], done);
  }

  /** Runs `fn`, wrapping any failure as DaemonError naming this daemon and the operation. */
  async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.wrap(operation, error);
    }
  }

  /**
   * POST /build through dockerode itself: BuildKit needs a session (dockerode opens it over
   * /session), so dockerode dials. Tied to the closer like every request.
   */
  async buildWithSession(context: Readable, query: EngineBody, registryConfig?: EngineBody, signal?: AbortSignal): Promise<Readable> {
    const opts: Record<string, unknown> = { ...query, abortSignal: this.signalFor(signal) };
    if (registryConfig) opts.registryconfig = registryConfig;
    try {
      const docker = await this.withDockerode();
      return (await docker.buildImage(context as unknown as NodeJS.ReadableStream, opts)) as unknown as Readable;
    } catch (error) {
      throw toEngineApiError(error);
    }
  }

  /**
   * Follows a JSON progress stream, calling onProgress per message; rejects on the first `error`
   * message. Plain streams are read with jsonLines (unlike modem.followProgress it keeps a last line
   * without a newline and turns a malformed line into a rejection, not an uncaught throw); BuildKit
   * streams go through dockerode's followProgress, which decodes the base64 protobuf trace messages.
   */
  async followProgress(stream: Readable, onProgress: (m: ProgressMessage) => void, decodeBuildKit: boolean): Promise<ProgressMessage[]> {
    const collector = progressCollector(onProgress);
    if (decodeBuildKit) {
      const docker = (await this.withDockerode()) as unknown as { followProgress: Modem['followProgress'] };
      await new Promise<void>((resolve, reject) => {
        docker.followProgress(stream, (error: unknown) => (error ? reject(error) : resolve()), collector.handle);
      });
    } else {
      for await (const message of jsonLines(stream)) collector.handle(message as ProgressMessage);
    }
    return collector.finish();
  }
}
