/**
 * The executor: walks the Plan DAG with as much parallelism as it allows (an operation starts the
 * moment its last dependency finishes, on either daemon) and makes no decisions of its own. The
 * only values it fills in are the ones the plan names as runtime values (a container's IP after
 * start), through the planner's own materializeSpec. What waits for what and the launch order:
 * execute-schedule.ts; handlers: execute-ops.ts; events and the error a failed run ends with:
 * execute-report.ts.
 *
 * Failure: no new operation starts, the running ones finish, then the error is thrown. A daemon
 * failure becomes a DaemonError naming the daemon, what was done and not, and the command that
 * continues (from the field engineer's fault report). An aborted `signal` (Ctrl-C) ends the run
 * the same way, with an ExecutionInterrupted.
 */
import { PlanError } from '../errors.js';
import type { EventSink, StepEvent } from '../model/events.js';
import type { PlatformOs } from '../model/project.js';
import type { ResumeCommand } from '../plan/fault-report.js';
import type { Operation, Plan } from '../plan/plan.js';
import type { DaemonClient } from './daemon-client.js';
import { WaitCancelled, runOperation, writeHosts, type EnsureHelperImage, type RunState } from './execute-ops.js';
import { progressOf, stepShape, translateFailure } from './execute-report.js';
import { chainDepths, isHostsOp, launchGroups, resolverKey, schedule, type HostsOp } from './execute-schedule.js';
import { ProbeCancelled, type ProbeRunner } from './probe-op.js';
import { ImageOperationCancelled } from './execute-images.js';
import type { RegistryAuthResolver } from './registry-auth.js';

export { containerIps, type EnsureHelperImage } from './execute-ops.js';
export type { ProbeAnswer, ProbeRunner } from './probe-op.js';

export interface ExecuteOptions {
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  readonly onEvent?: EventSink;
  /** Milliseconds clock for event times and wait deadlines. */
  readonly now?: () => number;
  readonly delay?: (ms: number) => Promise<void>;
  /** Poll interval of condition waits (default 100 ms). */
  readonly pollIntervalMs?: number;
  /** For the fault report: the command being run ("up") and how to run it again. */
  readonly command?: string;
  readonly resume?: ResumeCommand;
  /** At most this many operations at once on one daemon (default: no limit). */
  readonly maxPerDaemon?: number;
  /** Cancels the run: nothing new starts, waits give up, running operations finish. */
  readonly signal?: AbortSignal;
  /** Builds a helper image for `ensure-helper-image` operations (absent: they fail with their own message). */
  readonly ensureHelperImage?: EnsureHelperImage;
  /** Runs the reach probe of a `probe-reach` operation (absent: it counts as one that could not run). */
  readonly probeReach?: ProbeRunner;
  /** Registry credentials of pulls and builds (absent: read from $DOCKER_CONFIG of this process). */
  readonly imageAuth?: RegistryAuthResolver;
  /** How long a hosts write waits for the resolver's answer (default HOSTS_ANSWER_TIMEOUT_MS). */
  readonly hostsAnswerTimeoutMs?: number;
}

export interface ExecuteResult {
  /** create operation id → container id. */
  readonly created: ReadonlyMap<string, string>;
  /** start operation id → network name → IPv4. */
  readonly addresses: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Operation ids in completion order. */
  readonly completed: readonly string[];
  /** Wall time of each operation: id → [start, end] ms since the run started. */
  readonly timings: ReadonlyMap<string, readonly [number, number]>;
  /** probe-reach operation id → the outcome key its probe answered (plan/reach.ts). */
  readonly reachOutcomes: ReadonlyMap<string, string>;
  /** pull-image / build-image operation id → the id of the image it left on its daemon. */
  readonly images: ReadonlyMap<string, string>;
}

/** The run was cancelled through its AbortSignal; `done`/`notDone` say how far it got. */
export class ExecutionInterrupted extends Error {
  constructor(
    readonly done: readonly string[],
    readonly notDone: readonly string[],
  ) {
    super(`interrupted${notDone.length ? `; not done: ${notDone.join(', ')}` : ''}`);
    this.name = 'ExecutionInterrupted';
  }
}

const defaultDelay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/** An operation given up because the run is ending (not a failure of its own). */
const cancelled = (error: unknown): boolean => error instanceof WaitCancelled || error instanceof ProbeCancelled || error instanceof ImageOperationCancelled;

/** Why an operation given up (`cancelled`) was skipped: the user's interrupt, or another operation's failure. */
function skippedBecause(error: unknown, interrupted: boolean): string {
  // A probe says what it was doing when it stopped (and that it cleaned up).
  if (error instanceof ProbeCancelled) return `${interrupted ? 'interrupted' : 'cancelled: another operation failed'} (${error.message})`;
  return interrupted ? 'cancelled: interrupted' : 'cancelled: another operation failed';
}

