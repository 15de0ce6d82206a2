/**
 * What a run wrote into the resolver's hostsdirs, recorded as a plain fact at the client boundary
 * (the executor decides nothing about it), so that after the run the hosts cache holds what the
 * directories hold now: what was observed, plus what was written, valid for each directory's mtime
 * as a stat after the last write gives it. The next `up` then finds the cache valid and reads nothing.
 */
import type { PlatformOs } from '../model/project.js';
import type { ObservedState, ResolverHostsFile } from '../plan/observed-state.js';
import type { Plan } from '../plan/plan.js';
import { RESOLVER_HOSTS_DIR } from '../plan/resolver.js';
import { parseHostsFile } from '../plan/resolver-entries.js';
import { decodeHostsBatch } from '../plan/resolver-hosts-protocol.js';
import type { DaemonClient } from './daemon-client.js';
import { withMethods, wrapClients } from './observe-ahead.js';
import type { CachedDir, ResolverHostsCache } from './resolver-hosts-cache.js';

/** Hosts files written into one container's hostsdirs by one batch, in the order the writes ended. */
export interface HostsWrite {
  readonly client: DaemonClient;
  readonly container: string;
  readonly files: readonly { readonly dir: string; readonly file: string; readonly content: string }[];
}

/** The clients with their hosts batches recorded (each distinct client wrapped once). */
export function recordHostsWrites(clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>): {
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  readonly writes: readonly HostsWrite[];
} {
  const writes: HostsWrite[] = [];
  const wrap = (client: DaemonClient): DaemonClient =>
    client.exchangeStdin
      ? withMethods(client, {
          async exchangeStdin(id, input, options) {
            const answer = await client.exchangeStdin!(id, input, options);
            // A refused batch fails the run, and the cache is only kept after a run that ended well.
            const files = decodeHostsBatch(input).map((f) => ({ dir: f.dir, file: f.file, content: f.content }));
            if (files.length) writes.push({ client, container: id, files });
            return answer;
          },
        })
      : client;
  return { clients: wrapClients(clients, wrap), writes };
}

/** The container IDs a completed run removed by ID. */
function removedIds(plan: Plan, completed: ReadonlySet<string>): Set<string> {
  const ids = new Set<string>();
  for (const op of plan.operations) if (op.kind === 'remove-container' && completed.has(op.id) && 'id' in op.container) ids.add(op.container.id);
  return ids;
}

/**
 * After a run that ended well: the cache holds the observed files with the run's writes over them,
 * at the mtime a stat gives now, for the hostsdir and each static answers' dir observed or written.
 * The files before the writes are known when they were observed for that container, or when the run
 * created it (a new resolver's hostsdirs are empty); otherwise, or when the stat does not answer,
 * the hostsdir's entry is dropped, a static dir left out (the next run reads). A run that removed
 * the observed resolver (`down`) drops it too.
 */
export async function rememberHosts(
  cache: ResolverHostsCache,
  project: string,
  observed: ObservedState,
  run: { readonly plan: Plan; readonly completed: readonly string[]; readonly created: Iterable<string> },
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  writes: readonly HostsWrite[],
): Promise<void> {
  const last = writes.at(-1);
  const seen = observed.resolverHosts;
  if (!last) {
    if (!seen) return;
    if (!removedIds(run.plan, new Set(run.completed)).has(seen.container)) return;
    const platform = observed.containers.find((c) => c.id === seen.container)?.platform;
    const client = platform ? clients[platform] : undefined;
    if (client) await cache.forget(project, client.label);
    return;
  }
  const { client, container } = last;
  const written = writes.filter((w) => w.client === client && w.container === container).flatMap((w) => w.files);
  const observedHere = seen?.container === container ? seen : undefined;
  const created = [...run.created].includes(container);
  const before = (dir: string): readonly ResolverHostsFile[] | undefined =>
    observedHere ? (dir === RESOLVER_HOSTS_DIR ? observedHere.files : observedHere.static?.[dir]) : created ? [] : undefined;
  const staticDirs = [...new Set([...Object.keys(observedHere?.static ?? {}), ...written.map((f) => f.dir)])].filter((d) => d !== RESOLVER_HOSTS_DIR).sort();
  const [main, ...statics] = await Promise.all([RESOLVER_HOSTS_DIR, ...staticDirs].map((dir) => dirAfter(client, container, dir, before(dir), written)));
  if (!main) return cache.forget(project, client.label);
  const kept = staticDirs.flatMap((dir, i) => (statics[i] ? [[dir, statics[i]] as const] : []));
  await cache.save(project, client.label, { container, ...main, ...(kept.length ? { static: Object.fromEntries(kept) } : {}) });
}

/** One hostsdir after the run: its files before with the run's writes over them, at the mtime a stat gives now; undefined when either is unknown. */
async function dirAfter(client: DaemonClient, container: string, dir: string, before: readonly ResolverHostsFile[] | undefined, written: HostsWrite['files']): Promise<CachedDir | undefined> {
  const stat = before && client.statContainerPath ? await client.statContainerPath(container, dir).catch(() => undefined) : undefined;
  if (!before || !stat?.mtime) return undefined;
  const files = new Map(before.map((f) => [f.file, f]));
  for (const f of written) if (f.dir === dir) files.set(f.file, parseHostsFile(f.file, f.content));
  return { mtime: stat.mtime, files: [...files.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)) };
}
