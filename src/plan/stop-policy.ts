/**
 * How each service is stopped (pure): grace period, signal, the bound on the kill, and the order.
 *
 * Grace period, strongest first (as docker compose: `-t` overrides every service's own setting):
 *   `down -t` / `stop -t`  >  service `stop_grace_period`  >  `x-mixcompose.daemons.<p>.stop_grace_period`  >  10 s.
 * Signal: the service's `stop_signal` on Linux. Windows has no signals: any stop but a kill is an HCS
 * shutdown request, so a `stop_signal` on a Windows-declared service is ignored, with a warning.
 * Order: reverse dependency levels; every stop of one level is issued at once, so `down` of N
 * services takes about one grace period per level, not N.
 */
import type { Project, PlatformOs, Service } from '../model/project.js';
import { durationSeconds } from '../model/units.js';

/** Docker's own default stop timeout. */
export const DEFAULT_GRACE_SECONDS = 10;
/** How long a kill may take before the container is reported stuck. Windows' own kill wait is 75 s. */
export const KILL_WAIT_SECONDS: Readonly<Record<PlatformOs, number>> = { linux: 10, windows: 80 };

export interface StopSettings {
  readonly service: string;
  readonly platform: PlatformOs;
  readonly graceSeconds: number;
  /** Where the grace period came from, for plan output. */
  readonly graceFrom: 'cli' | 'service' | 'daemon' | 'default';
  /** Signal for the stop call; undefined = the container's own StopSignal (and always on Windows). */
  readonly signal?: string;
  readonly killWaitSeconds: number;
  readonly warnings: readonly string[];
}

export interface StopPolicyOptions {
  /** `-t, --timeout` of down/stop/restart/up, in seconds. */
  readonly timeoutSeconds?: number;
}

/** The effective stop settings of one service. */
export function stopSettingsFor(
  service: Pick<Service, 'name' | 'platform' | 'stop_grace_period' | 'stop_signal'>,
  extension: Pick<Project['extension'], 'daemons'> | undefined,
  options: StopPolicyOptions = {},
): StopSettings {
  const platform = service.platform.os;
  const warnings: string[] = [];
  const daemonDefault = extension?.daemons?.[platform]?.stop_grace_period;
  let graceSeconds: number;
  let graceFrom: StopSettings['graceFrom'];
  if (options.timeoutSeconds !== undefined && options.timeoutSeconds >= 0) {
    graceSeconds = Math.floor(options.timeoutSeconds);
    graceFrom = 'cli';
  } else if (service.stop_grace_period !== undefined && durationSeconds(service.stop_grace_period, -1) >= 0) {
    graceSeconds = durationSeconds(service.stop_grace_period, DEFAULT_GRACE_SECONDS);
    graceFrom = 'service';
  } else if (daemonDefault !== undefined && durationSeconds(daemonDefault, -1) >= 0) {
    graceSeconds = durationSeconds(daemonDefault, DEFAULT_GRACE_SECONDS);
    graceFrom = 'daemon';
  } else {
    graceSeconds = DEFAULT_GRACE_SECONDS;
    graceFrom = 'default';
  }
  let signal: string | undefined;
  if (platform === 'windows') {
    if (service.stop_signal) {
      warnings.push(
        `service "${service.name}": stop_signal ${service.stop_signal} is ignored: Windows containers have no signals ` +
          '(a stop is a shutdown request, then a kill after the grace period)',
      );
    }
  } else {
    signal = service.stop_signal || undefined;
  }
  return { service: service.name, platform, graceSeconds, graceFrom, signal, killWaitSeconds: KILL_WAIT_SECONDS[platform], warnings };
}

/** Stop settings of every service of a project, sorted by name. */
export function stopSettings(project: Pick<Project, 'services' | 'extension'>, options: StopPolicyOptions = {}): StopSettings[] {
  return Object.keys(project.services)
    .sort()
    .map((name) => stopSettingsFor(project.services[name]!, project.extension, options));
}

/**
 * Groups services into stop levels: level 0 holds services nothing (left in the set) depends on;
 * a service comes one level after the last of its dependents. Edges to services outside the set are
 * ignored (a partial `stop`). A cycle cannot come from a valid project; its members go last.
 */
export function stopLevels(dependsOn: Readonly<Record<string, readonly string[]>>): string[][] {
  const names = Object.keys(dependsOn).sort();
  const dependents = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const name of names) {
    for (const dep of dependsOn[name]!) dependents.get(dep)?.push(name);
  }
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return Number.POSITIVE_INFINITY;
    visiting.add(name);
    let d = 0;
    for (const dependent of dependents.get(name)!) d = Math.max(d, depth(dependent) + 1);
    visiting.delete(name);
    level.set(name, d);
    return d;
  };
  const finite: string[][] = [];
  const cyclic: string[] = [];
  for (const name of names) {
    const d = depth(name);
    if (!Number.isFinite(d)) cyclic.push(name);
    else (finite[d] ??= []).push(name);
  }
  const levels = finite.filter((l) => l && l.length > 0);
  if (cyclic.length) levels.push(cyclic);
  return levels;
}

/** Stop levels of a project's services (depends_on edges). */
export function projectStopLevels(project: Pick<Project, 'services'>, only?: readonly string[]): string[][] {
  const selected = only ?? Object.keys(project.services);
  return stopLevels(Object.fromEntries(selected.map((name) => [name, Object.keys(project.services[name]?.depends_on ?? {})])));
}