/**
 * The state the operation handlers share in one run: the clients, what earlier operations made
 * (containers, addresses, images, probe answers) and the run's clock, waits and warnings. `ending`
 * tells waits to give up; `signal` is aborted when the run ends early, so a reach probe stops and
 * cleans up.
 */
function runStateOf(options: ExecuteOptions, emit: EventSink, now: () => number, ending: () => boolean, signal: AbortSignal): RunState {
  return {
    clientOf: (daemon) => {
      const client = options.clients[daemon];
      if (!client) throw new PlanError(`no connection to the ${daemon} daemon`);
      return client;
    },
    created: new Map(),
    addresses: new Map(),
    gateways: new Map(),
    keptRunning: new Set(),
    images: new Map(),
    progress: emit,
    now,
    delay: options.delay ?? defaultDelay,
    pollIntervalMs: options.pollIntervalMs ?? 100,
    ending,
    ...(options.ensureHelperImage ? { ensureHelperImage: options.ensureHelperImage } : {}),
    ...(options.probeReach ? { probeReach: options.probeReach } : {}),
    ...(options.imageAuth ? { imageAuth: options.imageAuth } : {}),
    ...(options.hostsAnswerTimeoutMs !== undefined ? { hostsAnswerTimeoutMs: options.hostsAnswerTimeoutMs } : {}),
    signal,
    reachOutcomes: new Map(),
    reachAnswers: new Map(),
    cleanups: [],
    warn: (message, service) => emit({ type: 'warning', message, ...(service ? { service } : {}) }),
  };
}

/** Runs a launch group: one operation, or several hosts writes to one resolver as one batch; resolves with each operation's message. */
function runGroup(state: RunState, group: readonly Operation[]): Promise<Map<string, string | undefined>> {
  if (group.length === 1 && !isHostsOp(group[0]!)) return runOperation(state, group[0]!).then((m) => new Map([[group[0]!.id, m]]));
  return writeHosts(state, group as HostsOp[]);
}

/**
 * One run of a plan: the scheduler's bookkeeping (what waits, what runs, per daemon and per
 * resolver) and the events it emits. It launches what the schedule says is ready and records how
 * each launch ended; every choice (order, variants, severities, waits) is the plan's.
 */
class PlanRun {
  private readonly now: () => number;
  private readonly emit: EventSink;
  /** When the run started: event times and timings are counted from here. */
  private readonly t0: number;
  /** Operation ids in completion order. */
  readonly completed: string[] = [];
  readonly timings = new Map<string, [number, number]>();
  /** The first operation that failed (not one given up because the run was ending). */
  private failure: { op: Operation; error: unknown } | undefined;
  // Aborted when the run ends early (interrupt or failure): the reach probe stops and cleans up.
  private readonly ending = new AbortController();
  private readonly onAbort = () => this.ending.abort();
  readonly state: RunState;
  private readonly schedule: ReturnType<typeof schedule>;
  private readonly depth: ReadonlyMap<string, number>;
  /** The launch groups still running. */
  private readonly running = new Set<Promise<void>>();
  /** Launch groups running on each daemon (at most `maxPerDaemon`). */
  private readonly inFlight = new Map<PlatformOs, number>();
  /** Resolvers with a hosts write in flight (engine/execute-schedule.ts launchGroups). */
  private readonly hostsBusy = new Set<string>();
  private readonly maxPerDaemon: number;
  /** Resolves `walk()` once nothing runs and nothing more may start. */
  private allSettled: () => void = () => undefined;

