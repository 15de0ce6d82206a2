/**
 * Daemon errors, typed. Every failed Engine API call becomes an EngineApiError (HTTP status and the
 * daemon's own message, or the errno code of a connection that failed), wrapped as
 * DaemonError(label, operation, cause). Callers recognise them with the predicates below, never by
 * comparing bare status numbers.
 */
import { DaemonError } from '../../errors.js';

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

/** The HTTP status behind a DaemonError / EngineApiError, if any. */
export function engineStatusCode(error: unknown): number | undefined {
  if (error instanceof EngineApiError) return error.statusCode;
  if (error instanceof DaemonError) return engineStatusCode(error.cause);
  return undefined;
}

/** The daemon's message behind a DaemonError / EngineApiError (or any error's message). */
function engineMessage(error: unknown): string {
  if (error instanceof DaemonError && error.cause !== undefined) return engineMessage(error.cause);
  return error instanceof Error ? error.message : String(error);
}

/** 404: no such container / network / volume / image. */
export function isNotFound(error: unknown): boolean {
  return engineStatusCode(error) === 404;
}

/** 409: name already in use, container not running, removal already in progress, ... */
export function isConflict(error: unknown): boolean {
  return engineStatusCode(error) === 409;
}

/** 409 "removal of container … is already in progress": another removal is under way. */
export function isInProgress(error: unknown): boolean {
  return isConflict(error) && /already in progress/i.test(engineMessage(error));
}

/** 304: already started / already stopped. */
export function isNotModified(error: unknown): boolean {
  return engineStatusCode(error) === 304;
}

/**
 * Two dockerd on one Linux host edit the same iptables chains. When both create (or remove) a
 * network at the same moment, one of them can fail half-way with an iptables error, for instance
 * "unable to remove jump to DOCKER-ISOLATION-STAGE-1 rule" (legacy iptables: "Bad rule"; nf_tables:
 * "RULE_DELETE failed"), HTTP 500, and roll the network back. Nothing was created, so asking again,
 * a moment later, is safe; any other error is final.
 */
export function isIptablesRace(error: unknown): boolean {
  return engineStatusCode(error) === 500 && /iptables/i.test(engineMessage(error));
}

/**
 * 403 "error while removing network: network … has active endpoints". Docker 20.10 under heavy load
 * (seen removing a 200-service stack, load average about 55) answers this for a moment after every
 * container on the network has been removed and the removals have returned: the endpoints are
 * released just after. A container still attached for real (one not ours) keeps answering it.
 */
export function isActiveEndpoints(error: unknown): boolean {
  return engineStatusCode(error) === 403 && /has active endpoints/i.test(engineMessage(error));
}

/**
 * 500 "unable to remove filesystem for <id>: unlinkat …/containers/<id>: directory not empty".
 * Docker 20.10 removes the container's directory while a stop or kill still under way writes its
 * state files into it (hostconfig.json via a temporary file and a rename: moby/moby#52161); seen
 * on the rig in the `down` of a 200-service stack. The container is left Dead, and a second
 * removal finishes it.
 */
export function isFilesystemRemovalRace(error: unknown): boolean {
  return engineStatusCode(error) === 500 && /unable to remove filesystem/i.test(engineMessage(error)) && /directory not empty/i.test(engineMessage(error));
}

/** The daemon never answered (refused, reset, unreachable, closed by us): no HTTP status. */
export function isUnanswered(error: unknown): boolean {
  const inner = error instanceof DaemonError ? error.cause : error;
  return inner instanceof EngineApiError && inner.statusCode === undefined;
}

/** Builds the error for a modem failure: daemon's `message` when it sent one, else the modem text. */
export function toEngineApiError(error: unknown): EngineApiError {
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

/**
 * Any failure of `operation` on daemon `label` as a DaemonError; `hint` may add a sentence to the
 * cause (the ssh transport explains a refused key or an unknown host).
 */
export function toDaemonError(label: string, operation: string, error: unknown, hint?: (cause: EngineApiError) => string | undefined): DaemonError {
  if (error instanceof DaemonError) return error;
  const cause = toEngineApiError(error);
  const extra = hint?.(cause);
  return new DaemonError(label, operation, extra ? new EngineApiError(`${cause.message} (${extra})`, cause.statusCode, cause.code) : cause);
}
