/**
 * observe (container summaries → ObservedContainer, only by project label) and logs (merged in
 * time order across daemons), on in-memory clients.
 */
import { describe, expect, it } from 'vitest';
import { observe, observedContainer, parseStatus } from '../../../src/engine/observe.js';
import { streamLogs } from '../../../src/engine/logs.js';
import type { ContainerSummary, EngineFilters, LogLine } from '../../../src/engine/daemon-client.js';
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
    expect(requests[0]).toMatchObject({ follow: true, signal: abort.signal });
  });

  it('attached (exits): says how each container ended once its log ends (Q21)', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    linux.containerLogs = async () =>
      (async function* () {
        yield { stream: 'stdout' as const, text: 'bye', timestamp: '2026-01-01T00:00:00Z' };
      })();
    const waited: string[] = [];
    linux.waitContainer = async (id: string, condition?: string) => {
      waited.push(`${id} ${condition}`);
      return 4;
    };
    const db = observedContainer(summary('shop-db-1'), 'linux');
    const out: LogEvent[] = [];
    await streamLogs({ linux }, [db], { follow: true, exits: true }, (e) => out.push(e));
    expect(out.map((e) => `${e.container}: ${e.text}`)).toEqual(['shop-db-1: bye', 'shop-db-1: exited with code 4']);
    expect(waited).toEqual(['shop-db-1-id not-running']);
    // Plain `logs -f` does not add the line.
    const plain: LogEvent[] = [];
    await streamLogs({ linux }, [db], { follow: true }, (e) => plain.push(e));
    expect(plain.map((e) => e.text)).toEqual(['bye']);
  });
});
