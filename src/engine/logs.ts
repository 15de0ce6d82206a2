/**
 * Logs of the project's containers on both daemons. Without follow: every line fetched with its
 * timestamp and merged in time order across daemons. With follow: lines are passed on as they
 * arrive from each container (which is time order as it happens).
 */
import type { LogEvent } from '../model/events.js';
import type { PlatformOs } from '../model/project.js';
import type { ObservedContainer } from '../plan/observed-state.js';
import { LABEL_PLATFORM, LABEL_ROLE } from '../plan/labels.js';
import type { DaemonClient, LogLine, LogOptions } from './daemon-client.js';

export interface LogsOptions {
  readonly follow?: boolean;
  readonly tail?: number | 'all';
  /** Unix seconds. */
  readonly since?: number;
  /** Show timestamps in the output. */
  readonly timestamps?: boolean;
  readonly services?: readonly string[];
  readonly signal?: AbortSignal;
  /**
   * With follow (attached `up`): when a container's run ends, say how it ended ("exited with code 4"),
   * and follow it again when Docker restarts it (restart policy), as docker compose does.
   */
  readonly exits?: boolean;
}

/** The project's service containers the logs come from (no resolver, no one-offs), by name. */
export function logContainers(containers: readonly ObservedContainer[], services?: readonly string[]): ObservedContainer[] {
  return containers
    .filter((c) => !c.oneoff && c.labels[LABEL_ROLE] !== 'resolver')
    .filter((c) => !services?.length || services.includes(c.service))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function toEvent(c: ObservedContainer, line: LogLine, keepTimestamp: boolean): LogEvent {
  return {
    type: 'log',
    service: c.service,
    container: c.name,
    platform: (c.labels[LABEL_PLATFORM] as PlatformOs | undefined) ?? c.platform,
    stream: line.stream,
    text: line.text,
    ...(keepTimestamp && line.timestamp ? { timestamp: line.timestamp } : {}),
  };
}

/** Docker timestamps are RFC3339 with nanoseconds; compare them as fixed-width strings. */
function sortKey(timestamp: string | undefined): string {
  if (!timestamp) return '';
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-].*)$/.exec(timestamp);
  if (!m) return timestamp;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}${m[3]}`;
}

/** What inspect says about a container whose log just ended; undefined once it is gone. */
interface RunState {
  readonly running: boolean;
  readonly restarting: boolean;
  readonly exitCode?: number;
  /** Daemon clock, ms since the epoch. */
  readonly startedAtMs?: number;
  readonly finishedAtMs?: number;
}

/** Milliseconds (with the fraction) of a Docker RFC3339Nano timestamp; NaN when it is none. */
function timestampMs(timestamp: string | undefined): number {
  const m = timestamp ? /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-].*)$/.exec(timestamp) : null;
  if (!m) return NaN;
  return Date.parse(`${m[1]}${m[3]}`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

async function runState(client: DaemonClient, id: string): Promise<RunState | undefined> {
  try {
    const body = await client.inspectContainer(id);
    const state = (body.State ?? {}) as { Running?: boolean; Restarting?: boolean; ExitCode?: number; StartedAt?: string; FinishedAt?: string };
    const started = timestampMs(state.StartedAt);
    const finished = timestampMs(state.FinishedAt);
    return {
      running: Boolean(state.Running),
      restarting: Boolean(state.Restarting),
      ...(typeof state.ExitCode === 'number' ? { exitCode: state.ExitCode } : {}),
      ...(Number.isFinite(started) ? { startedAtMs: started } : {}),
      ...(Number.isFinite(finished) && finished > 0 ? { finishedAtMs: finished } : {}),
    };
  } catch {
    return undefined; // removed meanwhile, or the session closed its connections
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; true when aborted. */
function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(true);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A run's end: when (daemon clock, ms) and its exit code. */
interface RunEnd {
  readonly atMs: number;
  readonly code: number;
}

/**
 * The `die` (with exit code) and `start` events of the followed containers on one daemon,
 * replayed from `since` and then as they happen. Docker's followed log does not end reliably when
 * a run ends (it may hang, or carry the next run's lines), and a restarted container's inspect
 * shows exit code 0: these events say when each run ended (and how) and when the next began.
 */
class ContainerRuns {
  private readonly ends = new Map<string, RunEnd[]>();
  private readonly starts = new Map<string, number[]>();
  private readonly startListeners = new Set<{ id: string; onStart: (atMs: number) => void }>();
  /** The event stream ended or failed: no more events will come. */
  private closed = false;

  constructor(client: DaemonClient, ids: readonly string[], since: number, signal: AbortSignal) {
    void (async () => {
      try {
        for await (const event of client.events({ type: ['container'], event: ['die', 'start'], container: [...ids] }, signal, since)) {
          const actor = event.Actor as { ID?: string; Attributes?: Record<string, string> } | undefined;
          const atMs = typeof event.timeNano === 'number' ? event.timeNano / 1e6 : Number(event.time) * 1000;
          const id = actor?.ID;
          if (!id || !Number.isFinite(atMs)) continue;
          if (event.Action === 'start') {
            this.starts.set(id, [...(this.starts.get(id) ?? []), atMs]);
            for (const l of this.startListeners) if (l.id === id) l.onStart(atMs);
            continue;
          }
          const code = Number(actor.Attributes?.exitCode);
          if (Number.isInteger(code)) this.ends.set(id, [...(this.ends.get(id) ?? []), { atMs, code }]);
        }
      } catch {
        // No events: runs come from the log stream and inspect alone (see followRuns).
      }
      this.closed = true;
    })();
  }

  endsOf(id: string): readonly RunEnd[] {
    return this.ends.get(id) ?? [];
  }

  /** Calls `onStart` for each start of `id` (recorded or to come); returns the unsubscribe. */
  onStart(id: string, onStart: (atMs: number) => void): () => void {
    const listener = { id, onStart };
    this.startListeners.add(listener);
    for (const atMs of this.starts.get(id) ?? []) onStart(atMs);
    return () => this.startListeners.delete(listener);
  }

  /** Waits (at most `ms`) until an end of `id` satisfies `wanted`; false if none did. */
  async waitForEnd(id: string, wanted: (end: RunEnd) => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.endsOf(id).some(wanted)) return true;
      if (this.closed || Date.now() > deadline || (await pause(50, signal))) return false;
    }
  }
}

/**
 * A start event this much later than the StartedAt of the run a log stream was opened on is a
 * new run (Docker waits at least 100 ms before a restart; the event of the same start follows
 * StartedAt within milliseconds).
 */
const NEW_RUN_AFTER_MS = 100;

/** How long to wait for a run's `die` event once its log ended. */
const DIE_EVENT_WAIT_MS = 2000;

function exitEvent(c: ObservedContainer, code: number): LogEvent {
  return {
    type: 'log',
    service: c.service,
    container: c.name,
    platform: (c.labels[LABEL_PLATFORM] as PlatformOs | undefined) ?? c.platform,
    stream: 'stdout',
    text: `exited with code ${code}`,
  };
}

/** Unix seconds of a Docker timestamp's second (a `since` that reads that second again). */
function wholeSecond(timestamp: string): number | undefined {
  const ms = timestampMs(timestamp);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** Reads `stream` until it ends (true) or `signal` aborts (false), passing each line on. */
async function drain(stream: AsyncIterable<LogLine>, signal: AbortSignal | undefined, onLine: (line: LogLine) => void): Promise<boolean> {
  const iterator = stream[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal?.aborted) resolve('aborted');
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  for (;;) {
    const next = await Promise.race([iterator.next(), aborted]);
    if (next === 'aborted') {
      // The adapter ends the stream on abort (the signal is in the request). Do not await
      // return(): a generator suspended in a pending next() would hold the command forever.
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
      return false;
    }
    if (next.done) return true;
    onLine(next.value);
  }
}

/**
 * Follows one container's log. Attached `up` (`exits`), as docker compose: each run's end is
 * said where it happened among the lines ("exited with code 1", the run's own code), and when
 * Docker restarts the container (restart policy), its start event re-attaches: the log is read
 * again from the last line shown. Ends when the container stays stopped, is removed, or `signal`
 * aborts.
 */
async function followRuns(
  client: DaemonClient,
  c: ObservedContainer,
  request: LogOptions,
  options: LogsOptions,
  runs: ContainerRuns | undefined,
  sink: (event: LogEvent) => void,
): Promise<void> {
  let lastShown = '';
  let endsShownUpTo = -Infinity;
  const showEndsBefore = (ms: number) => {
    for (const end of runs?.endsOf(c.id) ?? []) {
      if (end.atMs > endsShownUpTo && end.atMs < ms) {
        sink(exitEvent(c, end.code));
        endsShownUpTo = end.atMs;
      }
    }
  };
  let since = request.since;
  // Ends of runs before the current one, said at the latest shortly after re-attaching (the log's
  // backlog places them among the lines first).
  let endsBefore: number | undefined;
  let lastRestartAt = -Infinity;
  for (;;) {
    const skipUpTo = lastShown;
    const settle = endsBefore === undefined ? undefined : setTimeout((before: number) => showEndsBefore(before), 500, endsBefore);
    // The stream ends on Ctrl-C, or (attached up) when a new run starts: then it is opened again.
    const restarted = new AbortController();
    const stop = () => restarted.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.signal?.aborted) stop();
    const openedOn = options.exits ? (await runState(client, c.id))?.startedAtMs : undefined;
    // A start re-attaches once: the event of the run just opened, logged late (a busy daemon), must
    // not re-attach again and again.
    const after = Math.max(openedOn === undefined ? -Infinity : openedOn + NEW_RUN_AFTER_MS, lastRestartAt);
    const unlisten = runs?.onStart(c.id, (atMs) => {
      if (atMs <= after) return;
      lastRestartAt = Math.max(lastRestartAt, atMs);
      stop();
    });
    try {
      const stream = await client.containerLogs(c.id, { ...request, signal: restarted.signal, ...(since !== undefined ? { since } : {}) });
      await drain(stream, restarted.signal, (line) => {
        const key = sortKey(line.timestamp);
        if (skipUpTo && key && key <= skipUpTo) return; // shown before the restart
        if (options.exits) showEndsBefore(timestampMs(line.timestamp));
        if (key) lastShown = key;
        sink(toEvent(c, line, Boolean(options.timestamps)));
      });
    } finally {
      clearTimeout(settle);
      unlisten?.();
      options.signal?.removeEventListener('abort', stop);
    }
    if (options.signal?.aborted || !options.exits) return;
    let state = await runState(client, c.id);
    if (!state) {
      showEndsBefore(Infinity);
      return;
    }
    if (state.running) {
      // A new run: the runs before it ended (their die events say how), after lines not shown yet.
      endsBefore = state.startedAtMs ?? Infinity;
    } else if (state.finishedAtMs === undefined || state.finishedAtMs > endsShownUpTo) {
      // Stopped or waiting to restart: inspect holds this run's end; its die event comes at or after it.
      const finishedAt = state.finishedAtMs;
      const isThisEnd = (end: RunEnd) => (finishedAt === undefined ? end.atMs > endsShownUpTo : end.atMs >= finishedAt - 1);
      const seen = await runs?.waitForEnd(c.id, isThisEnd, DIE_EVENT_WAIT_MS, options.signal);
      showEndsBefore(Infinity);
      if (!seen && state.exitCode !== undefined && !options.signal?.aborted) {
        sink(exitEvent(c, state.exitCode));
        // Its die event, should it come late, is the same end.
        if (finishedAt !== undefined) endsShownUpTo = finishedAt + 50;
      }
    }
    while (state.restarting) {
      if (await pause(250, options.signal)) return;
      state = await runState(client, c.id);
      if (!state) return;
    }
    if (!state.running) return;
    since = (lastShown ? wholeSecond(lastShown) : undefined) ?? request.since;
  }
}

export async function streamLogs(
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  containers: readonly ObservedContainer[],
  options: LogsOptions,
  sink: (event: LogEvent) => void,
): Promise<void> {
  const clientOf = (c: ObservedContainer) => clients[c.platform] ?? clients.linux ?? clients.windows!;
  const request = {
    ...(options.follow ? { follow: true } : {}),
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    timestamps: true,
  };
  if (!options.follow) {
    const all = await Promise.all(
      containers.map(async (c) => {
        const lines: { key: string; event: LogEvent }[] = [];
        for await (const line of await clientOf(c).containerLogs(c.id, request)) {
          lines.push({ key: sortKey(line.timestamp), event: toEvent(c, line, Boolean(options.timestamps)) });
        }
        return lines;
      }),
    );
    const merged = all.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { event } of merged) sink(event);
    return;
  }
  const done = new AbortController();
  const stopEvents = () => done.abort();
  options.signal?.addEventListener('abort', stopEvents, { once: true });
  const runs = new Map<DaemonClient, ContainerRuns>();
  if (options.exits) {
    for (const c of containers) {
      const client = clientOf(c);
      if (runs.has(client)) continue;
      const followed = containers.filter((o) => clientOf(o) === client);
      // Replay from the oldest container's creation: its log is shown from there too.
      const created = followed.map((o) => (o.created ? Date.parse(o.created) / 1000 : NaN)).filter(Number.isFinite);
      const since = created.length ? Math.min(...created) - 1 : Date.now() / 1000 - 60;
      runs.set(client, new ContainerRuns(client, followed.map((o) => o.id), since, done.signal));
    }
  }
  try {
    await Promise.all(containers.map((c) => followRuns(clientOf(c), c, request, options, runs.get(clientOf(c)), sink)));
  } finally {
    options.signal?.removeEventListener('abort', stopEvents);
    done.abort();
  }
}
