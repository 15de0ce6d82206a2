/**
 * Reach between the two daemons (issue 3): how one daemon's containers reach the other's services,
 * `ip` (container IPs route) or `published` (the other daemon's address and a published port).
 * Configured per provider platform; `auto` is decided by a probe when there is one, else from where
 * the endpoints are.
 */
import type { PlatformOs } from '../model/project.js';
import type { ReachDecision } from './plan.js';
import type { PlanContext } from './plan-context.js';

/** Reach per provider daemon: configured, or for `auto` the probe result, or a default. */
export function decideReach(ctx: PlanContext): Partial<Record<PlatformOs, ReachDecision>> {
  const result: Partial<Record<PlatformOs, ReachDecision>> = {};
  const daemons = ctx.project.extension.daemons;
  for (const platform of ['linux', 'windows'] as const) {
    const settings = daemons[platform];
    if (!settings) continue;
    if (settings.reach !== 'auto') {
      result[platform] = { reach: settings.reach, why: 'configured' };
      continue;
    }
    const probed = ctx.options.probedReach?.[platform];
    if (probed) {
      result[platform] = { reach: probed, why: 'auto: probe' };
      continue;
    }
    result[platform] = reachFromEndpoints(settings.host, daemons[platform === 'linux' ? 'windows' : 'linux']?.host);
  }
  return result;
}

/** The machine an endpoint is on: "local" for sockets and pipes, else the host name of tcp:// / ssh://. */
function endpointMachine(host: string | undefined): string {
  if (!host || host.startsWith('unix:') || host.startsWith('npipe:')) return 'local';
  const m = /^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(host);
  const name = m?.[1]?.toLowerCase() ?? host;
  return name === 'localhost' || name === '127.0.0.1' || name === '[::1]' ? 'local' : name;
}

/**
 * `auto` without a probe result, from where the daemons are: Docker Desktop's two engines (two named
 * pipes, two VMs) and daemons on different machines reach each other through published ports; two
 * daemons on one machine (LCOW beside Windows, the test rig) route container IPs.
 */
export function reachFromEndpoints(host: string | undefined, otherHost: string | undefined): ReachDecision {
  if (host?.startsWith('npipe:') && otherHost?.startsWith('npipe:')) return { reach: 'published', why: 'auto: Docker Desktop engines' };
  if (endpointMachine(host) !== endpointMachine(otherHost)) return { reach: 'published', why: 'auto: daemons on different machines' };
  return { reach: 'ip', why: 'auto: daemons on one machine' };
}
