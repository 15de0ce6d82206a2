/**
 * Reading the project resolver's hosts files (what it answers for the other daemon's containers),
 * for observe: by the resolver's container NAME as soon as the project lock is held (beside
 * connecting and the lists), else by ID after the container list; from the client-side cache
 * (engine/resolver-hosts-cache.ts) when a stat of the hostsdir shows it unchanged since. For `up`
 * also its static answers' hostsdirs (published reach, named by its label), so that one a failed
 * or interrupted run left missing is written again: from the cache alike, else read by ID.
 */
import type { PlatformOs } from '../model/project.js';
import type { ObservedContainer, ObservedResolverHosts, ResolverHostsFile } from '../plan/observed-state.js';
import { RESOLVER_HOSTS_DIR, resolverContainerName, staticAnswerDirs } from '../plan/resolver.js';
import { parseHostsFile } from '../plan/resolver-entries.js';
import type { DaemonClient } from './daemon-client.js';
import type { ResolverHostsCache } from './resolver-hosts-cache.js';
import { readAll } from './docker/streams.js';
import { tarFiles } from './tar.js';

/** The hostsdir's files, with the directory's mtime when the daemon said it (the stat of the read). */
export interface HostsRead {
  readonly files: readonly ResolverHostsFile[];
  readonly mtime?: string;
  /** Set when the files come from the cache: the container they were checked against. */
  readonly cachedFor?: string;
  /** Static answers' hostsdirs checked in the cache beside (for `up`): dir → its files. */
  readonly static?: Readonly<Record<string, HostsRead>>;
}

