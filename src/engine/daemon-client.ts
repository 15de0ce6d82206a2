/**
 * The one interface the engine uses to talk to a Docker daemon. The dockerode adapter
 * (engine/docker/) is the only implementation that touches the network; tests of
 * executors and observers can pass an in-memory one.
 *
 * Bodies are Engine API JSON (https://docs.docker.com/engine/api/v1.41/), typed loosely on purpose:
 * the planner builds them, the adapter forwards them.
 */
import type { Duplex, Readable } from 'node:stream';

import type { EngineBody, EngineInfo, EngineVersion } from '../model/engine-api.js';

// The Engine API bodies are plain model types (the planner builds them); re-exported for the engine.
export type { EngineBody, EngineInfo, EngineVersion } from '../model/engine-api.js';

/** One JSON message of a pull or build progress stream. */
export interface ProgressMessage {
  readonly id?: string;
  readonly status?: string;
  readonly stream?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
  readonly aux?: unknown;
}

export interface ContainerSummary {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly Image: string;
  readonly ImageID?: string;
  readonly State: string;
  readonly Status?: string;
  readonly Labels: Readonly<Record<string, string>>;
  readonly Created?: number;
  readonly Ports?: readonly { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  readonly NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; NetworkID?: string }> };
}

/** Filters in Engine API form: { label: ["com.docker.compose.project=x"] }. */
export type EngineFilters = Readonly<Record<string, readonly string[]>>;

export interface LogOptions {
  readonly follow?: boolean;
  readonly tail?: number | 'all';
  readonly since?: number;
  readonly timestamps?: boolean;
  /** Ends the stream (a followed log never ends by itself): the request and its socket are closed. */
  readonly signal?: AbortSignal;
}

/** A demultiplexed log line. */
export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** RFC3339Nano timestamp when requested. */
  readonly timestamp?: string;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** GET /containers/{id}/top. */
export interface ContainerTop {
  readonly Titles: readonly string[];
  readonly Processes: readonly (readonly string[])[];
}

/** What an exec is created with (POST /containers/{id}/exec). */
export interface ExecSpec {
  readonly cmd: readonly string[];
  readonly tty: boolean;
  /** Attach stdin (the hijacked connection carries it). */
  readonly stdin: boolean;
  readonly env?: readonly string[];
  readonly user?: string;
  readonly workingDir?: string;
  readonly privileged?: boolean;
}

/**
 * Interactive streams and container control beyond the lifecycle (exec, run, pause, top): the
 * adapter implements them in engine/docker/container-io.ts. Optional on DaemonClient so in-memory
 * clients need not; `containerIo(client)` asks for them.
 */
export interface ContainerIoClient {
  /** POST /containers/{id}/exec → the exec's ID. */
  createExec(containerId: string, spec: ExecSpec): Promise<string>;
  /**
   * POST /exec/{id}/start, hijacked: the connection carries stdin in and the output out (raw with a
   * TTY, multiplexed stdout/stderr frames without).
   */
  startExec(execId: string, tty: boolean): Promise<Duplex>;
  resizeExec(execId: string, rows: number, cols: number): Promise<void>;
  inspectExec(execId: string): Promise<{ readonly ExitCode: number | null; readonly Running: boolean }>;
  /** POST /containers/{id}/attach (stream, stdin, stdout, stderr), hijacked; call before starting it. */
  attachContainer(id: string): Promise<Duplex>;
  resizeContainer(id: string, rows: number, cols: number): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  topContainer(id: string, psArgs?: string): Promise<ContainerTop>;
}

/** What is at a path in a container (the X-Docker-Container-Path-Stat header of the archive endpoints). */
export interface ContainerPathStat {
  readonly name: string;
  readonly size: number;
  /** Go's os.FileMode: permission bits plus type bits (directory 1<<31, symlink 1<<27). */
  readonly mode: number;
  readonly mtime?: string;
  /** For a symlink: where it points (absolute, in the container). */
  readonly linkTarget?: string;
}

/**
 * The archive endpoints as `cp` uses them (engine/docker/archive.ts): stat a path, a streamed
 * archive out with the stat of its path, an archive in with docker cp's options.
 */
export interface ArchiveClient {
  /** HEAD /containers/{id}/archive: what is at `path`, or undefined when nothing is (404). */
  statContainerPath(id: string, path: string): Promise<ContainerPathStat | undefined>;
  /** GET /containers/{id}/archive, streamed, with the stat of `path`; undefined when nothing is there (404). */
  archiveFrom(id: string, path: string): Promise<{ readonly stat: ContainerPathStat; readonly tar: Readable } | undefined>;
  /** PUT /containers/{id}/archive: unpack `tar` into the directory `path` (never a directory over a file). */
  archiveTo(id: string, path: string, tar: Readable | Buffer, options?: { readonly copyUidGid?: boolean }): Promise<void>;
}

/** How long exchangeStdin waits for the answer once the input is written, and how it knows it. */
export interface StdinExchangeOptions {
  /** True for the stdout line that answers the input. */
  readonly answered: (line: string) => boolean;
  readonly timeoutMs: number;
}

