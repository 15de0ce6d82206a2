/**
 * The Engine API adapter: the only place (with daemon-endpoints.ts) that imports dockerode.
 * Implements DaemonClient over one connection (transport.ts, over node:http) by composing one
 * object of calls per resource, all sharing one Transport. Every failure is a DaemonError(label, operation, cause)
 * whose cause is an EngineApiError; recognise it with the predicates of errors.ts.
 *
 * A new Engine API call: add it to DaemonClient (../daemon-client.ts), write it in a file of its
 * own here (`export function fooCalls(t: Transport) { return { … } satisfies Pick<DaemonClient, …> }`)
 * and add that file to the two lists below.
 */
import type { DaemonClient } from '../daemon-client.js';
import { archiveCalls, type ArchiveCalls } from './archive.js';
import { containerCalls, type ContainerCalls } from './containers.js';
import { containerIoCalls, type ContainerIoCalls } from './container-io.js';
import { execCalls, type ExecCalls } from './exec.js';
import { imageCalls, type ImageCalls } from './images.js';
import { networkCalls, type NetworkCalls } from './networks.js';
import { stdinCalls, type StdinCalls } from './stdin.js';
import { systemCalls, type SystemCalls } from './system.js';
import { Transport, type TransportOptions } from './transport.js';
import { volumeCalls, type VolumeCalls } from './volumes.js';

export { EngineApiError, engineStatusCode, isConflict, isInProgress, isIptablesRace, isNotFound, isNotModified, isUnanswered, toEngineApiError } from './errors.js';
export { demultiplex, jsonLines, progressError, readAll, toLogLines } from './streams.js';

export type DockerodeClientOptions = TransportOptions;

type Calls = SystemCalls & ContainerCalls & ExecCalls & NetworkCalls & VolumeCalls & ImageCalls & ContainerIoCalls & ArchiveCalls & StdinCalls;

function composeCalls(t: Transport): Calls {
  return { ...systemCalls(t), ...containerCalls(t), ...execCalls(t), ...networkCalls(t), ...volumeCalls(t), ...imageCalls(t), ...containerIoCalls(t), ...archiveCalls(t), ...stdinCalls(t) };
}

// The class carries the composed calls as its own members (declaration merging with Calls).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface DockerodeClient extends Calls {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class DockerodeClient implements DaemonClient {
  private readonly transport: Transport;

  constructor(options: DockerodeClientOptions) {
    this.transport = new Transport(options);
    Object.assign(this, composeCalls(this.transport));
  }

  get label(): string {
    return this.transport.label;
  }

  /** Negotiated API version once `version()` was called, e.g. "1.41". */
  get apiVersion(): string | undefined {
    return this.transport.apiVersion;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.transport.closed;
  }

  /** Cancels every open request and releases the connections; later calls fail. Idempotent. */
  close(): void {
    this.transport.close();
  }
}

/** Creates the adapter for one resolved endpoint. */
export function createDockerodeClient(options: DockerodeClientOptions): DockerodeClient {
  return new DockerodeClient(options);
}
