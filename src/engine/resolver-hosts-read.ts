/**
 * Reading the project resolver's hosts files (what it answers for the other daemon's containers),
 * for observe: by the resolver's container NAME as soon as the project lock is held (beside
 * connecting and the lists), else by ID after the container list; from the client-side cache
 * (engine/resolver-hosts-cache.ts) when a stat of the hostsdir shows it unchanged since.
 */
import type { PlatformOs } from '../model/project.js';
import type { ObservedContainer, ObservedResolverHosts, ResolverHostsFile } from '../plan/observed-state.js';
import { RESOLVER_HOSTS_DIR, resolverContainerName } from '../plan/resolver.js';
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
 * The hosts files in RESOLVER_HOSTS_DIR of a container (by ID or name); no files when there is no
 * such directory; undefined when they cannot be read. With the stat the daemon took before
 * archiving (GET archive's header), when the client gives it: a write after it changes the mtime.
 */
export async function readHostsDir(client: DaemonClient, container: string): Promise<HostsRead | undefined> {
  try {
    if (client.archiveFrom) {
      const got = await client.archiveFrom(container, RESOLVER_HOSTS_DIR);
      if (!got) return { files: [] };
      return { files: hostsFilesOf(await readAll(got.tar)), ...(got.stat.mtime ? { mtime: got.stat.mtime } : {}) };
    }
    const archive = await client.getArchive(container, RESOLVER_HOSTS_DIR);
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
}

/** The cached files when the stat of their container's hostsdir answers their mtime. */
async function cachedHosts(client: DaemonClient, use: HostsCacheUse): Promise<HostsRead | undefined> {
  const cached = await use.cache.load(use.project, client.label);
  if (!cached || !client.statContainerPath) return undefined;
  const stat = await client.statContainerPath(cached.container, RESOLVER_HOSTS_DIR).catch(() => undefined);
  return stat?.mtime === cached.mtime ? { files: cached.files, mtime: cached.mtime, cachedFor: cached.container } : undefined;
}

/**
 * Starts reading the project resolver's hosts files on `client` (cache first, see EarlyHostsRead).
 * Start it only while holding the project lock: the CLI does so right after taking the lock.
 */
export function startResolverHostsRead(client: DaemonClient, project: string, platform: PlatformOs = 'linux', cache?: ResolverHostsCache): EarlyHostsRead {
  const name = resolverContainerName(project);
  const read = (async () => (cache ? await cachedHosts(client, { cache, project }) : undefined) ?? readHostsDir(client, name))();
  return { platform, name, read };
}

/**
 * The observed resolver's hosts files: the early read when it is this container's, else a read by
 * ID. A read (not a cache hit) with its mtime is saved to the cache for the next run.
 */
export async function resolverHostsOf(
  resolver: ObservedContainer,
  client: DaemonClient,
  early: EarlyHostsRead | undefined,
  cache: ResolverHostsCache | undefined,
  project: string,
): Promise<ObservedResolverHosts | undefined> {
  let read: HostsRead | undefined;
  if (early && early.platform === resolver.platform) {
    const got = await early.read;
    if (got && (got.cachedFor !== undefined ? got.cachedFor === resolver.id : early.name === resolver.name)) read = got;
  }
  read ??= await readHostsDir(client, resolver.id);
  if (!read) return undefined;
  if (cache && read.cachedFor === undefined && read.mtime) await cache.save(project, client.label, { container: resolver.id, mtime: read.mtime, files: read.files });
  return { container: resolver.id, files: read.files };
}
