/**
 * A stop that ends. LCOW containers ignore stop (the daemon waits 300 s), Windows containers take
 * up to 75 s to die after a kill, and a wedged shim never answers: `down` must still finish.
 *
 * stopBounded: ask the daemon to stop with t = grace; if that call has not returned after
 * grace + margin, kill; if the kill has not finished after killWait, report the container 'stuck'
 * by name and return. Never hangs, never throws for a container that is merely slow.
 */
import type { DaemonClient } from './daemon-client.js';
import { answeredStatus } from './retry-daemon.js';

export interface StopTarget {
  readonly id: string;
  /** Container name, for messages. */
  readonly name: string;
}

export interface StopBoundedOptions {
  readonly graceSeconds: number;
  /** Stop signal (Linux); omit for Windows containers and for the container's own StopSignal. */
  readonly signal?: string;
  /** How long the kill may take before the container is reported stuck (default 10 s). */
  readonly killWaitSeconds?: number;
  /** Slack over the grace period for the daemon's own kill after the grace (default 5 s). */
  readonly marginSeconds?: number;
  /** Injected clock (ms); defaults to Date.now. */
  readonly now?: () => number;
}

export type StopOutcome = 'stopped' | 'killed' | 'stuck';

export interface StopResult {
  readonly id: string;
  readonly name: string;
  readonly outcome: StopOutcome;
  /** Duration of the whole stop. */
  readonly ms: number;
  /** When the stop was issued and when it ended, on the injected clock (to show stops ran in parallel). */
  readonly startedAt: number;
  readonly endedAt: number;
  /** For 'stuck' (and errors met on the way): what happened, naming the container. */
  readonly message?: string;
}

const TIMED_OUT = Symbol('timed out');

/** Resolves with the promise's value, or TIMED_OUT after `ms`; never rejects, never keeps the process alive. */
function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | typeof TIMED_OUT> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ error });
      },
    );
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** SIGKILL exit code (128 + 9): the daemon killed the container after the grace period. */
const KILLED_EXIT_CODE = 137;

async function wasKilled(client: DaemonClient, id: string, boundMs: number): Promise<boolean> {
  const inspected = await within(client.inspectContainer(id), boundMs);
  if (inspected === TIMED_OUT || 'error' in inspected) return false;
  const state = (inspected.value as { State?: { ExitCode?: number; Running?: boolean } }).State;
  return state?.ExitCode === KILLED_EXIT_CODE;
}

/** Stops one container within a bounded time; see the file comment. */
export async function stopBounded(client: DaemonClient, target: StopTarget, options: StopBoundedOptions): Promise<StopResult> {
  const now = options.now ?? Date.now;
  const grace = Math.max(0, options.graceSeconds);
  const marginMs = (options.marginSeconds ?? 5) * 1000;
  const killWaitMs = (options.killWaitSeconds ?? 10) * 1000;
  const startedAt = now();
  // Requests still pending when we give up (a stop the daemon sits on, a wait on a stuck
  // container) are cancelled: an open request would keep the process alive after `down` ends.
  const abort = new AbortController();
  const done = (outcome: StopOutcome, message?: string): StopResult => {
    abort.abort();
    const endedAt = now();
    return { id: target.id, name: target.name, outcome, ms: endedAt - startedAt, startedAt, endedAt, ...(message ? { message } : {}) };
  };

  const stopped = await within(client.stopContainer(target.id, grace, options.signal, abort.signal), grace * 1000 + marginMs);
  let reason: string;
  if (stopped !== TIMED_OUT && 'value' in stopped) {
    return done((await wasKilled(client, target.id, killWaitMs)) ? 'killed' : 'stopped');
  } else if (stopped === TIMED_OUT) {
    reason = `stop did not return within ${grace}s + ${marginMs / 1000}s`;
  } else if (answeredStatus(stopped.error) === 404) {
    return done('stopped'); // already gone
  } else {
    reason = `stop failed: ${errorText(stopped.error)}`;
  }

  // The daemon did not stop it in time (LCOW ignores stop; a shim may be wedged): kill, bounded.
  const deadline = now() + killWaitMs;
  const killed = await within(client.killContainer(target.id, undefined, abort.signal), killWaitMs);
  if (killed === TIMED_OUT) {
    return done('stuck', `container ${target.name} is stuck: ${reason}, and kill did not return within ${killWaitMs / 1000}s`);
  }
  // 404: gone; 409: not running any more. Both mean the container is down.
  if ('error' in killed && answeredStatus(killed.error) !== 404 && answeredStatus(killed.error) !== 409) {
    return done('stuck', `container ${target.name} is stuck: ${reason}, and kill failed: ${errorText(killed.error)}`);
  }
  const exited = await within(client.waitContainer(target.id, 'not-running', abort.signal), Math.max(0, deadline - now()));
  if (exited === TIMED_OUT) {
    return done('stuck', `container ${target.name} is stuck: ${reason}; killed, but still running after ${killWaitMs / 1000}s`);
  }
  return done('killed');
}

/** One container of a stop level with its own settings. */
export interface StopRequest {
  readonly client: DaemonClient;
  readonly target: StopTarget;
  readonly options: StopBoundedOptions;
}

/** Issues every stop of one level at once and waits for all of them (each bounded). */
export function stopLevelInParallel(requests: readonly StopRequest[]): Promise<StopResult[]> {
  return Promise.all(requests.map((r) => stopBounded(r.client, r.target, r.options)));
}
