/**
 * Helpers of the `reach: published` rig tests: the host address both rig daemons' containers reach,
 * and what a project left on the daemons.
 */
import { networkInterfaces } from 'node:os';
import { rigDocker } from '../../support/rig.js';

/**
 * An IPv4 address of this host that containers of both rig daemons reach: the first non-loopback
 * address outside the daemons' bridges (eth0 here; the rig's bridges are br-* and docker*).
 */
export function hostAddress(): string {
  for (const [name, addresses] of Object.entries(networkInterfaces()).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (/^(br-|docker|veth|lo)/.test(name)) continue;
    const v4 = (addresses ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  throw new Error('no non-loopback IPv4 address on this host for reach: published');
}

/** The project's containers and networks on both rig daemons, as sorted "daemon kind name" lines. */
export async function projectResources(name: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`com.docker.compose.project=${name}`] });
  const found: string[] = [];
  for (const daemon of ['linux', 'windows'] as const) {
    const docker = rigDocker(daemon);
    for (const c of await docker.listContainers({ all: true, filters })) found.push(`${daemon} container ${c.Names[0]}`);
    for (const n of await docker.listNetworks({ filters })) found.push(`${daemon} network ${n.Name}`);
  }
  return found.sort();
}
