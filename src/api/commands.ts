/**
 * up, down, ps, run and logs as library calls: typed results, events through `onEvent`, an
 * AbortSignal on each; they use the same engine as the CLI and print nothing.
 */
import { PassThrough } from 'node:stream';
import { apply } from '../engine/apply.js';
import { ensureImages } from '../engine/images.js';
import { observe } from '../engine/observe.js';
import { logContainers, streamLogs } from '../engine/logs.js';
import { projectContainers } from '../engine/project-containers.js';
import { attachOneOff, createOneOff } from '../engine/run-oneoff.js';
import type { LogEvent } from '../model/events.js';
import type { PlatformOs } from '../model/project.js';
import type { Plan } from '../plan/plan.js';
import type { ContainerStatus } from '../plan/observed-state.js';
import { withDaemons, type CallOptions, type Stack } from './stack.js';

export interface UpOptions extends CallOptions {
  /** Only these services (and what they depend on). */
  readonly services?: readonly string[];
  /** Wait until every service is running / healthy (as `up --wait`); default true. */
  readonly wait?: boolean;
  readonly waitTimeoutMs?: number;
  readonly forceRecreate?: boolean;
  readonly removeOrphans?: boolean;
}

export interface UpResult {
  /** What was done (a plan of operations, see formatPlan). */
  readonly plan: Plan;
  readonly containers: readonly ContainerInfo[];
}

/** One container of the stack. */
export interface ContainerInfo {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  /** The daemon it runs on (its platform's daemon). */
  readonly daemon: PlatformOs;
  readonly status: ContainerStatus;
  readonly health?: 'starting' | 'healthy' | 'unhealthy';
  readonly exitCode?: number;
  /** Network name → IPv4 on its daemon. */
  readonly ips: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly target: number; readonly published?: number; readonly protocol: string; readonly hostIp?: string }[];
}

/** Brings the stack up on both daemons (detached; with `wait` by default). */
export async function up(stack: Stack, options: UpOptions = {}): Promise<UpResult> {
  return withDaemons(stack, options, async (daemons) => {
    const env = stack.options.env ?? process.env;
    const { plan } = await apply(stack.project, daemons, {
      reconcile: {
        command: 'up',
        ...(options.services ? { services: options.services } : {}),
        ...(options.wait !== false ? { wait: true } : {}),
        ...(options.waitTimeoutMs !== undefined ? { waitTimeoutMs: options.waitTimeoutMs } : {}),
        ...(options.forceRecreate ? { forceRecreate: true } : {}),
        ...(options.removeOrphans ? { removeOrphans: true } : {}),
      },
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ensureImages: async () => {
        const result = await ensureImages(stack.project, daemons.clients, daemons.facts, { env, allowOsMismatch: env.MIXCOMPOSE_ALLOW_OS_MISMATCH === '1' }, options.onEvent);
        return Object.values(result.images).some((i) => i.action !== 'skip');
      },
    });
    return { plan, containers: await listContainers(stack, daemons, false) };
  });
}

export interface DownOptions extends CallOptions {
  /** Remove the stack's named volumes too (`down -v`). */
  readonly volumes?: boolean;
  readonly removeOrphans?: boolean;
  /** Stop timeout in seconds. */
  readonly timeout?: number;
}

/** Stops and removes the stack on both daemons, in reverse dependency order. */
export async function down(stack: Stack, options: DownOptions = {}): Promise<{ readonly plan: Plan }> {
  return withDaemons(stack, options, async (daemons) => {
    const { plan } = await apply(stack.project, daemons, {
      reconcile: {
        command: 'down',
        ...(options.volumes ? { volumes: true } : {}),
        ...(options.removeOrphans ? { removeOrphans: true } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      },
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    return { plan };
  });
}

async function listContainers(stack: Stack, daemons: Parameters<Parameters<typeof withDaemons>[2]>[0], all: boolean): Promise<ContainerInfo[]> {
  const placed = await projectContainers(stack.project.name, daemons, { all });
  return placed.map(({ container: c, daemon }) => ({
    id: c.id,
    name: c.name,
    service: c.service,
    daemon,
    status: c.status,
    ...(c.health ? { health: c.health } : {}),
    ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    ips: c.ips,
    ports: c.ports,
  }));
}

/** The stack's containers on both daemons (running ones; `all` for stopped too). */
export async function ps(stack: Stack, options: CallOptions & { readonly all?: boolean } = {}): Promise<ContainerInfo[]> {
  return withDaemons(stack, options, (daemons) => listContainers(stack, daemons, Boolean(options.all)));
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
    const env = stack.options.env ?? process.env;
    const container = await createOneOff(stack.project, daemons, {
      service,
      overrides: {
        ...(command.length ? { command } : {}),
        ...(options.env ? { env: options.env } : {}),
        ...(options.user ? { user: options.user } : {}),
        ...(options.workdir ? { workdir: options.workdir } : {}),
        tty: false,
        interactive: options.input !== undefined,
      },
      ...(options.noDeps ? { noDeps: true } : {}),
      env,
      allowOsMismatch: env.MIXCOMPOSE_ALLOW_OS_MISMATCH === '1',
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    const out = { stdout: '', stderr: '' };
    const collect = (key: 'stdout' | 'stderr') => {
      const stream = new PassThrough();
      stream.on('data', (d: Buffer) => (out[key] += d.toString()));
      return stream;
    };
    const stdin = options.input !== undefined ? new PassThrough() : undefined;
    stdin?.end(options.input);
    const exitCode = await attachOneOff(container, { ...(stdin ? { stdin } : {}), stdout: collect('stdout'), stderr: collect('stderr') }, { tty: false, interactive: stdin !== undefined, rm: !options.keep });
    return { exitCode, ...out, container: container.name };
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
  const lines: LogEvent[] = [];
  const follow = new AbortController();
  const stopFollowing = () => follow.abort();
  options.signal?.addEventListener('abort', stopFollowing, { once: true });
  try {
    // A followed log ends quietly on abort: the lines so far are the result.
    return await withDaemons(stack, options.follow ? { ...options, signal: undefined } : options, async (daemons) => {
      const observed = await observe(stack.project, daemons.clients, daemons.facts);
      await streamLogs(
        daemons.clients,
        logContainers(observed.containers, options.services),
        { ...(options.follow ? { follow: true, signal: follow.signal } : {}), ...(options.tail !== undefined ? { tail: options.tail } : {}), timestamps: true },
        (event) => {
          lines.push(event);
          options.onEvent?.(event);
        },
      );
      return lines;
    });
  } finally {
    options.signal?.removeEventListener('abort', stopFollowing);
  }
}
