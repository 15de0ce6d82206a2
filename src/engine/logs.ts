/**
 * Logs of the project's containers on both daemons. Without follow: every line fetched with its
 * timestamp and merged in time order across daemons. With follow: lines are passed on as they
 * arrive from each container (which is time order as it happens).
 */
import type { LogEvent } from '../model/events.js';
import type { PlatformOs } from '../model/project.js';
import type { ObservedContainer } from '../plan/observed-state.js';
import { LABEL_PLATFORM, LABEL_ROLE } from '../plan/labels.js';
import type { DaemonClient, LogLine } from './daemon-client.js';

export interface LogsOptions {
  readonly follow?: boolean;
  readonly tail?: number | 'all';
  /** Unix seconds. */
  readonly since?: number;
  /** Show timestamps in the output. */
  readonly timestamps?: boolean;
  readonly services?: readonly string[];
  readonly signal?: AbortSignal;
  /** With follow (attached `up`): when a container's log ends, say how it ended ("exited with code 4"). */
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

/**
 * The log of `c` ended because it stopped: one line with its exit code (as docker compose prints),
 * also while Ctrl-C stops the stack. The wait answers at once for a stopped container.
 */
async function reportExit(client: DaemonClient, c: ObservedContainer, sink: (event: LogEvent) => void): Promise<void> {
  let code: number;
  try {
    code = await client.waitContainer(c.id, 'not-running');
  } catch {
    return; // removed meanwhile, or the session closed its connections: nothing to say
  }
  sink({
    type: 'log',
    service: c.service,
    container: c.name,
    platform: (c.labels[LABEL_PLATFORM] as PlatformOs | undefined) ?? c.platform,
    stream: 'stdout',
    text: `exited with code ${code}`,
  });
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
  await Promise.all(
    containers.map(async (c) => {
      const stream = await clientOf(c).containerLogs(c.id, request);
      const iterator = stream[Symbol.asyncIterator]();
      const aborted = new Promise<'aborted'>((resolve) => {
        if (options.signal?.aborted) resolve('aborted');
        options.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
      });
      for (;;) {
        const next = await Promise.race([iterator.next(), aborted]);
        if (next === 'aborted') {
          // The adapter ends the stream on abort (the signal is in the request). Do not await
          // return(): a generator suspended in a pending next() would hold the command forever.
          void Promise.resolve(iterator.return?.()).catch(() => undefined);
          return;
        }
        if (next.done) {
          if (options.exits) await reportExit(clientOf(c), c, sink);
          return;
        }
        sink(toEvent(c, next.value, Boolean(options.timestamps)));
      }
    }),
  );
}
