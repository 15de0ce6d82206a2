/**
 * A DaemonClient that waits for its daemon to come back (`up --retry-daemon <seconds>`, `down`).
 *
 * When a call fails because the daemon cannot be reached (connection refused, socket file gone,
 * connection dropped mid-call), it is retried with exponential backoff until the time budget is
 * spent, with a WarningEvent per retry so CI logs say what is happening. Any other error (a 404, a
 * 409, a bad request) passes through at once: only the connection is retried, never a refusal.
 *
 * Calls that create something may have reached the daemon before the connection dropped. For
 * createContainer a retry that meets "name already in use" after a dropped connection answers with
 * the container that the lost call created.
 */
import type { EventSink } from '../model/events.js';
import type { DaemonClient, EngineBody } from './daemon-client.js';

/** errno codes meaning "the daemon is not there (now)". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EPIPE', 'ECONNRESET', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);
const CONNECTION_TEXT = /ECONNREFUSED|ENOENT|EPIPE|ECONNRESET|socket hang up|connect E\w+|Client network socket disconnected/i;
/** The connection broke after the request may have reached the daemon. */
const DROPPED_TEXT = /EPIPE|ECONNRESET|socket hang up|disconnected/i;

/** An error and its causes, outermost first (at most six deep). */
export function causeChain(error: unknown): { code?: unknown; statusCode?: unknown; message?: unknown }[] {
  const chain = [];
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    chain.push(e as { code?: unknown; statusCode?: unknown; message?: unknown });
  }
  return chain;
}

/** The HTTP status the daemon answered with, anywhere in the cause chain. */
export function answeredStatus(error: unknown): number | undefined {
  const found = causeChain(error).find((e) => typeof e.statusCode === 'number');
  return found?.statusCode as number | undefined;
}

/** Walks an error and its causes for a connection failure (as opposed to an answer from the daemon). */
export function isConnectionError(error: unknown): boolean {
  const chain = causeChain(error);
  // The daemon answered (an HTTP status anywhere in the chain): not a connection problem, even if its text says ENOENT.
  if (chain.some((e) => typeof e.statusCode === 'number')) return false;
  if (chain.some((e) => typeof e.code === 'string' && CONNECTION_CODES.has(e.code))) return true;
  const innermost = chain.at(-1)?.message;
  return typeof innermost === 'string' && CONNECTION_TEXT.test(innermost);
}

function isDropped(error: unknown): boolean {
  return causeChain(error).some(
    (e) => e.code === 'EPIPE' || e.code === 'ECONNRESET' || (typeof e.message === 'string' && DROPPED_TEXT.test(e.message)),
  );
}

function isConflict(error: unknown): boolean {
  return causeChain(error).some((e) => e.statusCode === 409 || (typeof e.message === 'string' && /already in use|Conflict/i.test(e.message)));
}

function shortError(error: unknown): string {
  let e: unknown = error;
  // The innermost message is the errno text ("connect ECONNREFUSED /run/x.sock").
  while (e && (e as { cause?: unknown }).cause instanceof Error) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? e.message : String(e);
}

export interface RetryDaemonOptions {
  /** Total time to keep retrying one call, from its first failure. */
  readonly retrySeconds: number;
  readonly onEvent?: EventSink;
  /** First backoff delay (default 250 ms), doubled per retry up to maxDelayMs (default 5 s). */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Injected clock and delay, for tests. */
  readonly now?: () => number;
  readonly delay?: (ms: number) => Promise<void>;
}

/** Methods that do not return a promise (streams, close) and are passed through untouched. */
const NOT_RETRIED = new Set(['events', 'close']);

const realDelay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/** Marks a client that already retries, so wrapping twice (session and command) is harmless. */
const RETRYING = Symbol('mixcompose.retrying-daemon-client');

/** True for a client made by withDaemonRetry. */
export function isRetrying(client: DaemonClient): boolean {
  return (client as unknown as Record<symbol, unknown>)[RETRYING] === true;
}

/** Wraps a client so that each call retries connection failures for up to `retrySeconds` (once: a retrying client is returned as is). */
export function withDaemonRetry(client: DaemonClient, options: RetryDaemonOptions): DaemonClient {
  if (isRetrying(client)) return client;
  const now = options.now ?? Date.now;
  const delay = options.delay ?? realDelay;
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5000;
  const budgetMs = Math.max(0, options.retrySeconds) * 1000;

  async function call(method: string, args: unknown[]): Promise<unknown> {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    let firstFailure: number | undefined;
    let attempt = 0;
    let dropped = false;
    for (;;) {
      try {
        return await fn.apply(client, args);
      } catch (error) {
        if (method === 'createContainer' && dropped && isConflict(error)) {
          // The lost call created it: answer with that container.
          const inspected = (await client.inspectContainer(String(args[0]))) as EngineBody & { Id?: string };
          return { id: String(inspected.Id), warnings: [] };
        }
        if (!isConnectionError(error)) throw error;
        // The caller gave up on this call (a bounded stop): do not keep it alive.
        if (args.some((a) => a instanceof AbortSignal && a.aborted)) throw error;
        dropped ||= isDropped(error);
        // A request body stream was (partly) consumed by the lost call: it cannot be sent again.
        if (dropped && args.some((a) => typeof (a as { pipe?: unknown } | null)?.pipe === 'function')) throw error;
        firstFailure ??= now();
        const elapsed = now() - firstFailure;
        const wait = Math.min(max, initial * 2 ** attempt);
        if (elapsed + wait > budgetMs) throw error;
        attempt++;
        options.onEvent?.({
          type: 'warning',
          message:
            `daemon ${client.label} unreachable during ${method} (${shortError(error)}): ` +
            `retry ${attempt} in ${(wait / 1000).toFixed(1)}s, giving up after ${Math.round(budgetMs / 1000)}s`,
        });
        await delay(wait);
      }
    }
  }

  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === RETRYING) return true;
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string' || NOT_RETRIED.has(property)) {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (...args: unknown[]) => call(property, args);
    },
  });
}
