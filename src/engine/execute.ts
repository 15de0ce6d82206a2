/**
 * The executor: walks the Plan DAG with as much parallelism as it allows (an operation starts the
 * moment its last dependency finishes, on either daemon) and makes no decisions of its own. The
 * only values it fills in are the ones the plan names as runtime values (a container's IP after
 * start), through the planner's own materializeSpec. Handlers: execute-ops.ts; events and the
 * error a failed run ends with: execute-report.ts.
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
import type { Operation, Plan, RegisterHostsOp, UnregisterHostsOp } from '../plan/plan.js';
import type { DaemonClient } from './daemon-client.js';
import { WaitCancelled, runOperation, writeHosts, type EnsureHelperImage, type RunState } from './execute-ops.js';
import { progressOf, stepShape, translateFailure } from './execute-report.js';
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

type HostsOp = RegisterHostsOp | UnregisterHostsOp;
/** An operation given up because the run is ending (not a failure of its own). */
const cancelled = (error: unknown): boolean => error instanceof WaitCancelled || error instanceof ProbeCancelled || error instanceof ImageOperationCancelled;
const isHostsOp = (op: Operation): op is HostsOp => op.kind === 'register-hosts' || op.kind === 'unregister-hosts';

/** Which resolver a hosts write goes to. */
const resolverKey = (op: HostsOp): string => `${op.daemon}|${'id' in op.resolver ? op.resolver.id : op.resolver.createdBy}`;

/**
 * Ready operations in launch groups: one per operation, except hosts writes to one resolver, which
 * are one write for all of them. While a write to a resolver is in flight (`busy`), the next ones
 * gather and go together once it is done: one write per wave, not one per container.
 */
function launchGroups(ready: readonly Operation[], busy: ReadonlySet<string>): Operation[][] {
  const groups: Operation[][] = [];
  const hosts = new Map<string, HostsOp[]>();
  for (const op of ready) {
    if (!isHostsOp(op)) {
      groups.push([op]);
      continue;
    }
    const key = resolverKey(op);
    if (busy.has(key)) continue;
    if (!hosts.has(key)) {
      const group: HostsOp[] = [];
      hosts.set(key, group);
      groups.push(group);
    }
    hosts.get(key)!.push(op);
  }
  return groups;
}

/** Length of the longest chain of operations after each one (its own included): the critical path goes first. */
function chainDepths(plan: Plan, users: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const d = 1 + Math.max(0, ...(users.get(id) ?? []).map(depthOf));
    depth.set(id, d);
    return d;
  };
  for (const op of plan.operations) depthOf(op.id);
  return depth;
}

/** Every operation a by-reach operation may wait for (any variant's dependencies, and its probe). */
function possibleDeps(op: Operation): string[] {
  if (op.kind !== 'by-reach') return [...op.deps];
  return [...new Set([...op.deps, ...Object.values(op.variants).flatMap((v) => (v ? v.deps : []))])];
}

/**
 * What waits for what while the plan runs. A by-reach operation whose probe answered becomes its
 * outcome's variant (`pickVariants`), waiting for what that variant waits for; an outcome without
 * one is done at once.
 */
function schedule(plan: Plan, reachOutcomes: ReadonlyMap<string, string>) {
  const ops = new Map(plan.operations.map((op) => [op.id, op]));
  const waiting = new Map(plan.operations.map((op) => [op.id, new Set(op.deps.filter((d) => ops.has(d)))]));
  const users = new Map<string, string[]>();
  for (const op of plan.operations) for (const d of possibleDeps(op)) users.set(d, [...(users.get(d) ?? []), op.id]);
  const doneIds = new Set<string>();
  const release = (id: string) => {
    doneIds.add(id);
    for (const u of users.get(id) ?? []) waiting.get(u)?.delete(id);
  };
  /** By-reach operations with nothing to do under the probe's answer. */
  const nothingToDo = new Set<string>();
  const pickVariants = () => {
    for (let picked = true; picked; ) {
      picked = false;
      for (const [id, deps] of waiting) {
        const op = ops.get(id)!;
        if (op.kind !== 'by-reach' || deps.size > 0) continue;
        picked = true;
        const variant = op.variants[reachOutcomes.get(op.probe) ?? ''];
        if (!variant) {
          waiting.delete(id);
          nothingToDo.add(id);
          release(id);
          continue;
        }
        ops.set(id, variant);
        waiting.set(id, new Set(variant.deps.filter((d) => ops.has(d) && !doneIds.has(d))));
      }
    }
  };
  /** The plan as it ran: by-reach operations as their picked variant, those with nothing to do left out. */
  const ranPlan = (): Plan => ({ ...plan, operations: plan.operations.filter((op) => !nothingToDo.has(op.id)).map((op) => ops.get(op.id)!) });
  return { ops, waiting, users, release, pickVariants, ranPlan };
}

