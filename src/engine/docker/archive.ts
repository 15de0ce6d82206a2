/**
 * The archive endpoints as `cp` uses them: HEAD for the stat of a path, GET streamed with that
 * stat, PUT with docker cp's options (copyUIDGID, noOverwriteDirNonDir). exec.ts keeps the plain
 * put/get that the engine uses for small files. Composed by index.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ArchiveClient, ContainerPathStat } from '../daemon-client.js';
import { isNotFound } from './errors.js';
import type { Transport } from './transport.js';

export type ArchiveCalls = ArchiveClient;

const STAT_HEADER = 'x-docker-container-path-stat';

/** The stat header: base64 of JSON {name, size, mode, mtime, linkTarget}. */
export function parsePathStat(header: string | readonly string[] | undefined): ContainerPathStat | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    const raw = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
    return {
      name: String(raw.name ?? ''),
      size: Number(raw.size ?? 0),
      mode: Number(raw.mode ?? 0),
      ...(typeof raw.mtime === 'string' ? { mtime: raw.mtime } : {}),
      ...(typeof raw.linkTarget === 'string' && raw.linkTarget ? { linkTarget: raw.linkTarget } : {}),
    };
  } catch {
    return undefined;
  }
}

const archivePath = (id: string) => `/containers/${encodeURIComponent(id)}/archive`;

/** The ArchiveClient calls over the adapter's transport. */
export function archiveCalls(t: Transport): ArchiveCalls {
  return {
    statContainerPath: async (id, path) => {
      try {
        const res = await t.request<IncomingMessage>({ method: 'HEAD', path: archivePath(id), query: { path }, stream: true });
        res.resume();
        return parsePathStat(res.headers[STAT_HEADER]) ?? { name: path, size: 0, mode: 0 };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw t.wrap(`look at ${path} in container ${id}`, error);
      }
    },
    archiveFrom: async (id, path) => {
      try {
        const res = await t.request<IncomingMessage>({ method: 'GET', path: archivePath(id), query: { path }, stream: true });
        return { stat: parsePathStat(res.headers[STAT_HEADER]) ?? { name: path, size: 0, mode: 0 }, tar: res as Readable };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw t.wrap(`copy ${path} from container ${id}`, error);
      }
    },
    archiveTo: (id, path, tar, options = {}) =>
      t.call(`copy to ${path} in container ${id}`, async () => {
        await t.request({
          method: 'PUT',
          path: archivePath(id),
          query: { path, noOverwriteDirNonDir: true, ...(options.copyUidGid ? { copyUIDGID: true } : {}) },
          file: tar,
        });
      }),
  };
}