  constructor(
    private readonly plan: Plan,
    private readonly options: ExecuteOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.emit = options.onEvent ?? (() => undefined);
    this.t0 = this.now();
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.signal?.aborted) this.ending.abort();
    this.state = runStateOf(options, this.emit, this.now, () => this.failure !== undefined || this.interrupted(), this.ending.signal);
    this.schedule = schedule(plan, this.state.reachOutcomes);
    this.depth = chainDepths(plan, this.schedule.users);
    this.maxPerDaemon = options.maxPerDaemon ?? Number.POSITIVE_INFINITY;
  }

  /** The user cancelled the run (the caller's AbortSignal). */
  interrupted(): boolean {
    return this.options.signal?.aborted === true;
  }

  /** Launches what is ready, and again each time a launch ends; resolves once nothing runs and nothing more may start. */
  walk(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.allSettled = resolve;
      this.launch();
    });
  }

  /** Stops listening to the caller's AbortSignal (the walk is over). */
  detach(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  /** How the run ended, once the walk is over and the cleanups are done: the result, or the error of a failed or interrupted run. */
  outcome(): ExecuteResult {
    const { waiting, ranPlan } = this.schedule;
    if (this.failure) throw translateFailure(ranPlan(), this.failure, this.completed, this.options);
    if (this.interrupted() && waiting.size > 0) {
      const { done, notDone } = progressOf(ranPlan(), this.completed);
      throw new ExecutionInterrupted(done, notDone);
    }
    if (waiting.size > 0) throw new Error(`internal: plan operations never became ready: ${[...waiting.keys()].join(', ')}`);
    const { state, completed, timings } = this;
    return { created: state.created, addresses: state.addresses, completed, timings, reachOutcomes: state.reachOutcomes, images: state.images };
  }

  /** Starts every ready launch group its daemon has room for, unless the run is ending; settles the walk once nothing runs. */
  private launch(): void {
    if (!this.state.ending()) {
      for (const group of launchGroups(this.readyOperations(), this.hostsBusy)) this.launchGroup(group);
    }
    if (this.running.size === 0) this.allSettled();
  }

  /**
   * Ready operations, those with the longest chain after them first (the critical path), so that
   * with `maxPerDaemon` the chain heads are not queued behind the rest.
   */
  private readyOperations(): Operation[] {
    const { ops, waiting, pickVariants } = this.schedule;
    pickVariants();
    const ready = [...waiting].filter(([, deps]) => deps.size === 0).map(([id]) => ops.get(id)!);
    ready.sort((a, b) => this.depth.get(b.id)! - this.depth.get(a.id)! || (a.id < b.id ? -1 : 1));
    return ready;
  }

  /** Starts one launch group if its daemon has room: its operations leave the waiting set and say they started. */
  private launchGroup(group: readonly Operation[]): void {
    const daemon = group[0]!.daemon;
    if ((this.inFlight.get(daemon) ?? 0) >= this.maxPerDaemon) return;
    this.inFlight.set(daemon, (this.inFlight.get(daemon) ?? 0) + 1);
    const hostsKey = isHostsOp(group[0]!) ? resolverKey(group[0]) : undefined;
    if (hostsKey) this.hostsBusy.add(hostsKey);
    const started = this.now() - this.t0;
    for (const op of group) {
      this.schedule.waiting.delete(op.id);
      this.step(op, 'started');
    }
    const promise = runGroup(this.state, group).then(
      (messages) => this.groupDone(group, started, messages),
      (error: unknown) => this.groupFailed(group, started, error),
    );
    const tracked: Promise<void> = promise.finally(() => {
      this.running.delete(tracked);
      this.inFlight.set(daemon, this.inFlight.get(daemon)! - 1);
      if (hostsKey) this.hostsBusy.delete(hostsKey);
      this.launch();
    });
    this.running.add(tracked);
  }

  /** A launch group succeeded: its operations are done, and release what waits for them. */
  private groupDone(group: readonly Operation[], started: number, messages: ReadonlyMap<string, string | undefined>): void {
    for (const op of group) {
      this.finished(op, started);
      this.completed.push(op.id);
      this.step(op, 'done', messages.get(op.id));
      this.schedule.release(op.id);
    }
  }

  /**
   * A launch group failed: its operations are skipped (given up because the run is ending) or
   * failed. A failure of its own ends the run: the first one is the one the run's error names.
   */
  private groupFailed(group: readonly Operation[], started: number, error: unknown): void {
    for (const op of group) {
      this.finished(op, started);
      if (cancelled(error)) this.step(op, 'skipped', skippedBecause(error, this.interrupted()));
      else this.step(op, 'failed', error instanceof Error ? error.message : String(error));
    }
    if (!cancelled(error)) {
      this.failure ??= { op: group[0]!, error };
      this.ending.abort();
    }
  }

  /** Records the wall time of an operation that ended (ms since the run started). */
  private finished(op: Operation, started: number): void {
    this.timings.set(op.id, [started, this.now() - this.t0]);
  }

  /** Emits a step event of `op`. */
  private step(op: Operation, status: StepEvent['status'], message?: string): void {
    // The probe's answer, for JSON consumers (events.ts).
    const reach = status === 'done' ? this.state.reachAnswers.get(op.id) : undefined;
    this.emit({ type: 'step', id: op.id, ...stepShape(op), status, ...(message ? { message } : {}), ...(reach ? { reach } : {}), at: this.now() - this.t0 });
  }
}

/**
 * Runs `plan`: launches each operation once what it waits for is done, until all are done, one
 * failed or the run was interrupted; then waits for the reach probes' cleanups and returns what
 * the run made, or throws the failure (DaemonError…) or an ExecutionInterrupted.
 */
export async function execute(plan: Plan, options: ExecuteOptions): Promise<ExecuteResult> {
  const run = new PlanRun(plan, options);
  await run.walk();
  run.detach();
  // the reach probe answered before its throw-away containers were gone: the run ends once they are.
  await Promise.all(run.state.cleanups);
  return run.outcome();
}
