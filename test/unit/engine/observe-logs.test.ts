/**
 * observe (container summaries → ObservedContainer, only by project label) and logs (merged in
 * time order across daemons), on in-memory clients.
 */
import { describe, expect, it } from 'vitest';
import { observe, observedContainer, parseStatus } from '../../../src/engine/observe.js';
import { streamLogs } from '../../../src/engine/logs.js';
import type { ContainerSummary, EngineFilters, LogLine, LogOptions } from '../../../src/engine/daemon-client.js';
import type { LogEvent } from '../../../src/model/events.js';
import { facts, project, service } from '../plan/builders.js';
import { MemoryDaemon } from './memory-daemon.js';

const summary = (name: string, extra: Partial<ContainerSummary> = {}): ContainerSummary => ({
  Id: `${name}-id`,
  Names: [`/${name}`],
  Image: 'mixcompose-test/busybox:latest',
  ImageID: 'sha256:abc',
  State: 'running',
  Status: 'Up 3 seconds (healthy)',
  Labels: {
    'com.docker.compose.project': 'shop',
    'com.docker.compose.service': 'db',
    'com.docker.compose.container-number': '2',
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.config-hash': 'h1',
  },
  NetworkSettings: { Networks: { shop_default: { IPAddress: '10.201.0.5' } } },
  Ports: [{ PrivatePort: 80, PublicPort: 8080, Type: 'tcp', IP: '0.0.0.0' }],
  ...extra,
});

describe('observe', () => {
  it('reads health and exit codes from the status text', () => {
    expect(parseStatus('Up 3 seconds (healthy)')).toEqual({ health: 'healthy' });
    expect(parseStatus('Up 1 second (health: starting)')).toEqual({ health: 'starting' });
    expect(parseStatus('Exited (137) 2 minutes ago')).toEqual({ exitCode: 137 });
  });

  it('maps a container summary', () => {
    expect(observedContainer(summary('shop-db-2'), 'linux')).toMatchObject({
      id: 'shop-db-2-id',
      name: 'shop-db-2',
      platform: 'linux',
      service: 'db',
      number: 2,
      oneoff: false,
      status: 'running',
      health: 'healthy',
      configHash: 'h1',
      ips: { shop_default: '10.201.0.5' },
      ports: [{ target: 80, published: 8080, protocol: 'tcp', hostIp: '0.0.0.0' }],
    });
  });

  it('asks each daemon once, by the project label only', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const filters: EngineFilters[] = [];
    linux.listContainers = async (f: EngineFilters) => {
      filters.push(f);
      return [summary('shop-db-1')];
    };
    const state = await observe(project([service('db')]), { linux, windows: linux }, { linux: facts('linux', { sharedWith: 'windows' }), windows: facts('windows', { sharedWith: 'linux' }) });
    expect(filters).toEqual([{ label: ['com.docker.compose.project=shop'] }]);
    expect(state.containers.map((c) => c.name)).toEqual(['shop-db-1']);
  });
});

