/**
 * What a run wrote into the resolver's hostsdir, recorded as a plain fact at the client boundary
 * (the executor decides nothing about it), so that after the run the hosts cache holds what the
 * directory holds now: what was observed, plus what was written, valid for the directory's mtime
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
import type { ResolverHostsCache } from './resolver-hosts-cache.js';

/** Hosts files written into one container's hostsdir by one batch, in the order the writes ended. */
export interface HostsWrite {
  readonly client: DaemonClient;
  readonly container: string;
  readonly files: readonly { readonly file: string; readonly content: string }[];
}

/** The clients with their hosts batches into a hostsdir recorded (each distinct client wrapped once). */
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
            const files = decodeHostsBatch(input).flatMap((f) => (f.dir === RESOLVER_HOSTS_DIR ? [{ file: f.file, content: f.content }] : []));
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
 * at the mtime a stat gives now. The files before the writes are known when they were observed for
 * that container, or when the run created it (a new resolver's hostsdir is empty); otherwise, or
 * when the stat does not answer, the entry is dropped (the next run reads). A run that removed the
 * observed resolver (`down`) drops it too.
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
  const before: readonly ResolverHostsFile[] | undefined = seen?.container === container ? seen.files : [...run.created].includes(container) ? [] : undefined;
  const stat = before && client.statContainerPath ? await client.statContainerPath(container, RESOLVER_HOSTS_DIR).catch(() => undefined) : undefined;
  if (!before || !stat?.mtime) return cache.forget(project, client.label);
  const files = new Map(before.map((f) => [f.file, f]));
  for (const write of writes) if (write.client === client && write.container === container) for (const f of write.files) files.set(f.file, parseHostsFile(f.file, f.content));
  const sorted = [...files.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  await cache.save(project, client.label, { container, mtime: stat.mtime, files: sorted });
}
