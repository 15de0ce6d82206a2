/**
 * PURE: what a daemon said about itself (/info, /version) → DaemonFacts, and the OS check:
 * a daemon must run the platform it serves.
 *
 * LCOW (Linux containers on a Windows daemon, engines before 23.0) reports `OSType: windows` with
 * "lcow" in its storage driver ("lcow", or "windowsfilter (windows) lcow (linux)"). It is accepted for
 * linux services; pulls then pass `platform=linux` (API 1.32+) and creates pass `platform=linux`
 * (API 1.41+). Any other mismatch is an error naming the daemon and what it reported, unless the
 * user allowed it (a Linux daemon standing in for Windows in tests and CI), then a visible warning.
 */
// Type-only: the Engine API shapes; erased at runtime, so the pure core still does no I/O.
import type { EngineInfo, EngineVersion } from '../model/engine-api.js';
import type { PlatformOs } from '../model/project.js';
import type { DaemonFacts } from './observed-state.js';

/** Compares dotted versions numerically ("1.41" vs "1.32"; "10.0.20348.1" vs "10.0.17763"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** True when the API version is known and at least `minimum`. */
export function apiAtLeast(apiVersion: string | undefined, minimum: string): boolean {
  return apiVersion !== undefined && compareVersions(apiVersion, minimum) >= 0;
}

/** LCOW: a Windows daemon whose storage driver mentions lcow. */
export function isLcow(info: Pick<EngineInfo, 'OSType' | 'Driver'>): boolean {
  return info.OSType === 'windows' && /\blcow\b/i.test(info.Driver ?? '');
}

/**
 * Windows host build as "10.0.<build>[.<revision>]", from OperatingSystem ("... (OS Build 20348.2113)")
 * or KernelVersion ("10.0 20348 (20348.1.amd64fre...)"). Undefined for non-Windows daemons.
 */
