/** Daemon-wide calls: ping (and its headers), info, version, the event stream. */
import type { IncomingMessage } from 'node:http';
import type { DaemonClient, EngineBody, EngineInfo, EngineVersion } from '../daemon-client.js';
import { jsonLines, readAll } from './streams.js';
import type { Transport } from './transport.js';

export type SystemCalls = Required<Pick<DaemonClient, 'ping' | 'pingHeaders' | 'info' | 'version' | 'events'>>;

export function systemCalls(t: Transport): SystemCalls {
  const pingHeaders = () =>
    t.call('ping', async () => {
      const res = await t.request<IncomingMessage>({ method: 'GET', path: '/_ping', stream: true });
      await readAll(res);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(res.headers)) {
        if (typeof value === 'string') headers[key.toLowerCase()] = value;
      }
      return headers as Readonly<Record<string, string>>;
    });
  return {
    ping: () =>
      t.call('ping', async () => {
        await pingHeaders();
      }),
    /** GET /_ping and its headers (Api-Version, OSType, Builder-Version, Docker-Experimental). */
    pingHeaders,
    info: () => t.call('info', () => t.request<EngineInfo>({ method: 'GET', path: '/info' })),
    version: () =>
      t.call('version', async () => {
        const version = await t.request<EngineVersion>({ method: 'GET', path: '/version' });
        t.apiVersion = version.ApiVersion;
        return version;
      }),
    events: (filters, signal, since) => ({
      async *[Symbol.asyncIterator]() {
        let res: IncomingMessage;
        try {
          res = await t.request<IncomingMessage>({
            method: 'GET',
            path: '/events',
            query: { filters: JSON.stringify(filters), ...(since !== undefined ? { since: since.toFixed(3) } : {}) },
            stream: true,
            ...(signal ? { signal } : {}),
          });
        } catch (error) {
          if (signal?.aborted) return;
          throw t.wrap('events', error);
        }
        const abort = () => res.destroy();
        signal?.addEventListener('abort', abort, { once: true });
        try {
          for await (const event of jsonLines(res)) yield event as EngineBody;
        } catch (error) {
          if (signal?.aborted) return;
          throw t.wrap('events', error);
        } finally {
          signal?.removeEventListener('abort', abort);
          res.destroy();
        }
      },
    }),
  };
}
