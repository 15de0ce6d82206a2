/**
 * The pipelines behind every command that changes state, one straight line: observe once →
 * reconcile → (problems → error) → execute. `up` = apply with command "up" (its pulls and builds
 * are operations of the plan); down/start/stop/restart the same. The reach probe is an operation of the
 * plan (plan/probe-plan.ts). The CLI loads the project, connects, and passes a sink; nothing here prints.
 *
 * The CLI's optimistic `up` (Daemons.projectLock) observes and plans before it holds the project
 * lock; only a plan that changes nothing (plan/changes-nothing.ts) runs from that observation, any
 * other is made again from an observation under the lock (observeAndPlan).
 */
import type { EngineEvent, EventSink } from '../model/events.js';
import type { PlatformOs, Project } from '../model/project.js';
import type { ResumeCommand } from '../plan/fault-report.js';
import type { DaemonFacts, ObservedState } from '../plan/observed-state.js';
import type { Plan } from '../plan/plan.js';
import { problemsError, reconcile, type ReconcileOptions } from '../plan/reconcile.js';
import { changesNothing } from '../plan/changes-nothing.js';
import { answeredPlan } from '../plan/probe-plan.js';
import type { DaemonClient } from './daemon-client.js';
import { execute, type EnsureHelperImage, type ExecuteResult } from './execute.js';
import { observe, type ObserveOptions, type PrefetchedObservation } from './observe.js';
import type { ResolverHostsCache } from './resolver-hosts-cache.js';
import { recordHostsWrites, rememberHosts } from './resolver-hosts-written.js';
import { LABEL_PLATFORM, LABEL_ROLE } from '../plan/labels.js';
import { ensureResolverImage, resolverBase } from './helper-images.js';
import { PROBE_STEP_ID, probeFailureWarning, probeReach, startProbeSide } from './reach-probe.js';
import type { ProbeRunner } from './probe-op.js';
import type { ImageFactOptions } from './image-facts.js';
import type { ConfirmedFacts } from './connect-daemons.js';

export interface Daemons {
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  readonly facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>;
  /**
   * The next observation's daemon calls, asked already under the project lock (the CLI starts them
   * as soon as it holds the lock), or, with `projectLock` not held yet, before it (then a plan made
   * from them runs only when it changes nothing): the next observation of apply takes them, once;
   * later ones ask again.
   */
  readonly observationAhead?: PrefetchedObservation;
  /** The client-side cache of the resolver's hosts files (engine/resolver-hosts-cache.ts); none: always read them. */
  readonly hostsCache?: ResolverHostsCache;
  /**
   * The CLI's optimistic `up`: the project lock, not held yet (cli/project-lock-hook.ts). apply then
   * observes and plans without it; a plan that changes nothing runs as it is, any other is dropped,
   * the lock is taken and the run observes and plans again under it. Absent (the library, which
   * takes no project lock; every other command): observe once, as given.
   */
  readonly projectLock?: DeferredProjectLock;
  /**
   * Set when `facts` came from the client-side cache, not from /info and /version (the CLI's
   * optimistic `up`, engine/daemon-facts-cache.ts): a plan made from them runs only when it changes
   * nothing; any other is made again with the facts this asks for (connect-daemons.ts
   * ConnectedDaemons.confirmFacts; it throws for a daemon that runs the wrong OS now).
   */
  readonly confirmFacts?: () => Promise<ConfirmedFacts>;
}

/** A project lock taken only when a plan has work (Daemons.projectLock). */
export interface DeferredProjectLock {
  /** Taken already (by an earlier plan of the command): then one observation is made, as usual. */
  readonly held: boolean;
  /** Takes it as the command would have at its start: waits (`--wait-lock`) or refuses (ProjectLockedError) while another holds it. */
  take(): Promise<void>;
}

export interface ApplyOptions {
  readonly reconcile: ReconcileOptions;
  readonly onEvent?: EventSink;
  /** Print-only: observe and plan, execute nothing. */
  readonly dryRun?: boolean;
  readonly resume?: ResumeCommand;
  /**
   * `up`: pulls and builds are operations of the plan (plan/image-ops.ts): observe gathers the image
   * facts, reconcile plans the pulls and builds with this policy (refusals are planning problems).
   */
  readonly images?: ImageFactOptions;
  /**
   * Builds helper images observe found missing; default: mixcompose's own resolver image built from
   * the bundled Dockerfile (engine/helper-images.ts). Tests inject their own.
   */
  readonly ensureHelperImage?: EnsureHelperImage;
  /** Cancels the run (Ctrl-C): the reach probe stops and cleans up, the executor starts nothing new. */
  readonly signal?: AbortSignal;
  /** Runs the plan's reach probe; default engine/reach-probe.ts on the two daemons. Tests inject their own. */
  readonly probeReach?: ProbeRunner;
  readonly pollIntervalMs?: number;
}

