/**
 * A daemon whose containers run, print, die and start again on a clock the test moves: the parts of
 * the Engine API a followed log uses (logs with since/tail/follow, inspect's State, die/start
 * events replayed from `since`), for `streamLogs` tests.
 */
import type { DaemonClient, EngineBody, EngineFilters, LogLine, LogOptions } from '../../../src/engine/daemon-client.js';
import type { ObservedContainer } from '../../../src/plan/observed-state.js';
import { container } from '../plan/builders.js';
import { MemoryDaemon } from './memory-daemon.js';

/** Unix seconds of the clock's 0 (2026-01-01T00:00:00Z). */
export const EPOCH = 1767225600;

/** RFC3339 of `t` seconds after EPOCH (milliseconds kept). */
export const at = (t: number): string => new Date(Math.round((EPOCH + t) * 1000)).toISOString();

interface Ran {
  readonly observed: ObservedContainer;
  readonly lines: { readonly line: LogLine; readonly run: number; readonly t: number }[];
  state: EngineBody;
  /** Bumped by each die: a followed log ends with its run. */
  run: number;
}

export class FollowDaemon {
  readonly client: DaemonClient = new MemoryDaemon('linux', '10.201.0');
  /** Each log read, per container name, as asked. */
  readonly reads = new Map<string, LogOptions[]>();
  /** The `since` of each event subscription. */
  readonly eventsSince: (number | undefined)[] = [];
  /** Inspections so far (of any container). */
  inspections = 0;
  private readonly containers = new Map<string, Ran>();
  private readonly history: EngineBody[] = [];
  private waiters: (() => void)[] = [];
  /** While held, event streams deliver nothing (a slow replay, a stalled stream). */
  private held = false;

  constructor() {
    this.client.inspectContainer = async (id) => {
      this.inspections += 1;
      return { Id: id, State: this.byId(id).state };
    };
    this.client.containerLogs = async (id, options) => this.logs(this.byId(id), options);
    this.client.events = (filters, signal, since) => this.events(filters, signal, since);
  }

  /** A container of `service` created at `t`, never started. */
  add(service: string, t: number): ObservedContainer {
    const observed = container({ service, platform: 'linux', created: at(t), status: 'created' });
    this.containers.set(observed.id, { observed, lines: [], state: { Status: 'created', Running: false, Restarting: false, ExitCode: 0 }, run: 0 });
    this.reads.set(observed.name, []);
    return observed;
  }

  start(c: ObservedContainer, t: number): void {
    this.byId(c.id).state = { Status: 'running', Running: true, Restarting: false, ExitCode: 0, StartedAt: at(t) };
    this.record(c, 'start', t);
  }

  print(c: ObservedContainer, text: string, t: number): void {
    const ran = this.byId(c.id);
    ran.lines.push({ line: { stream: 'stdout', text, timestamp: at(t) }, run: ran.run, t });
    this.wake();
  }

  /** The run ends with `code`; `restarting`: Docker's restart policy will start it again. */
  die(c: ObservedContainer, code: number, t: number, restarting = false): void {
    const ran = this.byId(c.id);
    const startedAt = ran.state.StartedAt;
    ran.state = { Status: restarting ? 'restarting' : 'exited', Running: false, Restarting: restarting, ExitCode: code, StartedAt: startedAt, FinishedAt: at(t) };
    ran.run += 1;
    this.record(c, 'die', t, { exitCode: String(code) });
  }

  /** Event streams deliver nothing until the returned release is called (then all, in order). */
  holdEvents(): () => void {
    this.held = true;
    return () => {
      this.held = false;
      this.wake();
    };
  }

  private byId(id: string): Ran {
    const ran = this.containers.get(id);
    if (!ran) throw Object.assign(new Error(`no such container ${id}`), { statusCode: 404 });
    return ran;
  }

  private record(c: ObservedContainer, action: string, t: number, attributes: Record<string, string> = {}): void {
    this.history.push({ Type: 'container', Action: action, Actor: { ID: c.id, Attributes: attributes }, time: Math.floor(EPOCH + t), timeNano: Math.round((EPOCH + t) * 1e9) });
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves at the next print, die or start, or when `signal` aborts. */
  private changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      this.waiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  private logs(ran: Ran, options: LogOptions): AsyncIterable<LogLine> {
    this.reads.get(ran.observed.name)!.push({ ...options });
    const since = options.since ?? -Infinity;
    const backlog = ran.lines.filter((l) => EPOCH + l.t >= since);
    const shown = options.tail === undefined || options.tail === 'all' ? backlog : options.tail === 0 ? [] : backlog.slice(-options.tail);
    const run = ran.run;
    const following = Boolean(options.follow) && ran.state.Running === true;
    let next = ran.lines.length;
    const self = this;
    return (async function* () {
      for (const l of shown) yield l.line;
      if (!following) return;
      for (;;) {
        // This run's lines only: the stream ends with the run, as Docker's does.
        while (next < ran.lines.length && ran.lines[next]!.run === run) yield ran.lines[next++]!.line;
        if (ran.run !== run || options.signal?.aborted) return;
        await self.changed(options.signal);
      }
    })();
  }

  private events(filters: EngineFilters, signal?: AbortSignal, since?: number): AsyncIterable<EngineBody> {
    this.eventsSince.push(since);
    const self = this;
    const wanted = (e: EngineBody) =>
      (filters.container ?? []).includes((e.Actor as { ID: string }).ID) &&
      (filters.event ?? []).includes(e.Action as string) &&
      (since === undefined || (e.timeNano as number) >= since * 1e9);
    return (async function* () {
      let next = 0;
      for (;;) {
        while (!self.held && next < self.history.length) {
          const e = self.history[next++]!;
          if (wanted(e)) yield e;
        }
        if (signal?.aborted) return;
        await self.changed(signal);
      }
    })();
  }
}
