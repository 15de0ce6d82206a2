/**
 * The pipelines behind every command that changes state: observe → (images) → reconcile →
 * execute. `up` = apply with command "up" and an image step; down/start/stop/restart the same
 * without it. The CLI loads the project, connects, and passes a sink; nothing here prints.
 */
import type { EventSink } from '../model/events.js';
import type { PlatformOs, Project } from '../model/project.js';
import type { ResumeCommand } from '../plan/fault-report.js';
import type { DaemonFacts, ObservedState } from '../plan/observed-state.js';
import type { Plan } from '../plan/plan.js';
import { problemsError, reconcile, type ReconcileOptions } from '../plan/reconcile.js';
import type { DaemonClient } from './daemon-client.js';
import { execute, type EnsureHelperImage, type ExecuteResult } from './execute.js';
import { observe, type ObserveOptions } from './observe.js';
import { statBindSources } from './bind-sources.js';
import { LABEL_PLATFORM, LABEL_ROLE } from '../plan/labels.js';
import { ensureResolverImage, resolverBase } from './helper-images.js';
import { reachToProbe } from '../plan/reach.js';
import { probeFailureWarning, probeReach, ReachProbeInterrupted } from './reach-probe.js';
import { lookupDaemonAddresses } from './daemon-addresses.js';
import type { ImageFactOptions } from './image-facts.js';

export interface Daemons {
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  readonly facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>;
}

export interface ApplyOptions {
  readonly reconcile: ReconcileOptions;
  readonly onEvent?: EventSink;
  /** Print-only: observe and plan, execute nothing. */
  readonly dryRun?: boolean;
  /**
   * Makes sure the services' images are on their daemons before planning (`run`, the library API;
   * `up` plans its pulls and builds instead: `images`). Runs beside the first observation; answers
   * whether it pulled or built anything (then images are observed again).
   */
  readonly ensureImages?: () => Promise<boolean>;
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
  readonly pollIntervalMs?: number;
}

export interface ApplyResult {
  readonly plan: Plan;
  readonly observed: ObservedState;
  readonly result?: ExecuteResult;
}

export async function apply(project: Project, daemons: Daemons, options: ApplyOptions): Promise<ApplyResult> {
  const command = options.reconcile.command ?? 'up';
  // up: observe, then (reach auto, two daemons, nothing recorded) probe reach; beside the image step.
  const observing = observeAndProbe(project, daemons, options, command === 'up' && !options.dryRun);
  let first: ObservedState;
  let probe: Pick<ReconcileOptions, 'probedReach' | 'probeFailed'>;
  let changedImages: boolean;
  try {
    [{ observed: first, probe }, changedImages] = await Promise.all([
      observing,
      options.ensureImages && !options.dryRun ? options.ensureImages() : Promise.resolve(false),
    ]);
  } catch (error) {
    // The probe cleans up after itself: let it, before the caller closes the daemon connections.
    await observing.catch(() => undefined);
    throw error;
  }
  const observed = changedImages ? await observe(project, daemons.clients, daemons.facts, observeOptions(options)) : first;
  const sourceKinds = command === 'up' ? await statBindSources(project) : {};
  const addressIps = command === 'up' ? await lookupDaemonAddresses(project) : {};
  const { plan, problems } = reconcile(project, observed, {
    sourceKinds,
    hostPlatform: process.platform,
    addressIps,
    buildHelperImages: true,
    ...options.reconcile,
    ...(options.images ? { images: options.images.policy } : {}),
    ...probe,
  });
  for (const message of plan.warnings) options.onEvent?.({ type: 'warning', message });
  // Problems found while planning: nothing starts; the CLI reports them (one error, a line each).
  if (problems.length) throw problemsError(problems);
  if (options.dryRun) return { plan, observed };
  if ((options.reconcile.command ?? 'up') === 'up') reportUntouched(plan, observed, options.onEvent);
  const result = await execute(plan, {
    clients: daemons.clients,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    command: options.reconcile.command ?? 'up',
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ensureHelperImage: options.ensureHelperImage ?? buildResolverImage(project, daemons, options),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  return { plan, observed, result };
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
 * observe, then for `up` the reach probe when plan/reach.ts says one is needed. What a killed `up`'s
 * probe left is planned for removal (plan/probe-leftovers.ts); a probe that runs removes it first.
 */
async function observeAndProbe(
  project: Project,
  daemons: Daemons,
  options: ApplyOptions,
  probing: boolean,
): Promise<{ observed: ObservedState; probe: Pick<ReconcileOptions, 'probedReach' | 'probeFailed'> }> {
  const observed = await observe(project, daemons.clients, daemons.facts, observeOptions(options));
  if (!probing || reachToProbe(project, observed).length === 0) return { observed, probe: {} };
  const result = await probeReach({
    project,
    clients: daemons.clients,
    facts: daemons.facts,
    ...(options.reconcile.resolverImage ? { resolverImage: options.reconcile.resolverImage } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.signal ? { interrupts: interruptsOf(options.signal) } : {}),
    env: process.env,
  });
  if (!result.ok && result.interrupted) throw new ReachProbeInterrupted();
  if (result.ok) {
    // The probe removed what an earlier one left (it does so first, and after itself).
    const { probeLeftovers: _removed, ...rest } = observed;
    return { observed: rest, probe: { probedReach: result.reach } };
  }
  options.onEvent?.({ type: 'warning', message: probeFailureWarning(result.reason) });
  return { observed, probe: { probeFailed: true } };
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
