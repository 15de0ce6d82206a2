/** /containers: list, inspect, create, start, stop, kill, restart, remove, wait, rename, logs. */
import type { IncomingMessage } from 'node:http';
import type { ContainerSummary, DaemonClient, EngineBody, LogLine } from '../daemon-client.js';
import { askedAgain } from './asked-again.js';
import { isFilesystemRemovalRace } from './errors.js';
import { demultiplex, endOnAbort, toLogLines } from './streams.js';
import type { Transport } from './transport.js';

const at = (id: string, action = '') => `/containers/${encodeURIComponent(id)}${action}`;
const seconds = (timeout: number) => Math.max(0, Math.round(timeout));

/** A removal the daemon left half-done is asked again up to 4 times in all, about 1.2 s of pauses. */
const FILESYSTEM_RACE_ATTEMPTS = 4;
const FILESYSTEM_RACE_PAUSE_MS = 200;

export type ContainerCalls = Required<Pick<
    DaemonClient,
    | 'listContainers'
    | 'inspectContainer'
    | 'createContainer'
    | 'startContainer'
    | 'stopContainer'
    | 'killContainer'
    | 'restartContainer'
    | 'removeContainer'
    | 'waitContainer'
    | 'renameContainer'
    | 'containerLogs'
  >>;

export function containerCalls(t: Transport): ContainerCalls {
  return {
    listContainers: (filters, all = true) =>
      t.call('list containers', () =>
        t.request<ContainerSummary[]>({ method: 'GET', path: '/containers/json', query: { all, filters: JSON.stringify(filters) } }),
      ),
    inspectContainer: (id) => t.call(`inspect container ${id}`, () => t.request<EngineBody>({ method: 'GET', path: at(id, '/json') })),
    createContainer: (name, body, platform) =>
      t.call(`create container ${name}`, async () => {
        const result = await t.request<{ Id: string; Warnings?: string[] | null }>({ method: 'POST', path: '/containers/create', query: { name, platform }, body });
        return { id: result.Id, warnings: result.Warnings ?? [] };
      }),
    startContainer: (id) =>
      t.call(`start container ${id}`, async () => {
        // 304: already started.
        await t.request({ method: 'POST', path: at(id, '/start'), ok: [304] });
      }),
    stopContainer: (id, timeoutSeconds, signal, abort) =>
      t.call(`stop container ${id}`, async () => {
        await t.request({ method: 'POST', path: at(id, '/stop'), query: { t: seconds(timeoutSeconds), signal }, ok: [304], ...(abort ? { signal: abort } : {}) });
      }),
    killContainer: (id, signal, abort) =>
      t.call(`kill container ${id}`, async () => {
        await t.request({ method: 'POST', path: at(id, '/kill'), query: { signal }, ...(abort ? { signal: abort } : {}) });
      }),
    restartContainer: (id, timeoutSeconds) =>
      t.call(`restart container ${id}`, async () => {
        await t.request({ method: 'POST', path: at(id, '/restart'), query: { t: seconds(timeoutSeconds) } });
      }),
    /**
     * DELETE /containers/{id}; a container already gone (404) counts as removed, so the removal the
     * daemon left half-done (isFilesystemRemovalRace) is asked again, a few times.
     */
    removeContainer: (id, options = {}) =>
      t.call(`remove container ${id}`, async () => {
        const remove = () =>
          t.request({
            method: 'DELETE',
            path: at(id),
            query: { force: options.force ? true : undefined, v: options.volumes ? true : undefined },
            ok: [404],
          });
        await askedAgain(remove, isFilesystemRemovalRace, FILESYSTEM_RACE_ATTEMPTS, FILESYSTEM_RACE_PAUSE_MS);
      }),
    waitContainer: (id, condition, abort) =>
      t.call(`wait for container ${id}`, async () => {
        const result = await t.request<{ StatusCode: number }>({ method: 'POST', path: at(id, '/wait'), query: { condition }, ...(abort ? { signal: abort } : {}) });
        return result.StatusCode;
      }),
    renameContainer: (id, name) =>
      t.call(`rename container ${id} to ${name}`, async () => {
        await t.request({ method: 'POST', path: at(id, '/rename'), query: { name } });
      }),
    containerLogs: (id, options) =>
      t.call(`logs of container ${id}`, async (): Promise<AsyncIterable<LogLine>> => {
        // TTY containers send a raw stream; all others are multiplexed.
        const inspect = await t.request<{ Config?: { Tty?: boolean } }>({ method: 'GET', path: at(id, '/json') });
        let res: IncomingMessage;
        try {
          res = await t.request<IncomingMessage>({
            method: 'GET',
            path: at(id, '/logs'),
            query: {
              stdout: true,
              stderr: true,
              follow: options.follow ? true : undefined,
              tail: options.tail === undefined ? undefined : String(options.tail),
              since: options.since,
              timestamps: options.timestamps ? true : undefined,
            },
            stream: true,
            ...(options.signal ? { signal: options.signal } : {}),
          });
        } catch (error) {
          // Stopped before the daemon answered: no lines, not an error.
          if (options.signal?.aborted && !t.closed) return (async function* () {})();
          throw error;
        }
        return toLogLines(demultiplex(endOnAbort(res, options.signal), inspect.Config?.Tty !== true), options.timestamps === true);
      }),
  };
}