describe('logs', () => {
  it('merges lines of both daemons in time order, nanoseconds included', async () => {
    const lines = (entries: [string, string][]): AsyncIterable<LogLine> =>
      (async function* () {
        for (const [timestamp, text] of entries) yield { stream: 'stdout' as const, text, timestamp };
      })();
    const linux = new MemoryDaemon('linux', '10.201.0');
    const windows = new MemoryDaemon('windows', '10.202.0');
    linux.containerLogs = async () => lines([['2026-01-01T00:00:01.5Z', 'db two'], ['2026-01-01T00:00:00.000000001Z', 'db one']].reverse() as [string, string][]);
    windows.containerLogs = async () => lines([['2026-01-01T00:00:01.25Z', 'web between']]);
    const db = observedContainer(summary('shop-db-1'), 'linux');
    const web = observedContainer(summary('shop-web-1', { Labels: { ...summary('x').Labels, 'com.docker.compose.service': 'web', 'io.mixcompose.platform': 'windows' } }), 'windows');
    const out: LogEvent[] = [];
    await streamLogs({ linux, windows }, [db, web], {}, (e) => out.push(e));
    expect(out.map((e) => `${e.container}: ${e.text}`)).toEqual(['shop-db-1: db one', 'shop-web-1: web between', 'shop-db-1: db two']);
    expect(out[1]!.platform).toBe('windows');
    expect(out[0]!.timestamp).toBeUndefined();
  });

  it('follow ends promptly on abort (Ctrl-C) even when a stream has no more lines and ignores the signal', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    let entered!: () => void;
    const waiting = new Promise<void>((resolve) => (entered = resolve));
    const requests: { follow?: boolean; signal?: AbortSignal }[] = [];
    linux.containerLogs = async (_id, options) => {
      requests.push(options);
      return (async function* () {
        yield { stream: 'stdout' as const, text: 'first', timestamp: '2026-01-01T00:00:00Z' };
        entered();
        await new Promise<never>(() => undefined); // no more lines, ever
      })();
    };
    const db = observedContainer(summary('shop-db-1'), 'linux');
    const abort = new AbortController();
    const out: LogEvent[] = [];
    const done = streamLogs({ linux }, [db], { follow: true, signal: abort.signal }, (e) => out.push(e));
    await waiting;
    abort.abort();
    const outcome = await Promise.race([done.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still running'), 2000))]);
    expect(outcome).toBe('ended');
    expect(out.map((e) => e.text)).toEqual(['first']);
    // The signal goes to the daemon client, which closes the log socket.
    expect(requests[0]).toMatchObject({ follow: true });
    expect(requests[0]!.signal?.aborted).toBe(true);
  });

  it('attached (exits): says how each container ended once its log ends, with the code inspect reads (Q21)', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    linux.containerLogs = async () =>
      (async function* () {
        yield { stream: 'stdout' as const, text: 'bye', timestamp: '2026-01-01T00:00:00Z' };
      })();
    const inspected: string[] = [];
    linux.inspectContainer = async (id: string) => {
      inspected.push(id);
      return { Id: id, State: { Status: 'exited', Running: false, Restarting: false, ExitCode: 4 } };
    };
    const db = observedContainer(summary('shop-db-1'), 'linux');
    const out: LogEvent[] = [];
    await streamLogs({ linux }, [db], { follow: true, exits: true }, (e) => out.push(e));
    expect(out.map((e) => `${e.container}: ${e.text}`)).toEqual(['shop-db-1: bye', 'shop-db-1: exited with code 4']);
    expect(inspected.every((id) => id === 'shop-db-1-id')).toBe(true);
    // Plain `logs -f` does not add the line.
    const plain: LogEvent[] = [];
    await streamLogs({ linux }, [db], { follow: true }, (e) => plain.push(e));
    expect(plain.map((e) => e.text)).toEqual(['bye']);
  });

  it('attached (exits): a restart (start event) re-attaches; each run ends with its own code, where it ended (QA2 R3)', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const at = (seconds: string) => `2026-01-01T00:00:${seconds}Z`; // 2026-01-01T00:00:00Z = 1767225600
    const event = (action: 'die' | 'start', seconds: number, code?: number) => ({
      Type: 'container',
      Action: action,
      Actor: { ID: 'shop-web-1-id', Attributes: code === undefined ? {} : { exitCode: String(code) } },
      time: 1767225600 + Math.floor(seconds),
      timeNano: (1767225600 + seconds) * 1e9,
    });
    // The daemon's event stream: replayed start of run 1, then what the test pushes.
    const queue: object[] = [event('start', 5.0)];
    let wake = () => undefined as void;
    const push = (...events: object[]) => {
      queue.push(...events);
      wake();
    };
    const requested: unknown[] = [];
    linux.events = ((filters: unknown, signal?: AbortSignal, since?: number) => {
      requested.push({ filters, since });
      return (async function* () {
        while (!signal?.aborted) {
          while (queue.length) yield queue.shift()!;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      })();
    }) as unknown as typeof linux.events;
    let state: object = { Running: true, Restarting: false, ExitCode: 0, StartedAt: at('05.000000000') };
    linux.inspectContainer = async (id: string) => ({ Id: id, State: state });
    const log = [
      { stream: 'stdout' as const, text: 'run 1', timestamp: at('05.100000000') },
      { stream: 'stdout' as const, text: 'run 1 bye', timestamp: at('05.400000000') },
      { stream: 'stdout' as const, text: 'run 2', timestamp: at('05.900000000') },
    ];
    const requests: (number | undefined)[] = [];
    linux.containerLogs = async (_id, options) => {
      requests.push(options.since);
      if (requests.length === 1) {
        return (async function* () {
          yield log[0]!;
          // Run 1 ends, Docker restarts it; this stream hangs (as 20.10's followed log can) and
          // never delivered run 1's last line.
          state = { Running: true, Restarting: false, ExitCode: 0, StartedAt: at('05.700000000') };
          push(event('die', 5.5, 1), event('start', 5.7));
          await new Promise<never>(() => undefined);
        })();
      }
      return (async function* () {
        yield* log; // from `since` on: the whole second again
        // Run 2 ends; Docker gives up restarting it.
        state = { Running: false, Restarting: false, ExitCode: 2, StartedAt: at('05.700000000'), FinishedAt: at('06.500000000') };
        push(event('die', 6.5, 2));
      })();
    };
    const web = observedContainer(summary('shop-web-1', { Created: 1767225604 }), 'linux');
    const out: LogEvent[] = [];
    await streamLogs({ linux }, [web], { follow: true, exits: true }, (e) => out.push(e));
    expect(out.map((e) => e.text)).toEqual(['run 1', 'run 1 bye', 'exited with code 1', 'run 2', 'exited with code 2']);
    // Re-read from the second of the last line shown (lines shown before are not repeated).
    expect(requests).toEqual([undefined, 1767225605]);
    // The events are replayed from the container's creation.
    expect(requested).toEqual([{ filters: { type: ['container'], event: ['die', 'start'], container: ['shop-web-1-id'] }, since: 1767225603 }]);
  });

  it('attached (exits): the start event of the run it follows, logged late, re-attaches at most once', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const startedAt = '2026-01-01T00:00:05.000000000Z';
    linux.inspectContainer = async (id: string) => ({ Id: id, State: { Running: true, Restarting: false, ExitCode: 0, StartedAt: startedAt } });
    // Its own start, logged 300 ms after StartedAt by a busy daemon.
    linux.events = () =>
      (async function* () {
        yield { Type: 'container', Action: 'start', Actor: { ID: 'shop-web-1-id', Attributes: {} }, time: 1767225605, timeNano: 1767225605.3e9 };
        await new Promise<never>(() => undefined);
      })();
    const requests: LogOptions[] = [];
    linux.containerLogs = async (_id, options) => {
      requests.push(options);
      return (async function* () {
        yield { stream: 'stdout' as const, text: 'hello', timestamp: '2026-01-01T00:00:05.100000000Z' };
        await new Promise<never>(() => undefined);
      })();
    };
    const abort = new AbortController();
    const out: LogEvent[] = [];
    const done = streamLogs({ linux }, [observedContainer(summary('shop-web-1'), 'linux')], { follow: true, exits: true, signal: abort.signal }, (e) => out.push(e));
    const deadline = Date.now() + 2000;
    while (requests.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // Give a runaway loop the chance to show itself: wait for the second stream to be read.
    while (!requests[1]?.signal && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const seen = requests.length;
    abort.abort();
    await done;
    expect(seen).toBeLessThanOrEqual(2);
    expect(requests.length).toBeLessThanOrEqual(2);
    expect(out.map((e) => e.text)).toEqual(['hello']);
  });

  it('attached (exits): without events, a restarting container still gets its code from inspect', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0'); // its event stream ends at once
    let state: object = { Running: true, Restarting: false, ExitCode: 0, StartedAt: '2026-01-01T00:00:00.500000000Z' };
    linux.inspectContainer = async (id: string) => {
      const answer = state;
      // Seen waiting to restart once: Docker restarts it.
      if ((answer as { Restarting?: boolean }).Restarting) state = { Running: true, Restarting: false, ExitCode: 0, StartedAt: '2026-01-01T00:00:01.700000000Z' };
      return { Id: id, State: answer };
    };
    let reads = 0;
    linux.containerLogs = async () => {
      reads += 1;
      const run = reads;
      const line = { stream: 'stdout' as const, text: `run ${run}`, timestamp: `2026-01-01T00:00:0${run}.000000000Z` };
      return (async function* () {
        yield line;
        // The run ends: the first time Docker will restart it (and then does), the second not.
        const finished = `2026-01-01T00:00:0${run}.500000000Z`;
        state = run === 1 ? { Running: false, Restarting: true, ExitCode: 1, FinishedAt: finished } : { Running: false, Restarting: false, ExitCode: 2, FinishedAt: finished };
      })();
    };
    const out: LogEvent[] = [];
    await streamLogs({ linux }, [observedContainer(summary('shop-web-1'), 'linux')], { follow: true, exits: true }, (e) => out.push(e));
    expect(out.map((e) => e.text)).toEqual(['run 1', 'exited with code 1', 'run 2', 'exited with code 2']);
  });
});
