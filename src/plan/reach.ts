/**
 * Reach between the two daemons (issue 3): how one daemon's containers reach the other's services,
 * `ip` (container IPs route) or `published` (the other daemon's address and a published port).
 *
 * Configured per provider platform. `auto` is decided, first source that has an answer wins:
 * 1. a probe `up` just ran (options.probedReach; engine/reach-probe.ts),
 * 2. the probe result recorded on the project's networks (labels io.mixcompose.reach.<platform>,
 *    put there by the `up` that probed: so only the first `up` probes, and `down` forgets it),
 * 3. where the endpoints are (no probe yet: `plan`, `ps` before the first `up`, or a probe that
 *    could not run).
 */
import type { PlatformOs, Project } from '../model/project.js';
import type { ReachDecision } from './plan.js';
import type { PlanContext } from './plan-context.js';
import { LABEL_REACH, ROLE_REACH_PROBE, LABEL_ROLE } from './labels.js';
import type { ObservedState } from './observed-state.js';
import { placeServices, spansTwoDaemons } from './placement.js';

type ReachValue = ReachDecision['reach'];

/**
 * Where a reach answer came from: the file, the probe this `up` ran, the probe result recorded on
 * the project's networks, or (no probe result) where the endpoints are. Carried in the plan's
 * JSON (`plan --format json`) beside `reach` and `why`.
 */
export type ReachSource = 'configured' | 'probe' | 'recorded' | 'endpoints';

/** A reach decision and its source. */
export interface SourcedReach extends ReachDecision {
  readonly source: ReachSource;
}
const PLATFORMS = ['linux', 'windows'] as const;

function other(platform: PlatformOs): PlatformOs {
  return platform === 'linux' ? 'windows' : 'linux';
}

function isReachValue(value: string | undefined): value is ReachValue {
  return value === 'ip' || value === 'published';
}

/** What recordedReach reads: the project's networks and containers, and its reach records. */
type RecordSources = Pick<ObservedState, 'networks'> & Partial<Pick<ObservedState, 'containers' | 'reachRecords'>>;

/**
 * Where a probe's answer is recorded: the reach record container (plan/reach-record.ts), made after
 * it answered; without a project resolver, the consumers across the daemons (made after it too). A
 * recorded answer is also kept on a resolver made again. Stacks of older versions carry it on their
 * service containers, their resolver or their networks: those are read too.
 */
function recordLabels(observed: RecordSources): Readonly<Record<string, string>>[] {
  return [
    ...observed.networks.filter((n) => n.labels[LABEL_ROLE] !== ROLE_REACH_PROBE).map((n) => n.labels),
    ...(observed.containers ?? []).map((c) => c.labels),
    ...(observed.reachRecords ?? []).map((c) => c.labels),
  ];
}

/**
 * The probe result recorded on the project's containers (or an older stack's networks), per provider platform. Any of
 * them carrying the label counts (they were all made by one probing `up`); when two disagree
 * (made by different `up`s), `published` wins: it works wherever `ip` does.
 */
export function recordedReach(observed: RecordSources): Partial<Record<PlatformOs, ReachValue>> {
  const out: Partial<Record<PlatformOs, ReachValue>> = {};
  for (const labels of recordLabels(observed)) {
    for (const platform of PLATFORMS) {
      const value = labels[LABEL_REACH[platform]];
      if (!isReachValue(value)) continue;
      if (out[platform] !== 'published') out[platform] = value;
    }
  }
  return out;
}

/**
 * On the networks an `up` creates when its probe could not run: the next `ps` / `plan` say so
 * (rather than "not probed yet"). Not a reach answer: the next `up` probes again.
 */
export const LABEL_REACH_PROBE_OUTCOME = 'io.mixcompose.reach-probe';
export const PROBE_COULD_NOT_RUN = 'could-not-run';

/** Reach per provider daemon: configured > fresh probe > recorded probe > endpoints. */
export function decideReach(ctx: PlanContext): Partial<Record<PlatformOs, SourcedReach>> {
  const result: Partial<Record<PlatformOs, SourcedReach>> = {};
  const daemons = ctx.project.extension.daemons;
  const recorded = recordedReach(ctx.observed);
  for (const platform of PLATFORMS) {
    const settings = daemons[platform];
    if (!settings) continue;
    if (settings.reach !== 'auto') {
      result[platform] = { reach: settings.reach, why: 'configured', source: 'configured' };
      continue;
    }
    const probed = ctx.options.probedReach?.[platform];
    if (probed) {
      result[platform] = { reach: probed, why: 'auto: probe', source: 'probe' };
      continue;
    }
    const kept = recorded[platform];
    if (kept) {
      result[platform] = { reach: kept, why: 'auto: probe (recorded)', source: 'recorded' };
      continue;
    }
    const guess = reachFromEndpoints(settings.host, daemons[other(platform)]?.host);
    // `up` probes (and says so in its progress); `plan`, `up --dry-run`, `ps` and `start` do not.
    const lastFailed = recordLabels(ctx.observed).some((labels) => labels[LABEL_REACH_PROBE_OUTCOME] === PROBE_COULD_NOT_RUN);
    const note = ctx.options.probeFailed
      ? 'the probe could not run (see the warning)'
      : lastFailed
        ? 'the last probe could not run (up probes again)'
        : 'not probed yet (up probes)';
    result[platform] = { ...guess, why: `${guess.why}; ${note}`, source: 'endpoints' };
  }
  return result;
}

/**
 * The reach labels the plan records (on the record container made after the probe, see recordLabels): the
 * decisions that came from a probe (fresh or recorded), so the next `up` need not probe again; or
 * that this `up`'s probe could not run.
 */
