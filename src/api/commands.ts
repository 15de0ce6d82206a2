/**
 * up, down, start, stop, restart, ps, run and logs as library calls: each connects to the stack's
 * daemons, runs the call of on-daemons.ts (the same the CLI runs), and closes. Typed results,
 * events through `onEvent`, an AbortSignal on each; nothing prints.
 */
import { PassThrough } from 'node:stream';
import type { LogEvent } from '../model/events.js';
import type { Plan } from '../plan/plan.js';
import {
  collectingLogs,
  downOn,
  lifecycleOn,
  logsOn,
  psOn,
  runOn,
  upOn,
  type ContainerInfo,
  type DownOptions,
  type LifecycleOptions,
  type Surroundings,
  type UpOptions,
  type UpResult,
} from './on-daemons.js';
import { withDaemons, type CallOptions, type Stack } from './stack.js';

export type { ContainerInfo, DownOptions, LifecycleOptions, UpOptions, UpResult } from './on-daemons.js';

function surroundings(stack: Stack): Surroundings {
  const env = stack.options.env ?? process.env;
  return { env, allowOsMismatch: stack.options.allowOsMismatch ?? env.MIXCOMPOSE_ALLOW_OS_MISMATCH === '1' };
}

/** Brings the stack up on both daemons (detached; waits until running/healthy unless `wait: false`). */
export async function up(stack: Stack, options: UpOptions = {}): Promise<UpResult> {
  return withDaemons(stack, options, (daemons) => upOn(stack.project, daemons, { ...options, wait: options.wait !== false }, surroundings(stack)));
}

/** Stops and removes the stack on both daemons, in reverse dependency order. */
export async function down(stack: Stack, options: DownOptions = {}): Promise<{ readonly plan: Plan }> {
  return withDaemons(stack, options, (daemons) => downOn(stack.project, daemons, options));
}

/** Starts the stack's existing containers in dependency order. */
export async function start(stack: Stack, options: LifecycleOptions = {}): Promise<{ readonly plan: Plan }> {
  return withDaemons(stack, options, (daemons) => lifecycleOn(stack.project, daemons, 'start', options));
}

/** Stops the stack's running containers in reverse dependency order. */
export async function stop(stack: Stack, options: LifecycleOptions = {}): Promise<{ readonly plan: Plan }> {
  return withDaemons(stack, options, (daemons) => lifecycleOn(stack.project, daemons, 'stop', options));
}

/** Restarts the stack's containers in dependency order. */
export async function restart(stack: Stack, options: LifecycleOptions = {}): Promise<{ readonly plan: Plan }> {
  return withDaemons(stack, options, (daemons) => lifecycleOn(stack.project, daemons, 'restart', options));
}

/** The stack's containers on both daemons (running ones; `all` for stopped too). */
export async function ps(stack: Stack, options: CallOptions & { readonly all?: boolean; readonly services?: readonly string[] } = {}): Promise<ContainerInfo[]> {
  return withDaemons(stack, options, (daemons) => psOn(stack.project, daemons, options));
}

export interface RunOptions extends CallOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Do not start the services it depends on. */
  readonly noDeps?: boolean;
  /** Keep the container afterwards (default: removed, as `run --rm`). */
  readonly keep?: boolean;
  readonly user?: string;
  readonly workdir?: string;
  /** Text for the command's stdin (default: none). */
  readonly input?: string;
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The one-off container's name. */
  readonly container: string;
}

/** A one-off container of `service` running `command` (its own command when empty), wired as the service. */
export async function run(stack: Stack, service: string, command: readonly string[] = [], options: RunOptions = {}): Promise<RunResult> {
  return withDaemons(stack, options, async (daemons) => {
    const out = { stdout: '', stderr: '' };
    const collect = (key: 'stdout' | 'stderr') => {
      const stream = new PassThrough();
      stream.on('data', (d: Buffer) => (out[key] += d.toString()));
      return stream;
    };
    const stdin = options.input !== undefined ? new PassThrough() : undefined;
    stdin?.end(options.input);
    const io = { ...(stdin ? { stdin } : {}), stdout: collect('stdout'), stderr: collect('stderr') };
    const overrides = {
      ...(command.length ? { command } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.user ? { user: options.user } : {}),
      ...(options.workdir ? { workdir: options.workdir } : {}),
      tty: false,
      interactive: stdin !== undefined,
    };
    const result = await runOn(
      stack.project,
      daemons,
      service,
      io,
      { overrides, ...(options.noDeps ? { noDeps: true } : {}), rm: !options.keep, ...(options.onEvent ? { onEvent: options.onEvent } : {}) },
      surroundings(stack),
    );
    return { exitCode: result.exitCode ?? -1, ...out, container: result.container };
  });
}

export interface LogsOptions extends CallOptions {
  readonly services?: readonly string[];
  readonly tail?: number;
  /** Follow until the signal aborts or every container stopped; each line goes to onEvent as it comes. */
  readonly follow?: boolean;
}

/** The stack's log lines from both daemons, merged in time order (with follow: as they come). */
export async function logs(stack: Stack, options: LogsOptions = {}): Promise<LogEvent[]> {
  const collected = collectingLogs(options.onEvent);
  const follow = new AbortController();
  const stopFollowing = () => follow.abort();
  options.signal?.addEventListener('abort', stopFollowing, { once: true });
  try {
    // A followed log ends quietly on abort: the lines so far are the result.
    await withDaemons(stack, options.follow ? { ...options, signal: undefined } : options, (daemons) =>
      logsOn(stack.project, daemons, {
        ...(options.services ? { services: options.services } : {}),
        ...(options.tail !== undefined ? { tail: options.tail } : {}),
        ...(options.follow ? { follow: true, signal: follow.signal } : options.signal ? { signal: options.signal } : {}),
        timestamps: true,
        onEvent: collected.onEvent,
      }),
    );
    return collected.lines;
  } finally {
    options.signal?.removeEventListener('abort', stopFollowing);
  }
}
