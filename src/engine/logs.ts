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
   * With follow (attached `up`, `logs -f`): when a container's run ends, say how it ended ("exited
   * with code 4"), and follow it again when it starts again (restart policy, `start`, `restart`),
   * until every followed container has stopped, as docker compose does.
   */
  readonly exits?: boolean;
  /**
   * With `exits`, Unix seconds: run ends before this time are not said (their events are not even
   * replayed). Default: the oldest followed container's creation (attached `up` says every run since
   * it made them); `logs -f` gives the time it began, so exits from before it are not said again.
   */
  readonly exitsSince?: number;
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
  /** Created, never started: no run has ended. */
  readonly neverStarted: boolean;
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
    const state = (body.State ?? {}) as { Status?: string; Running?: boolean; Restarting?: boolean; ExitCode?: number; StartedAt?: string; FinishedAt?: string };
    const started = timestampMs(state.StartedAt);
    const finished = timestampMs(state.FinishedAt);
    return {
      running: Boolean(state.Running),
      restarting: Boolean(state.Restarting),
      neverStarted: state.Status === 'created',
      ...(typeof state.ExitCode === 'number' ? { exitCode: state.ExitCode } : {}),
      ...(Number.isFinite(started) && started > 0 ? { startedAtMs: started } : {}),
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
  /** The time of the latest event of each container. */
  private readonly latest = new Map<string, number>();
  private readonly startListeners = new Set<{ id: string; onStart: (atMs: number) => void }>();
  /** The event stream ended or failed: no more events will come. */
  private closed = false;
  /** Events from before this time (daemon clock, ms) are not replayed. */
  private readonly sinceMs: number;

  constructor(client: DaemonClient, ids: readonly string[], since: number, signal: AbortSignal) {
    this.sinceMs = since * 1000;
    void (async () => {
      try {
        for await (const event of client.events({ type: ['container'], event: ['die', 'start'], container: [...ids] }, signal, since)) {
          const actor = event.Actor as { ID?: string; Attributes?: Record<string, string> } | undefined;
          const atMs = typeof event.timeNano === 'number' ? event.timeNano / 1e6 : Number(event.time) * 1000;
          const id = actor?.ID;
          if (!id || !Number.isFinite(atMs)) continue;
          this.latest.set(id, Math.max(this.latest.get(id) ?? -Infinity, atMs));
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
  waitForEnd(id: string, wanted: (end: RunEnd) => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
    return this.waitUntil(() => this.endsOf(id).some(wanted), ms, signal);
  }

  /**
   * Waits (at most `ms`) until the events of `id` have come up to `atMs` (daemon clock): a start
   * or die that inspect shows happened (its StartedAt, its FinishedAt), whose event Docker logs a
   * moment after it sets that time. Events come in time order, so then every earlier run's die
   * has come too. Events from before the replay's `since` never come: no wait for those.
   */
  async waitForEventsUpTo(id: string, atMs: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (atMs < this.sinceMs) return;
    await this.waitUntil(() => (this.latest.get(id) ?? -Infinity) >= atMs - 1, ms, signal);
  }

  /** Polls `condition` until it holds (true), or the events end, `ms` pass or `signal` aborts (false). */
  private async waitUntil(condition: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (condition()) return true;
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

/**
 * How long to wait for an event that inspect shows has happened: a run's `die` once its log ended,
 * or (before a log is read) the start or die of the state inspect shows. Reached only when the
 * daemon's event stream stalls; the die's exit code then comes from inspect.
 */
const EVENT_WAIT_MS = 3000;

/** The time (daemon clock, ms) of the start or end that made the state inspect shows; undefined if it never ran. */
function stateSince(state: RunState): number | undefined {
  if (state.neverStarted) return undefined;
  return state.running ? state.startedAtMs : state.finishedAtMs;
}

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
 * How long following goes on once every followed container has stopped: `restart` (Docker's
 * restart) stops a container before it starts it again, and that start is still to be followed.
 */
const RESTART_GRACE_MS = 1000;

/**
 * The followed containers that run, or will run again (restart policy). Following ends once none
 * does (after RESTART_GRACE_MS), as docker compose's does; until then a stopped container is
 * followed again when it starts (`start`, `restart`).
 */
class LiveContainers {
  private readonly live: Set<string>;
  private readonly ended = new AbortController();
  private grace: ReturnType<typeof setTimeout> | undefined;

  constructor(ids: readonly string[]) {
    this.live = new Set(ids);
  }

  stopped(id: string): void {
    this.live.delete(id);
    if (this.live.size === 0 && this.grace === undefined && !this.ended.signal.aborted) {
      this.grace = setTimeout(() => this.ended.abort(), RESTART_GRACE_MS);
    }
  }

  /**
   * `id` has stopped: resolves with the time (daemon clock, ms) of its next start later than
   * `afterMs`, or undefined when every followed container stopped first or `signal` aborted.
   */
  waitForStart(id: string, runs: ContainerRuns, afterMs: number, signal?: AbortSignal): Promise<number | undefined> {
    this.stopped(id);
    const until = signal ? AbortSignal.any([signal, this.ended.signal]) : this.ended.signal;
    return new Promise((resolve) => {
      let settled = false;
      let unlisten: (() => void) | undefined;
      const finish = (atMs: number | undefined) => {
        if (settled) return;
        settled = true;
        unlisten?.();
        until.removeEventListener('abort', onEnd);
        resolve(atMs);
      };
      const onEnd = () => finish(undefined);
      until.addEventListener('abort', onEnd, { once: true });
      if (until.aborted) return finish(undefined);
      unlisten = runs.onStart(id, (atMs) => {
        if (atMs <= afterMs || this.ended.signal.aborted) return;
        this.live.add(id);
        clearTimeout(this.grace);
        this.grace = undefined;
        finish(atMs);
      });
      if (settled) unlisten();
    });
  }

  close(): void {
    clearTimeout(this.grace);
  }
}

/** The sort key of a time (ms since the epoch), to compare with log timestamps' keys. */
function msKey(ms: number): string {
  return sortKey(new Date(Math.floor(ms)).toISOString());
}

/**
 * Follows one container's log. With `exits` (attached `up`, `logs -f`), as docker compose: each
 * run's end is said where it happened among the lines ("exited with code 1", the run's own code),
 * and when the container starts again (restart policy, `start`, `restart`), its start event
 * re-attaches: the log is read again from where it was (`tail` and `since` apply to the first
 * read only). Ends when the container is removed, when every followed container stays stopped
 * (`live`), or when `signal` aborts (the ends known by then are said: a log cut short does not
 * swallow them).
 */
function followRuns(
  client: DaemonClient,
  c: ObservedContainer,
  request: LogOptions,
  options: LogsOptions,
  runs: ContainerRuns | undefined,
  live: LiveContainers | undefined,
  sink: (event: LogEvent) => void,
): Promise<void> {
  return new RunFollower(client, c, request, options, runs, live, sink).follow();
}

/**
 * The follow of one container's log across its runs (followRuns): each read of the log is one
 * run's, and between reads it says how the run ended and waits for the next one. Its fields are
 * what the reads share: how far the log and the ends are shown, and which starts re-attach.
 */
class RunFollower {
  /** The log is shown up to this key: its last line shown, or (none shown) the start of the run re-attached to. */
  private shownUpTo = '';
  /** Ends up to this time (daemon clock, ms) are said already, or are older than the follow. */
  private endsShownUpTo: number;
  /** What the next read asks for: `request` at first, then the log from where it was shown up to. */
  private read: LogOptions;
  /** Ends of the runs before the one re-attached to: placed by that run's first line. */
  private endsBefore: number | undefined;
  /** The latest start (daemon clock, ms) that re-attached. */
  private lastRestartAt = -Infinity;
  /** Starts up to this time (daemon clock, ms) do not re-attach: set by each read (readRun). */
  private after = -Infinity;

  constructor(
    private readonly client: DaemonClient,
    private readonly c: ObservedContainer,
    private readonly request: LogOptions,
    private readonly options: LogsOptions,
    private readonly runs: ContainerRuns | undefined,
    private readonly live: LiveContainers | undefined,
    private readonly sink: (event: LogEvent) => void,
  ) {
    this.endsShownUpTo = options.exitsSince !== undefined ? options.exitsSince * 1000 : -Infinity;
    this.read = request;
  }

  /** Reads the log run after run (with `exits`) until following this container ends; then it no longer counts as live. */
  async follow(): Promise<void> {
    try {
      for (;;) {
        await this.readRun();
        if (!this.options.exits) return;
        const next = await this.nextRun();
        if (!next) return;
        this.readAgainFrom(next);
      }
    } finally {
      this.live?.stopped(this.c.id);
    }
  }

  /**
   * Reads the log once, as `read` asks, until it ends, `signal` aborts or (exits) a new run's start
   * event cuts it short so that the next read shows that run. Lines shown by an earlier read are
   * skipped (a re-read starts at the whole second of the last one shown).
   */
  private async readRun(): Promise<void> {
    const skipUpTo = this.shownUpTo;
    // The stream ends on Ctrl-C, or (exits) when a new run starts: then it is opened again.
    const restarted = new AbortController();
    const stop = () => restarted.abort();
    this.options.signal?.addEventListener('abort', stop, { once: true });
    if (this.options.signal?.aborted) stop();
    let settle: ReturnType<typeof setTimeout> | undefined;
    let unlisten: (() => void) | undefined;
    this.after = this.lastRestartAt;
    try {
      const stream = await this.client.containerLogs(this.c.id, { ...this.read, signal: restarted.signal });
      if (this.options.exits) await this.inspectOpenedRun();
      unlisten = this.runs?.onStart(this.c.id, (atMs) => {
        if (atMs <= this.after) return;
        this.lastRestartAt = Math.max(this.lastRestartAt, atMs);
        stop();
      });
      // A timer stays for a run that prints nothing (no first line places the ends before it): the
      // backlog, which may still hold the previous run's last lines, comes at once; these ends follow it.
      if (this.endsBefore !== undefined) settle = setTimeout((before: number) => this.showEndsBefore(before), 500, this.endsBefore);
      await drain(stream, restarted.signal, (line) => this.showLine(line, skipUpTo));
    } finally {
      clearTimeout(settle);
      unlisten?.();
      this.options.signal?.removeEventListener('abort', stop);
    }
  }

  /**
   * Inspects the container once its log is open (exits): each run whose lines the backlog holds
   * ended before the state it shows began, or is the one it shows. A container that restarted
   * before it was followed needs the replayed die events of its earlier runs before its backlog is
   * read, to place them among its lines; they are there once the events reached the start or end
   * inspect shows (events come in time order). The start of the run just opened re-attaches no
   * more: its event, logged late (a busy daemon), must not re-attach again and again.
   */
  private async inspectOpenedRun(): Promise<void> {
    const opened = await runState(this.client, this.c.id);
    const openedSince = opened && stateSince(opened);
    if (this.runs && openedSince !== undefined) await this.runs.waitForEventsUpTo(this.c.id, openedSince, EVENT_WAIT_MS, this.options.signal);
    if (opened?.startedAtMs !== undefined) this.after = Math.max(this.after, opened.startedAtMs + NEW_RUN_AFTER_MS);
  }

  /** Shows one log line, unless an earlier read showed it; with `exits`, after the ends of the runs before it. */
  private showLine(line: LogLine, skipUpTo: string): void {
    const key = sortKey(line.timestamp);
    if (skipUpTo && key && key <= skipUpTo) return; // shown before the restart
    if (this.options.exits) this.showEndsBefore(timestampMs(line.timestamp));
    if (key) this.shownUpTo = key;
    this.sink(toEvent(this.c, line, Boolean(this.options.timestamps)));
  }

  /** Says the run ends not said yet that happened before `ms` (daemon clock), in time order. */
  private showEndsBefore(ms: number): void {
    for (const end of this.runs?.endsOf(this.c.id) ?? []) {
      if (end.atMs > this.endsShownUpTo && end.atMs < ms) {
        this.sink(exitEvent(this.c, end.code));
        this.endsShownUpTo = end.atMs;
      }
    }
  }

  /** Says the end of the run a stopped `state` shows, once: its die event's code, else inspect's. */
  private async sayEndOf(state: RunState): Promise<void> {
    const finishedAt = state.finishedAtMs;
    const saidBefore = this.endsShownUpTo;
    if (finishedAt !== undefined && finishedAt <= saidBefore) return;
    const isThisEnd = (end: RunEnd) => (finishedAt === undefined ? end.atMs > saidBefore : end.atMs >= finishedAt - 1);
    await this.runs?.waitForEnd(this.c.id, isThisEnd, EVENT_WAIT_MS, this.options.signal);
    this.showEndsBefore(Infinity);
    const said = finishedAt === undefined ? this.endsShownUpTo > saidBefore : this.endsShownUpTo >= finishedAt - 1;
    // No die event (the events stalled, or following stopped meanwhile): inspect holds the code.
    if (!said && state.exitCode !== undefined) {
      this.sink(exitEvent(this.c, state.exitCode));
      // Its die event, should it come late, is the same end (logged within milliseconds of FinishedAt).
      if (finishedAt !== undefined) this.endsShownUpTo = finishedAt + 50;
    }
  }

  /**
   * The log ended (exits): says how the run it showed ended, and finds the run to read next.
   * Resolves with that run's state (running), or undefined when following this container ends
   * (interrupted, removed, or stopped while no other followed container runs).
   */
  private async nextRun(): Promise<RunState | undefined> {
    if (this.options.signal?.aborted) {
      this.showEndsBefore(Infinity);
      return undefined;
    }
    let state = await runState(this.client, this.c.id);
    if (!state) {
      this.showEndsBefore(Infinity);
      return undefined;
    }
    if (state.running) {
      // A new run: the runs before it ended (their die events say how), after lines not shown yet.
      this.endsBefore = state.startedAtMs ?? Infinity;
    } else if (!state.neverStarted) {
      // Stopped or waiting to restart: inspect holds this run's end; its die event comes at or after it.
      await this.sayEndOf(state);
    }
    while (state.restarting) {
      if (await pause(250, this.options.signal)) return undefined;
      state = await runState(this.client, this.c.id);
      if (!state) return undefined;
    }
    // Stopped: followed again if it starts while other followed containers still run.
    return state.running ? state : this.startAgain(state);
  }

  /** The container stopped: waits for its next start while others are live; resolves with the state of that run, or undefined. */
  private async startAgain(stopped: RunState): Promise<RunState | undefined> {
    if (!this.runs || !this.live) return undefined;
    const afterMs = Math.max(stopped.finishedAtMs ?? -Infinity, this.lastRestartAt, this.after);
    const startedAt = await this.live.waitForStart(this.c.id, this.runs, afterMs, this.options.signal);
    if (startedAt === undefined) return undefined;
    this.lastRestartAt = Math.max(this.lastRestartAt, startedAt);
    const state = await runState(this.client, this.c.id);
    if (!state) return undefined;
    this.endsBefore = state.startedAtMs ?? startedAt;
    return state;
  }

  /** The next read: the whole log from the second of the last line shown (`tail` and `since` applied to the first read only). */
  private readAgainFrom(state: RunState): void {
    // None shown yet (`--tail 0`): the runs before this one stay unshown.
    if (!this.shownUpTo && state.startedAtMs !== undefined) this.shownUpTo = msKey(state.startedAtMs - 1);
    const since = (this.shownUpTo ? wholeSecond(this.shownUpTo) : undefined) ?? this.request.since;
    this.read = { ...this.request, tail: 'all', ...(since !== undefined ? { since } : {}) };
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
  const live = options.exits ? new LiveContainers(containers.map((c) => c.id)) : undefined;
  if (options.exits) {
    for (const c of containers) {
      const client = clientOf(c);
      if (runs.has(client)) continue;
      const followed = containers.filter((o) => clientOf(o) === client);
      runs.set(client, new ContainerRuns(client, followed.map((o) => o.id), options.exitsSince ?? replayFrom(followed), done.signal));
    }
  }
  try {
    await Promise.all(containers.map((c) => followRuns(clientOf(c), c, request, options, runs.get(clientOf(c)), live, sink)));
  } finally {
    options.signal?.removeEventListener('abort', stopEvents);
    live?.close();
    done.abort();
  }
}

/** Unix seconds the container events are replayed from by default: the oldest container's creation (its log is shown from there too). */
function replayFrom(containers: readonly ObservedContainer[]): number {
  const created = containers.map((o) => (o.created ? Date.parse(o.created) / 1000 : NaN)).filter(Number.isFinite);
  return created.length ? Math.min(...created) - 1 : Date.now() / 1000 - 60;
}