/**
 * A line exchange with a running container's own process through its stdin (no exec, no archive:
 * the cheapest write into a container the daemon offers). The container must have been created with
 * OpenStdin (and StdinOnce false, so that its stdin stays open after the attach ends) and no TTY.
 */
export interface StdinExchangeClient {
  /**
   * POST /containers/{id}/attach (stdin, stdout), hijacked: writes `input`, resolves with the first
   * stdout line for which `answered` is true, and detaches. Rejects (a DaemonError whose cause has
   * code ENOANSWER) when the output ends first or no such line comes within `timeoutMs`.
   */
  exchangeStdin(id: string, input: string, options: StdinExchangeOptions): Promise<string>;
}

export interface DaemonClient extends Partial<ContainerIoClient>, Partial<ArchiveClient>, Partial<StdinExchangeClient> {
  /** For messages: "windows (npipe:////./pipe/docker_engine_windows)". */
  readonly label: string;
  /** Negotiated API version once `version()` was called, e.g. "1.41". */
  readonly apiVersion?: string;

  ping(): Promise<void>;
  /** GET /_ping response headers, lower-cased (api-version, ostype, builder-version). Optional. */
  pingHeaders?(): Promise<Readonly<Record<string, string>>>;
  info(): Promise<EngineInfo>;
  version(): Promise<EngineVersion>;

  listContainers(filters: EngineFilters, all?: boolean): Promise<ContainerSummary[]>;
  inspectContainer(id: string): Promise<EngineBody>;
  /** POST /containers/create; `platform` is sent as the query parameter (API 1.41+) when given. */
  createContainer(name: string, body: EngineBody, platform?: string): Promise<{ id: string; warnings: string[] }>;
  startContainer(id: string): Promise<void>;
  /**
   * POST /containers/{id}/stop?t=seconds. Resolves when the container is stopped (or was already).
   * `abort` cancels the request (a bounded stop gives up on a daemon that does not answer).
   */
  stopContainer(id: string, timeoutSeconds: number, signal?: string, abort?: AbortSignal): Promise<void>;
  killContainer(id: string, signal?: string, abort?: AbortSignal): Promise<void>;
  restartContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Already gone (404) counts as removed, as for removeNetwork / removeVolume. */
  removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  /** POST /containers/{id}/wait?condition=... → exit code. `abort` cancels the wait. */
  waitContainer(id: string, condition?: 'not-running' | 'next-exit' | 'removed', abort?: AbortSignal): Promise<number>;
  renameContainer(id: string, name: string): Promise<void>;
  containerLogs(id: string, options: LogOptions): Promise<AsyncIterable<LogLine>>;
  /**
   * Stream of container events (start/die/health_status) for this project's containers; `since`
   * (unix seconds) first replays the events from then on.
   */
  events(filters: EngineFilters, signal?: AbortSignal, since?: number): AsyncIterable<EngineBody>;
  exec(id: string, cmd: readonly string[]): Promise<ExecResult>;
  /** PUT /containers/{id}/archive: unpack a tar into `path` in the container. */
  putArchive(id: string, path: string, tar: Buffer | Readable): Promise<void>;
  /** GET /containers/{id}/archive: `path` (file or directory) as a tar; undefined when it does not exist (404). */
  getArchive(id: string, path: string): Promise<Buffer | undefined>;

  listNetworks(filters: EngineFilters): Promise<EngineBody[]>;
  inspectNetwork(idOrName: string): Promise<EngineBody>;
  createNetwork(body: EngineBody): Promise<{ id: string }>;
  removeNetwork(idOrName: string): Promise<void>;
  connectNetwork(network: string, container: string, endpointConfig?: EngineBody): Promise<void>;
  disconnectNetwork(network: string, container: string, force?: boolean): Promise<void>;

  listVolumes(filters: EngineFilters): Promise<EngineBody[]>;
  createVolume(body: EngineBody): Promise<void>;
  removeVolume(name: string, force?: boolean): Promise<void>;

  listImages(filters: EngineFilters): Promise<EngineBody[]>;
  /** GET /images/{name}/json, or undefined when the image is not there. */
  inspectImage(name: string): Promise<EngineBody | undefined>;
  /** GET /distribution/{name}/json: descriptor and Platforms, before any pull. */
  distributionInspect(name: string, auth?: EngineBody): Promise<{ Descriptor: EngineBody; Platforms: readonly EngineBody[] }>;
  pullImage(name: string, options: { platform?: string; auth?: EngineBody; signal?: AbortSignal }, onProgress: (m: ProgressMessage) => void): Promise<void>;
  /** POST /build with a tar context; messages stream to onProgress; resolves with the image ID. */
  buildImage(context: Readable, query: EngineBody, onProgress: (m: ProgressMessage) => void, options?: { auth?: EngineBody; signal?: AbortSignal }): Promise<string | undefined>;
  removeImage(name: string, force?: boolean): Promise<void>;
  tagImage(source: string, repo: string, tag: string): Promise<void>;
  /**
   * Optional: cancels every request still open on this daemon and releases its connections, so
   * a daemon that never answered cannot keep the process alive. Later calls fail. Idempotent.
   */
  close?(): void;
}
