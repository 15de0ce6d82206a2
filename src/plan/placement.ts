/**
 * Placement: which daemon does the work of each declared platform. Normally each platform has its
 * own daemon; both platforms may name one daemon (LCOW, or one Linux daemon standing in for both),
 * and then every operation goes to that one daemon, named by a single platform key.
 */
import type { PlatformOs } from '../model/project.js';
import type { DaemonFacts } from './observed-state.js';

export type Placement = Readonly<Record<PlatformOs, PlatformOs>>;

export function placeServices(daemons: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>): Placement {
  const shared = daemons.windows?.sharedWith === 'linux' || daemons.linux?.sharedWith === 'windows';
  if (!shared) return { windows: 'windows', linux: 'linux' };
  // One daemon for both: name it by the OS it really runs (an LCOW daemon reports windows).
  const key: PlatformOs = (daemons.windows ?? daemons.linux)?.osType === 'windows' ? 'windows' : 'linux';
  return { windows: key, linux: key };
}

/** True when the two platforms are served by two distinct daemons. */
export function spansTwoDaemons(placement: Placement, platformsUsed: Iterable<PlatformOs>): boolean {
  const daemons = new Set<PlatformOs>();
  for (const p of platformsUsed) daemons.add(placement[p]);
  return daemons.size > 1;
}