export async function execute(plan: Plan, options: ExecuteOptions): Promise<ExecuteResult> {
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => undefined);
  const t0 = now();
  const completed: string[] = [];
  const timings = new Map<string, [number, number]>();
  let failure: { op: Operation; error: unknown } | undefined;
  const interrupted = () => options.signal?.aborted === true;
  // Aborted when the run ends early (interrupt or failure): the reach probe stops and cleans up.
  const ending = new AbortController();
  const onAbort = () => ending.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) ending.abort();
  const state: RunState = {
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
    ending: () => failure !== undefined || interrupted(),
    ...(options.ensureHelperImage ? { ensureHelperImage: options.ensureHelperImage } : {}),
    ...(options.probeReach ? { probeReach: options.probeReach } : {}),
    ...(options.imageAuth ? { imageAuth: options.imageAuth } : {}),
    ...(options.hostsAnswerTimeoutMs !== undefined ? { hostsAnswerTimeoutMs: options.hostsAnswerTimeoutMs } : {}),
    signal: ending.signal,
    reachOutcomes: new Map(),
    reachAnswers: new Map(),
    cleanups: [],
    warn: (message, service) => emit({ type: 'warning', message, ...(service ? { service } : {}) }),
  };

  const { ops, waiting, users, release, pickVariants, ranPlan } = schedule(plan, state.reachOutcomes);
  const depth = chainDepths(plan, users);
  const running = new Set<Promise<void>>();
  const inFlight = new Map<PlatformOs, number>();
  const hostsBusy = new Set<string>();
  const maxPerDaemon = options.maxPerDaemon ?? Number.POSITIVE_INFINITY;

  const step = (op: Operation, status: StepEvent['status'], message?: string) => {
    // The probe's answer, for JSON consumers (events.ts).
    const reach = status === 'done' ? state.reachAnswers.get(op.id) : undefined;
    emit({ type: 'step', id: op.id, ...stepShape(op), status, ...(message ? { message } : {}), ...(reach ? { reach } : {}), at: now() - t0 });
  };

  /** Runs a launch group: one operation, or several hosts writes as one batch. */
  const runGroup = (group: readonly Operation[]): Promise<Map<string, string | undefined>> => {
    if (group.length === 1 && !isHostsOp(group[0]!)) return runOperation(state, group[0]!).then((m) => new Map([[group[0]!.id, m]]));
    return writeHosts(state, group as HostsOp[]);
  };

  await new Promise<void>((resolveAll) => {
    const launch = () => {
      if (!state.ending()) {
        pickVariants();
        // Ready operations, those with the longest chain after them first (the critical path), each
        // daemon taking at most `maxPerDaemon` at a time so the chain heads are not queued behind the rest.
        const ready = [...waiting].filter(([, deps]) => deps.size === 0).map(([id]) => ops.get(id)!);
        ready.sort((a, b) => depth.get(b.id)! - depth.get(a.id)! || (a.id < b.id ? -1 : 1));
        for (const group of launchGroups(ready, hostsBusy)) {
          const daemon = group[0]!.daemon;
          if ((inFlight.get(daemon) ?? 0) >= maxPerDaemon) continue;
          inFlight.set(daemon, (inFlight.get(daemon) ?? 0) + 1);
          const hostsKey = isHostsOp(group[0]!) ? resolverKey(group[0]) : undefined;
          if (hostsKey) hostsBusy.add(hostsKey);
          const started = now() - t0;
          for (const op of group) {
            waiting.delete(op.id);
            step(op, 'started');
          }
          const finished = (op: Operation) => timings.set(op.id, [started, now() - t0]);
          const promise = runGroup(group).then(
            (messages) => {
              for (const op of group) {
                finished(op);
                completed.push(op.id);
                step(op, 'done', messages.get(op.id));
                release(op.id);
              }
            },
            (error: unknown) => {
              for (const op of group) {
                finished(op);
                if (error instanceof ProbeCancelled) step(op, 'skipped', `${interrupted() ? 'interrupted' : 'cancelled: another operation failed'} (${error.message})`);
                else if (cancelled(error)) step(op, 'skipped', interrupted() ? 'cancelled: interrupted' : 'cancelled: another operation failed');
                else step(op, 'failed', error instanceof Error ? error.message : String(error));
              }
              if (!cancelled(error)) {
                failure ??= { op: group[0]!, error };
                ending.abort();
              }
            },
          );
          const tracked: Promise<void> = promise.finally(() => {
            running.delete(tracked);
            inFlight.set(daemon, inFlight.get(daemon)! - 1);
            if (hostsKey) hostsBusy.delete(hostsKey);
            launch();
          });
          running.add(tracked);
        }
      }
      if (running.size === 0) resolveAll();
    };
    launch();
  });

  options.signal?.removeEventListener('abort', onAbort);
  // the reach probe answered before its throw-away containers were gone: the run ends once they are.
  await Promise.all(state.cleanups);
  if (failure) throw translateFailure(ranPlan(), failure, completed, options);
  if (interrupted() && waiting.size > 0) {
    const { done, notDone } = progressOf(ranPlan(), completed);
    throw new ExecutionInterrupted(done, notDone);
  }
  if (waiting.size > 0) throw new Error(`internal: plan operations never became ready: ${[...waiting.keys()].join(', ')}`);
  return { created: state.created, addresses: state.addresses, completed, timings, reachOutcomes: state.reachOutcomes, images: state.images };
}