export interface ApplyResult {
  readonly plan: Plan;
  readonly observed: ObservedState;
  readonly result?: ExecuteResult;
}

export async function apply(project: Project, daemons: Daemons, options: ApplyOptions): Promise<ApplyResult> {
  const up = (options.reconcile.command ?? 'up') === 'up';
  // `used`: the daemons with the facts the plan was made with (confirmed ones, for a plan with work).
  const { observed, plan, problems, daemons: used } = await observeAndPlan(project, daemons, options, up);
  for (const message of plan.warnings) options.onEvent?.({ type: 'warning', message });
  // Problems found while planning: nothing starts; the CLI reports them (one error, a line each).
  if (problems.length) throw problemsError(problems);
  if (options.dryRun) return { plan, observed };
  if (up) reportUntouched(plan, observed, options.onEvent);
  // The hosts the run writes into the resolver, recorded for the cache of its files.
  const recorded = used.hostsCache ? recordHostsWrites(used.clients) : undefined;
  const result = await execute(plan, {
    clients: recorded?.clients ?? used.clients,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    command: options.reconcile.command ?? 'up',
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ensureHelperImage: options.ensureHelperImage ?? buildResolverImage(project, used, options),
    probeReach: options.probeReach ?? runReachProbe(project, used, options),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  if (used.hostsCache && recorded) {
    await rememberHosts(used.hostsCache, project.name, observed, { plan, completed: result.completed, created: result.created.values() }, used.clients, recorded.writes);
  }
  // The reach decisions as the probe's answer made them (the plan held them all).
  return { plan: answeredPlan(plan, result.reachOutcomes), observed, result };
}

/** An observation and the plan made from it. */
interface Planned {
  /** The daemons the plan was made with (their facts confirmed when the first plan had work). */
  readonly daemons: Daemons;
  readonly observed: ObservedState;
  readonly plan: Plan;
  readonly problems: ReturnType<typeof reconcile>['problems'];
}

/**
 * The observation and plan the run executes. With a deferred project lock (the CLI's optimistic
 * `up`), the first observation is made without the lock. Why that is sound:
 * - a plan that changes nothing needs no exclusion: running it writes nothing (its waits only read),
 *   so it cannot collide with another writer, however their calls interleave;
 * - it answers "up to date" only when every list showed the project exactly as this run wants it.
 *   Each daemon's list is one answer from one moment. Another writer's half-done work (a container
 *   removed and not yet made again, a network made and its containers not yet, a hosts file not yet
 *   written) differs from the wanted state, so it makes a plan with work, which goes to the lock
 *   (and is refused, or waits, while that writer holds it). An answer from an untouched project is
 *   what a run just before the other writer would have answered; once it is given, nothing of it is
 *   acted on;
 * - a plan with work (or problems) is dropped: the lock is taken as at the start of the command
 *   (same waiting, same refusal while another holds it), and the run observes and plans again under
 *   it. A plan that changes something is only ever made from an observation under the lock.
 *
 * With facts from the client-side cache (Daemons.confirmFacts), the same rule: only a plan that
 * changes nothing runs from them, any other is made again with /info and /version asked now. Why a
 * plan that changes nothing may come from cached facts: the cache is used only while /_ping names
 * the version, API, OS type, experimental and builder settings the facts were asked with, and such
 * a plan only leaves every container as the daemon shows it: running, made with the config hash the
 * project wants. What facts feed into that hash (bind-source forms, from OperatingSystem/KernelVersion;
 * LCOW's platform, from the storage driver) changes only with another engine installation, whose
 * store holds other containers. Most of what else they decide (drivers of networks to make, the
 * platform of pulls, builds and probes) is work, and with work the facts are confirmed first. What
 * remains are checks and warnings: an image's Windows build against the host's (a host updated to
 * another build restarts, and an image it cannot run leaves its container not running: work), and
 * the warnings of the OS check and of field-warnings.ts, which say what they said the last time.
 */
async function observeAndPlan(project: Project, daemons: Daemons, options: ApplyOptions, up: boolean): Promise<Planned> {
  const first = await planOnce(project, daemons, options, up);
  const deferred = daemons.projectLock;
  const unlocked = deferred !== undefined && !deferred.held && !options.dryRun;
  if ((!unlocked && !daemons.confirmFacts) || changesNothing(first.plan, first.problems)) return first;
  if (unlocked) await deferred.take();
  // Nothing asked before the lock (or with cached facts) may serve this observation.
  const { observationAhead: _askedUnlocked, confirmFacts, ...again } = daemons;
  const confirmed = confirmFacts ? await confirmFacts() : undefined;
  for (const message of confirmed?.warnings ?? []) options.onEvent?.({ type: 'warning', message });
  return planOnce(project, confirmed ? { ...again, facts: confirmed.facts } : again, options, up);
}

async function planOnce(project: Project, daemons: Daemons, options: ApplyOptions, up: boolean): Promise<Planned> {
  const observed = await observeOnce(project, daemons, options, up);
  const { plan, problems } = reconcile(project, observed, {
    hostPlatform: process.platform,
    buildHelperImages: true,
    // The reach probe is an operation of the plan (plan/probe-plan.ts); a dry run does not probe.
    probeReach: up && !options.dryRun,
    ...options.reconcile,
    ...(options.images ? { images: options.images.policy } : {}),
  });
  return { daemons, observed, plan, problems };
}

/**
 * One observation of everything the planner needs (for `up` also the host facts: bind sources,
 * address lookups); the calls asked ahead while the lock was taken are used here, once.
 */
async function observeOnce(project: Project, daemons: Daemons, options: ApplyOptions, up: boolean): Promise<ObservedState> {
  const ahead = daemons.observationAhead?.take();
  return observe(project, daemons.clients, daemons.facts, {
    ...observeOptions(options),
    // `up` repairs the resolver's static answers (published reach): it reads them back.
    ...(up ? { hostFacts: true, staticAnswers: true } : {}),
    ...(ahead ? { ahead } : {}),
    ...(daemons.hostsCache ? { hostsCache: daemons.hostsCache } : {}),
  });
}

/** The default helper-image builder: the resolver image, built on its daemon with the project's base. */
function buildResolverImage(project: Project, daemons: Daemons, options: ApplyOptions): EnsureHelperImage {
  return async (client, image) => {
    const { base, setting } = resolverBase(project, process.env);
    const facts = daemons.facts.linux;
    await ensureResolverImage(client, {
      image,
      base,
      baseSetting: setting,
      env: process.env,
      ...(facts ? { facts } : {}),
      ...(options.onEvent ? { onProgress: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  };
}

/**
 * The runner of the plan's probe-reach operation: engine/reach-probe.ts on the two daemons, ended
 * (and cleaned up) by the executor's signal. Its own step events are the operation's (execute.ts).
 */
function runReachProbe(project: Project, daemons: Daemons, options: ApplyOptions): ProbeRunner {
  return async (op, signal, peers) => {
    const onEvent = options.onEvent;
    const probeOptions = {
      project,
      ...(peers ? { peers } : {}),
      ...(op.windowsFallback ? { fallbackNetworks: { windows: op.windowsFallback.network } } : {}),
      clients: daemons.clients,
      facts: daemons.facts,
      ...(options.reconcile.resolverImage ? { resolverImage: options.reconcile.resolverImage } : {}),
      ...(onEvent ? { onEvent: (event: EngineEvent) => (event.type === 'step' && event.id === PROBE_STEP_ID ? undefined : onEvent(event)) } : {}),
      interrupts: interruptsOf(signal),
      env: process.env,
    };
    // One end of the probe, started beside the rest (ProbeReachOp.side).
    if (op.side) {
      const side = await startProbeSide(probeOptions, op.side, op.network);
      if (side.ok) return { kind: 'side-started', peer: side.peer, network: side.network };
      return side.interrupted ? { kind: 'interrupted' } : { kind: 'could-not-run', warning: probeFailureWarning(side.reason) };
    }
    const result = await probeReach(probeOptions);
    // its clean-up goes on after the answer; the executor awaits it before the run ends.
    if (result.ok) return { kind: 'answered', reach: result.reach, message: result.summary, cleanup: result.cleanup };
    if (result.interrupted) return { kind: 'interrupted' };
    return { kind: 'could-not-run', warning: probeFailureWarning(result.reason) };
  };
}

/** The probe's interrupt subscription, from an AbortSignal. */
function interruptsOf(signal: AbortSignal): (onInterrupt: () => void) => () => void {
  return (onInterrupt) => {
    if (signal.aborted) {
      onInterrupt();
      return () => undefined;
    }
    signal.addEventListener('abort', onInterrupt, { once: true });
    return () => signal.removeEventListener('abort', onInterrupt);
  };
}

/** `up` says which containers it left running as they were (like compose's "Running"). */
function reportUntouched(plan: Plan, observed: ObservedState, onEvent: ApplyOptions['onEvent']): void {
  if (!onEvent) return;
  const touched = new Set(plan.operations.flatMap((op) => ('name' in op ? [op.name] : [])));
  for (const c of observed.containers) {
    if (c.oneoff || c.status !== 'running' || touched.has(c.name) || c.labels[LABEL_ROLE] === 'resolver') continue;
    onEvent({
      type: 'step',
      id: `running:${c.name}`,
      resource: 'container',
      name: c.name,
      platform: (c.labels[LABEL_PLATFORM] as PlatformOs | undefined) ?? c.platform,
      action: 'start',
      status: 'skipped',
      message: 'running',
    });
  }
}

function observeOptions(options: ApplyOptions): ObserveOptions {
  return {
    ...(options.reconcile.resolverImage ? { resolverImage: options.reconcile.resolverImage } : {}),
    ...(options.images ? { images: options.images } : {}),
  };
}