/** The files of a hostsdir archive, dotfiles left out, sorted by name. */
export function hostsFilesOf(archive: Buffer): ResolverHostsFile[] {
  return tarFiles(archive)
    .map((f) => ({ name: f.path.replace(/\/+$/, '').split('/').pop()!, content: f.content.toString('utf8') }))
    .filter((f) => f.name && !f.name.startsWith('.'))
    .map((f) => parseHostsFile(f.name, f.content))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/**
 * The hosts files in a hostsdir (RESOLVER_HOSTS_DIR unless said) of a container (by ID or name); no
 * files when there is no such directory; undefined when they cannot be read. With the stat the daemon
 * took before archiving (GET archive's header), when the client gives it: a write after it changes the mtime.
 */
export async function readHostsDir(client: DaemonClient, container: string, dir = RESOLVER_HOSTS_DIR): Promise<HostsRead | undefined> {
  try {
    if (client.archiveFrom) {
      const got = await client.archiveFrom(container, dir);
      if (!got) return { files: [] };
      return { files: hostsFilesOf(await readAll(got.tar)), ...(got.stat.mtime ? { mtime: got.stat.mtime } : {}) };
    }
    const archive = await client.getArchive(container, dir);
    return { files: archive ? hostsFilesOf(archive) : [] };
  } catch {
    return undefined;
  }
}

/** The resolver's hosts files read by ID; undefined when they cannot be read. */
export async function readResolverHosts(client: DaemonClient, resolver: ObservedContainer): Promise<ObservedResolverHosts | undefined> {
  const read = await readHostsDir(client, resolver.id);
  return read ? { container: resolver.id, files: read.files } : undefined;
}

/**
 * The resolver's hosts files, started before the container list (EarlyHostsRead): the cached
 * files when a stat of the cached container's hostsdir answers the cached mtime, else a read by
 * the resolver's container NAME. observe takes it when the list shows that the resolver found is
 * that container (the cached ID, or the name on that daemon), and reads by ID otherwise.
 */
export interface EarlyHostsRead {
  readonly platform: PlatformOs;
  readonly name: string;
  readonly read: Promise<HostsRead | undefined>;
}

/** Where the hosts cache is and whose entry to use: the project's, on the resolver daemon's client. */
export interface HostsCacheUse {
  readonly cache: ResolverHostsCache;
  readonly project: string;
  /** Check the cached static answers' hostsdirs too (`up`), beside the hostsdir: stats, at once. */
  readonly static?: boolean;
}

/**
 * The cached files when the stat of their container's hostsdir answers their mtime; with the cached
 * static dirs whose stats answer theirs (asked for), each a hit on its own.
 */
async function cachedHosts(client: DaemonClient, use: HostsCacheUse): Promise<HostsRead | undefined> {
  const cached = await use.cache.load(use.project, client.label);
  if (!cached || !client.statContainerPath) return undefined;
  const dirs = use.static ? Object.entries(cached.static ?? {}) : [];
  const stats = await Promise.all([RESOLVER_HOSTS_DIR, ...dirs.map(([dir]) => dir)].map((dir) => client.statContainerPath!(cached.container, dir).catch(() => undefined)));
  if (stats[0]?.mtime !== cached.mtime) return undefined;
  const cachedFor = cached.container;
  const hits = dirs.filter(([, d], i) => stats[i + 1]?.mtime === d.mtime).map(([dir, d]) => [dir, { ...d, cachedFor }] as const);
  return { files: cached.files, mtime: cached.mtime, cachedFor, ...(hits.length ? { static: Object.fromEntries(hits) } : {}) };
}

/**
 * Starts reading the project resolver's hosts files on `client` (cache first, see EarlyHostsRead;
 * `withStatic`: the cached static answers' dirs too). Start it only while holding the project lock:
 * the CLI does so right after taking the lock.
 */
export function startResolverHostsRead(client: DaemonClient, project: string, platform: PlatformOs = 'linux', cache?: ResolverHostsCache, withStatic = false): EarlyHostsRead {
  const name = resolverContainerName(project);
  const read = (async () => (cache ? await cachedHosts(client, { cache, project, static: withStatic }) : undefined) ?? readHostsDir(client, name))();
  return { platform, name, read };
}

/** The early read when it is `resolver`'s files (its cached ID, or its name on its daemon), else undefined. */
async function earlyReadOf(resolver: ObservedContainer, early: EarlyHostsRead | undefined): Promise<HostsRead | undefined> {
  if (!early || early.platform !== resolver.platform) return undefined;
  const got = await early.read;
  return got && (got.cachedFor !== undefined ? got.cachedFor === resolver.id : early.name === resolver.name) ? got : undefined;
}

/** Each of `dirs` of the resolver: checked in the cache (`cached`), else read by ID; a dir that cannot be read is left out. */
async function staticReads(client: DaemonClient, container: string, dirs: readonly string[], cached: HostsRead['static']): Promise<[string, HostsRead][]> {
  const reads = await Promise.all(dirs.map(async (dir) => [dir, cached?.[dir] ?? (await readHostsDir(client, container, dir))] as const));
  return reads.flatMap(([dir, read]) => (read ? [[dir, read] as [string, HostsRead]] : []));
}

/** Saves what was read (not a cache hit) for the next run, when the reads gave their mtimes. */
async function saveReads(use: HostsCacheUse, client: DaemonClient, container: string, read: HostsRead, statics: readonly [string, HostsRead][]): Promise<void> {
  if (!read.mtime || [read, ...statics.map(([, r]) => r)].every((r) => r.cachedFor !== undefined)) return;
  const dirs = statics.flatMap(([dir, r]) => (r.mtime ? [[dir, { mtime: r.mtime, files: r.files }] as const] : []));
  await use.cache.save(use.project, client.label, { container, mtime: read.mtime, files: read.files, ...(dirs.length ? { static: Object.fromEntries(dirs) } : {}) });
}

/**
 * The observed resolver's hosts files: the early read when it is this container's, else a read by
 * ID; with `withStatic` (`up`), its static answers' hostsdirs too (by its label; none under ip
 * reach). Reads (not cache hits) with their mtimes are saved to the cache for the next run.
 */
export async function resolverHostsOf(
  resolver: ObservedContainer,
  client: DaemonClient,
  early: EarlyHostsRead | undefined,
  cache: ResolverHostsCache | undefined,
  project: string,
  withStatic = false,
): Promise<ObservedResolverHosts | undefined> {
  const got = await earlyReadOf(resolver, early);
  const dirs = withStatic ? staticAnswerDirs(resolver.labels) : [];
  const [read, statics] = await Promise.all([got ?? readHostsDir(client, resolver.id), staticReads(client, resolver.id, dirs, got?.static)]);
  if (!read) return undefined;
  if (cache) await saveReads({ cache, project }, client, resolver.id, read, statics);
  const files = Object.fromEntries(statics.map(([dir, r]) => [dir, r.files]));
  return { container: resolver.id, files: read.files, ...(dirs.length ? { static: files } : {}) };
}