export function windowsHostVersion(info: Pick<EngineInfo, 'OSType' | 'OperatingSystem' | 'KernelVersion'>): string | undefined {
  if (info.OSType !== 'windows') return undefined;
  const osBuild = /OS Build (\d+)(?:\.(\d+))?/i.exec(info.OperatingSystem ?? '');
  if (osBuild) return `10.0.${osBuild[1]}${osBuild[2] ? `.${osBuild[2]}` : ''}`;
  const kernel = /^(\d+)\.(\d+)\s+(\d+)(?:\s+\((\d+)\.(\d+))?/.exec(info.KernelVersion ?? '');
  if (kernel) return `${kernel[1]}.${kernel[2]}.${kernel[3]}`;
  const dotted = /^(\d+\.\d+\.\d+(?:\.\d+)?)/.exec(info.KernelVersion ?? '');
  return dotted?.[1];
}

export interface FactsInput {
  readonly platform: PlatformOs;
  readonly label: string;
  readonly info: EngineInfo;
  readonly version: EngineVersion;
  readonly sharedWith?: PlatformOs;
}

/** /info + /version → the facts decisions need. */
export function daemonFacts(input: FactsInput): DaemonFacts {
  const { info, version } = input;
  const osVersion = windowsHostVersion(info);
  return {
    platform: input.platform,
    label: input.label,
    osType: info.OSType,
    ...(info.OperatingSystem ? { operatingSystem: info.OperatingSystem } : {}),
    ...(info.KernelVersion ? { kernelVersion: info.KernelVersion } : {}),
    ...(info.Architecture ? { architecture: info.Architecture } : {}),
    ...(info.Driver ? { storageDriver: info.Driver } : {}),
    lcow: isLcow(info),
    ...(version.ApiVersion ? { apiVersion: version.ApiVersion } : {}),
    ...(info.ServerVersion || version.Version ? { serverVersion: info.ServerVersion ?? version.Version } : {}),
    ...(info.Isolation ? { isolation: info.Isolation } : {}),
    networkDrivers: [...(info.Plugins?.Network ?? [])].sort(),
    ...(osVersion ? { osVersion } : {}),
    ...(input.sharedWith ? { sharedWith: input.sharedWith } : {}),
  };
}

/** What daemonFacts reads of /info and /version, and nothing else. */
export interface FactInputs {
  readonly info: EngineInfo;
  readonly version: EngineVersion;
}

/**
 * /info and /version cut down to the fields daemonFacts reads (what the client-side facts cache,
 * engine/daemon-facts-cache.ts, keeps): daemonFacts of the result equals daemonFacts of the whole
 * answers. Kept beside daemonFacts so that a field it starts to read is kept too.
 */
export function factInputs(info: EngineInfo, version: EngineVersion): FactInputs {
  const network = info.Plugins?.Network;
  return {
    info: {
      OSType: info.OSType,
      ...(info.OperatingSystem !== undefined ? { OperatingSystem: info.OperatingSystem } : {}),
      ...(info.KernelVersion !== undefined ? { KernelVersion: info.KernelVersion } : {}),
      ...(info.Architecture !== undefined ? { Architecture: info.Architecture } : {}),
      ...(info.Driver !== undefined ? { Driver: info.Driver } : {}),
      ...(info.ServerVersion !== undefined ? { ServerVersion: info.ServerVersion } : {}),
      ...(info.Isolation !== undefined ? { Isolation: info.Isolation } : {}),
      ...(network !== undefined ? { Plugins: { Network: [...network] } } : {}),
    },
    version: { ApiVersion: version.ApiVersion, ...(version.Version !== undefined ? { Version: version.Version } : {}) },
  };
}

/** What the daemon reported, for messages: `OSType "linux" (Debian GNU/Linux 12, storage driver overlay2)`. */
export function describeReported(facts: DaemonFacts): string {
  const details = [facts.operatingSystem, facts.storageDriver ? `storage driver ${facts.storageDriver}` : undefined]
    .filter(Boolean)
    .join(', ');
  return `OSType "${facts.osType}"${details ? ` (${details})` : ''}`;
}

export type OsCheckResult =
  | { readonly status: 'ok'; readonly note?: string }
  | { readonly status: 'warning'; readonly message: string }
  | { readonly status: 'error'; readonly message: string };

/**
 * The OS check for one daemon. `allowOsMismatch` turns a mismatch into a warning.
 */
export function checkDaemonOs(facts: DaemonFacts, allowOsMismatch: boolean): OsCheckResult {
  const serves = facts.platform;
  if (facts.osType === serves) return { status: 'ok' };
  if (serves === 'linux' && facts.lcow) {
    const problems: string[] = [];
    if (!apiAtLeast(facts.apiVersion, '1.32')) problems.push('pulls need API 1.32+ to ask for platform=linux');
    if (!apiAtLeast(facts.apiVersion, '1.41')) problems.push('creates need API 1.41+ to ask for platform=linux');
    if (problems.length) {
      return {
        status: 'warning',
        message: `linux daemon ${facts.label} is LCOW (${describeReported(facts)}) with API ${facts.apiVersion ?? 'unknown'}: ${problems.join('; ')}; the daemon will pick the platform itself`,
      };
    }
    return { status: 'ok', note: `linux daemon ${facts.label} is LCOW: pulls and creates pass platform=linux` };
  }
  const mismatch = `${serves} daemon ${facts.label} reports ${describeReported(facts)}, so it cannot run ${serves} services`;
  if (allowOsMismatch) {
    return {
      status: 'warning',
      message: `${mismatch}; using it anyway because of --allow-os-mismatch / MIXCOMPOSE_ALLOW_OS_MISMATCH=1 (the ${facts.osType} daemon stands in for ${serves}: ${serves} behaviour follows the declared platform)`,
    };
  }
  return {
    status: 'error',
    message: `${mismatch}. Point x-mixcompose.daemons.${serves} (or --${serves}-host / --${serves}-context) at a ${serves} daemon, or pass --allow-os-mismatch if a ${facts.osType} daemon should stand in for it`,
  };
}

/** `platform` to pass on image pull for this daemon: "linux" on LCOW with API 1.32+. */
export function pullPlatformFor(facts: DaemonFacts): string | undefined {
  return facts.platform === 'linux' && facts.lcow && apiAtLeast(facts.apiVersion, '1.32') ? 'linux' : undefined;
}

/** `platform` to pass on container create for this daemon: "linux" on LCOW with API 1.41+. */
export function createPlatformFor(facts: DaemonFacts): string | undefined {
  return facts.platform === 'linux' && facts.lcow && apiAtLeast(facts.apiVersion, '1.41') ? 'linux' : undefined;
}
