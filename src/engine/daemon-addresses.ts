/**
 * The IPs behind daemon `address` host names. Under `published` reach the project resolver answers
 * names with these addresses and Windows containers use the Linux one as their DNS server; both
 * need an IP, and the pure planner cannot look names up. So before planning, a host-name address is
 * looked up here, on the machine running mixcompose (a remote daemon's name usually means the same
 * host there; on Docker Desktop, `host.docker.internal` is in the Windows hosts file). What does not
 * resolve stays out: the planner then says which setting needs an IP.
 */
import type { PlatformOs, Project } from '../model/project.js';
import { isIpAddress } from '../plan/resolver.js';

export type AddressLookup = (name: string) => Promise<string>;

const LOOKUP_TIMEOUT_MS = 5_000;

async function systemLookup(name: string): Promise<string> {
  // node:dns/promises loads at the first name to look up (an address given as a name), not for every `up`.
  return (await process.getBuiltinModule('node:dns/promises').lookup(name, { family: 4 })).address;
}

/** Per platform whose `address` is a host name (and whose reach may be published): the IP it resolves to. */
export async function lookupDaemonAddresses(
  project: Project,
  lookup: AddressLookup = systemLookup,
  timeoutMs = LOOKUP_TIMEOUT_MS,
): Promise<Partial<Record<PlatformOs, string>>> {
  const found: Partial<Record<PlatformOs, string>> = {};
  await Promise.all(
    (['linux', 'windows'] as const).map(async (platform) => {
      const settings = project.extension.daemons[platform];
      if (!settings?.address || settings.reach === 'ip' || isIpAddress(settings.address)) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      try {
        const ip = await Promise.race([lookup(settings.address).catch(() => undefined), timeout]);
        if (ip && isIpAddress(ip)) found[platform] = ip;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return found;
}