export function reachLabels(reach: Readonly<Partial<Record<PlatformOs, SourcedReach>>>, probeFailed = false): Record<string, string> {
  const labels: Record<string, string> = probeFailed ? { [LABEL_REACH_PROBE_OUTCOME]: PROBE_COULD_NOT_RUN } : {};
  for (const platform of PLATFORMS) {
    const decision = reach[platform];
    if (decision && (decision.source === 'probe' || decision.source === 'recorded')) labels[LABEL_REACH[platform]] = decision.reach;
  }
  return labels;
}

/**
 * The services whose containers record the probe's answer when there is no project resolver (so
 * no reach record container: plan/reach-record.ts): the consumers of an address on the other daemon
 * (their create bodies depend on reach anyway).
 */
export function consumesAcrossDaemons(project: Project, placement: Readonly<Record<PlatformOs, PlatformOs>>, service: Project['services'][string]): boolean {
  return (service.addressReferences ?? []).some((ref) => {
    const provider = project.services[ref.service];
    return provider !== undefined && placement[provider.platform.os] !== placement[service.platform.os];
  });
}

/**
 * The provider platforms `up` must probe for: `auto`, the services span two distinct daemons, reach
 * matters (the project resolver, or an address consumed across the daemons), and no result is
 * recorded. Empty = no probe.
 */
export function reachToProbe(project: Project, observed: ObservedState): PlatformOs[] {
  const platforms = Object.values(project.services).map((s) => s.platform.os);
  const placement = placeServices(observed.daemons);
  if (!spansTwoDaemons(placement, platforms)) return [];
  const matters = project.extension.resolver?.enabled !== false || Object.values(project.services).some((s) => consumesAcrossDaemons(project, placement, s));
  if (!matters) return [];
  const recorded = recordedReach(observed);
  return PLATFORMS.filter((p) => project.extension.daemons[p]?.reach === 'auto' && !recorded[p]);
}

/** Direction of a probe: "linux->windows" = the linux daemon's probe pings the windows daemon's. */
export type ProbeDirection = 'linux->windows' | 'windows->linux';

/** What a ping from one probe to the other gave. */
export interface PingOutcome {
  readonly ok: boolean;
  /** What was run and what came back, for messages. */
  readonly detail: string;
  /** ping could not run there at all (not in the container's image): no answer either way. */
  readonly cannotRun?: boolean;
}

/**
 * The probe's answer as reach: linux→windows answered ⇒ windows providers are reached by `ip`,
 * else `published`; windows→linux likewise for linux providers.
 */
export function reachFromProbe(pings: Readonly<Record<ProbeDirection, PingOutcome>>): Record<PlatformOs, ReachValue> {
  return {
    windows: pings['linux->windows'].ok ? 'ip' : 'published',
    linux: pings['windows->linux'].ok ? 'ip' : 'published',
  };
}

/** The ping command line for a probe container of this OS (the daemon's reported OSType). */
export function pingCommand(os: string, ip: string, seconds: number): string[] {
  return os === 'windows' ? ['ping', '-n', '1', '-w', String(seconds * 1000), ip] : ['ping', '-c', '1', '-W', String(seconds), ip];
}

/**
 * Whether a ping answered: exit 0 AND a reply line with a TTL (Windows ping exits 0 on
 * "Destination host unreachable", which a router answers, so the exit code alone proves nothing).
 */
export function pingAnswered(exitCode: number, output: string): boolean {
  return exitCode === 0 && /ttl=/i.test(output);
}

/**
 * Whether an exec of ping could not run it at all (as opposed to a ping without a reply): the shell's
 * 126/127, or the runtime's words for a missing executable (Linux: "executable file not found";
 * Windows: "cannot find the file specified"), a container no longer running, or a ping the
 * container's user may not send (a service with a non-root `user:`: busybox says "permission denied
 * (are you root?)", others "operation not permitted"; Windows "access is denied").
 */
export function pingCannotRun(exitCode: number, output: string): boolean {
  return exitCode === 126 || exitCode === 127 || /executable file not found|no such file or directory|cannot find the file specified|is not running|permission denied|operation not permitted|access is denied/i.test(output);
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

/** The outcome of a probe that could not run (reach then falls back to the endpoints, as decideReach says). */
export const PROBE_OUTCOME_FAILED = 'could-not-run';

/**
 * The key of a probe's answer for the probed platforms, e.g. "linux=ip windows=published": it picks
 * the variant of every by-reach operation (plan.ts). `undefined` reach: the probe could not run.
 */
export function reachOutcomeKey(platforms: readonly PlatformOs[], reach?: Readonly<Partial<Record<PlatformOs, ReachValue>>>): string {
  if (!reach) return PROBE_OUTCOME_FAILED;
  return [...platforms].sort().map((p) => `${p}=${reach[p] ?? 'ip'}`).join(' ');
}

/** Every answer a probe of `platforms` can give, with the reconcile options that plan under it. */
export function probeOutcomes(platforms: readonly PlatformOs[]): { key: string; options: { probedReach?: Partial<Record<PlatformOs, ReachValue>>; probeFailed?: true } }[] {
  let combos: Partial<Record<PlatformOs, ReachValue>>[] = [{}];
  for (const p of [...platforms].sort()) combos = combos.flatMap((c) => (['ip', 'published'] as const).map((v) => ({ ...c, [p]: v })));
  return [
    ...combos.map((probedReach) => ({ key: reachOutcomeKey(platforms, probedReach), options: { probedReach } })),
    { key: PROBE_OUTCOME_FAILED, options: { probeFailed: true as const } },
  ];
}
