/**
 * A client-side cache of the project resolver's hosts files. Reading them back (GET archive of the
 * hostsdir) is the slowest call of an `up` that changes nothing: Docker 20.10 runs a helper process
 * for it. A stat of the directory (HEAD archive) is cheap, and the directory's modification time
 * changes on every write into it (ours: the resolver's hosts reader makes a temp file there and
 * renames it over the hosts file, plan/resolver-hosts-protocol.ts; a hand `docker cp` of a file
 * alike). So the content last read or written is kept with the mtime it was valid for and the
 * resolver container's ID, and is used again only while a stat of that container's hostsdir answers
 * the same mtime; otherwise the files are read. The static answers' hostsdirs that `up` reads back
 * (published reach) are kept beside, each with its own mtime.
 *
 * One small JSON file per (daemon, project) under the user cache directory (src/cache-dir.ts;
 * MIXCOMPOSE_CACHE_DIR empty: no cache, every observation reads the files). The cache only ever saves a read: a
 * missing, corrupt or unwritable file means a read, never a failure, and deleting it is always safe.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolverHostsFile } from '../plan/observed-state.js';
import { userCacheDir } from '../cache-dir.js';
import type { Env } from './daemon-endpoints.js';

/** What the resolver's hostsdir held, and the directory mtime it held it at. */
export interface CachedHosts {
  /** The resolver container's ID. */
  readonly container: string;
  /** The hostsdir's modification time as the daemon's stat gives it (RFC 3339, nanoseconds). */
  readonly mtime: string;
  readonly files: readonly ResolverHostsFile[];
  /** The static answers' hostsdirs (published reach) read back for `up`: each dir's files at its own mtime. */
  readonly static?: Readonly<Record<string, CachedDir>>;
}

/** One more hostsdir of the resolver, as it was at `mtime`. */
export interface CachedDir {
  readonly mtime: string;
  readonly files: readonly ResolverHostsFile[];
}

/** The cache of one user; `daemon` names the daemon's endpoint (its client's label). */
export interface ResolverHostsCache {
  load(project: string, daemon: string): Promise<CachedHosts | undefined>;
  /** Never throws: a cache that cannot be written is no cache. */
  save(project: string, daemon: string, hosts: CachedHosts): Promise<void>;
  /** Never throws. */
  forget(project: string, daemon: string): Promise<void>;
}

const VERSION = 1;


function isFile(value: unknown): value is ResolverHostsFile {
  const f = value as Partial<ResolverHostsFile> | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    typeof f.file === 'string' &&
    Array.isArray(f.names) &&
    f.names.every((n) => typeof n === 'string') &&
    (f.ip === undefined || typeof f.ip === 'string')
  );
}

function isDir(value: unknown): value is CachedDir {
  const d = value as Partial<CachedDir> | null;
  return typeof d === 'object' && d !== null && typeof d.mtime === 'string' && d.mtime !== '' && Array.isArray(d.files) && d.files.every(isFile);
}

/** The entry a file holds for (project, daemon); undefined for anything else. */
function parseEntry(text: string, project: string, daemon: string): CachedHosts | undefined {
  const raw = JSON.parse(text) as Record<string, unknown> | null;
  if (!raw || raw.version !== VERSION || raw.project !== project || raw.daemon !== daemon) return undefined;
  if (typeof raw.container !== 'string' || !raw.container || typeof raw.mtime !== 'string' || !raw.mtime) return undefined;
  if (!Array.isArray(raw.files) || !raw.files.every(isFile)) return undefined;
  const dirs = raw.static as Record<string, unknown> | undefined;
  if (dirs !== undefined && (typeof dirs !== 'object' || dirs === null || !Object.values(dirs).every(isDir))) return undefined;
  return { container: raw.container, mtime: raw.mtime, files: raw.files, ...(dirs ? { static: dirs as Record<string, CachedDir> } : {}) };
}

/** The file-backed cache under `dir`. */
export function fileHostsCache(dir: string): ResolverHostsCache {
  const fileOf = (project: string, daemon: string) =>
    join(dir, 'resolver-hosts', `${createHash('sha256').update(`${daemon}\0${project}`).digest('hex').slice(0, 32)}.json`);
  return {
    async load(project, daemon) {
      try {
        // A few kilobytes, read at once: through the thread pool it would wait behind other work, and the stat waits for it.
        return parseEntry(readFileSync(fileOf(project, daemon), 'utf8'), project, daemon);
      } catch {
        return undefined;
      }
    },
    async save(project, daemon, hosts) {
      const file = fileOf(project, daemon);
      const temp = `${file}.${process.pid}.tmp`;
      try {
        await mkdir(join(dir, 'resolver-hosts'), { recursive: true });
        await writeFile(temp, JSON.stringify({ version: VERSION, project, daemon, ...hosts }));
        await rename(temp, file); // whole or not at all: a reader never sees half a file
      } catch {
        await rm(temp, { force: true }).catch(() => undefined);
      }
    },
    async forget(project, daemon) {
      await rm(fileOf(project, daemon), { force: true }).catch(() => undefined);
    },
  };
}

/** No cache: nothing kept, every observation reads the files. */
const noHostsCache: ResolverHostsCache = {
  load: async () => undefined,
  save: async () => undefined,
  forget: async () => undefined,
};

/** The user's cache (src/cache-dir.ts), or none when the user turned caches off. */
export function userHostsCache(env: Env): ResolverHostsCache {
  const dir = userCacheDir(env);
  return dir ? fileHostsCache(dir) : noHostsCache;
}
