/**
 * The DNS servers project containers were created with (HostConfig.Dns), for `ps` to say which ones
 * ask the project resolver at an old address (plan/resolver-dns.ts). The container list does not
 * carry them, so this is an inspect per container, all in parallel; only `ps` pays for it (`observe`,
 * which `up` runs, does not).
 */
import type { PlatformOs } from '../model/project.js';
import type { DaemonFacts, ObservedContainer } from '../plan/observed-state.js';
import type { DaemonClient } from './daemon-client.js';
import { distinctDaemons } from './observe.js';

/**
 * Container id → its HostConfig.Dns, for `containers`. A container that cannot be inspected (removed
 * meanwhile, a daemon error) is left out: ps then says nothing about its DNS.
 */
export async function readContainerDns(
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>,
  containers: readonly ObservedContainer[],
): Promise<Map<string, readonly string[]>> {
  const clientOf = new Map(distinctDaemons(clients, facts));
  const read = await Promise.all(
    containers.map(async (c): Promise<[string, readonly string[]] | undefined> => {
      const client = clientOf.get(c.platform);
      if (!client) return undefined;
      try {
        const dns = ((await client.inspectContainer(c.id)).HostConfig as { Dns?: unknown } | undefined)?.Dns;
        return [c.id, Array.isArray(dns) ? dns.filter((s): s is string => typeof s === 'string') : []];
      } catch {
        return undefined;
      }
    }),
  );
  return new Map(read.filter((entry): entry is [string, readonly string[]] => entry !== undefined));
}
