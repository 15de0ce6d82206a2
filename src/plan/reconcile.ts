/**
 * reconcile(project, observed, options) → { plan, problems }: every decision of every command, pure.
 * A user problem (a refusal: a wrong dependency condition, a port taken, a missing helper image) is
 * returned, never thrown; a plan with problems must not run (the CLI reports them, nothing starts).
 */
import { PlanError } from '../errors.js';
import type { PlatformOs, Project } from '../model/project.js';
import { networkName, serviceNetworkKeys } from './create-body.js';
import type { ObservedState } from './observed-state.js';
import type { Plan } from './plan.js';
import { PlanContext } from './plan-context.js';
import { planDown, planRestart, planStart, planStop } from './reconcile-lifecycle.js';
import type { ReconcileOptions } from './reconcile-options.js';
import { decideReach, planUp } from './reconcile-up.js';
import { spansTwoDaemons } from './placement.js';
import { planProbeLeftovers } from './probe-leftovers.js';
import { mergeOutcomes, planOutcomes } from './probe-plan.js';
import { reachToProbe } from './reach.js';

export type { ReconcileOptions } from './reconcile-options.js';

export interface Reconciled {
  readonly plan: Plan;
  /** User problems found while planning; when any, the plan must not run. */
  readonly problems: readonly PlanError[];
}

export function reconcile(project: Project, observed: ObservedState, options: ReconcileOptions = {}): Reconciled {
  // `up` that probes reach: the probe is an operation, the plan holds every answer (probe-plan.ts).
  const probing = options.probeReach && (options.command ?? 'up') === 'up' ? reachToProbe(project, observed) : [];
  if (probing.length === 0) return reconcileOnce(project, observed, options);
  // The probe removes what a killed earlier probe left: the outcomes' plans need not.
  const { probeLeftovers: _removedByProbe, ...rest } = observed;
  const { probeReach: _probing, ...once } = options;
  const outcomes = planOutcomes(probing, once, (o) => reconcileOnce(project, rest, o));
  const linuxDaemon = new PlanContext(project, rest, once).placement.linux;
  // the linux side of the probe may be the project resolver when the probe image there is the resolver image.
  const facts = rest.daemons[linuxDaemon];
  const linuxRunsLinux = facts !== undefined && (facts.osType !== 'windows' || facts.lcow === true);
  const daemons = project.extension.daemons;
  // A probe image of the user's on a daemon is what the probe runs there (no container of the plan instead).
  return mergeOutcomes(probing, outcomes, {
    probeDaemon: linuxDaemon,
    resolverPeer: linuxRunsLinux && !daemons.linux?.probe_image,
    servicePeer: !daemons.windows?.probe_image,
    networks: probeNetworks(project),
  });
}

/**
 * Per platform, the project network the probe's throw-away end joins on that platform's daemon: the
 * first network of the first service (by name) of that platform, as the services use it (so the
 * probe tests their network, and makes none of its own). Absent: no service of it joins one.
 */
function probeNetworks(project: Project): Partial<Record<PlatformOs, string>> {
  const out: Partial<Record<PlatformOs, string>> = {};
  for (const name of Object.keys(project.services).sort()) {
    const service = project.services[name]!;
    const key = serviceNetworkKeys(service)[0];
    if (key && !out[service.platform.os] && !project.networks[key]?.external) out[service.platform.os] = networkName(project, key);
  }
  return out;
}

function reconcileOnce(project: Project, observed: ObservedState, options: ReconcileOptions): Reconciled {
  const ctx = new PlanContext(project, observed, options);
  let planned: { reach: Plan['reach']; resolver: boolean } = { reach: {}, resolver: false };
  try {
    planned = planCommand(ctx);
  } catch (error) {
    // A step that cannot go on (the rest would build on what it refused) stops planning: its problem.
    if (!(error instanceof PlanError)) throw error;
    ctx.problems.push(error);
  }
  const platforms = [...new Set(Object.values(project.services).map((s) => s.platform.os))].sort();
  const plan: Plan = {
    project: project.name,
    command: options.command ?? 'up',
    placement: ctx.placement,
    platforms,
    // How one daemon reaches the other's containers matters only when the services use two.
    reach: spansTwoDaemons(ctx.placement, platforms) ? planned.reach : {},
    resolver: planned.resolver,
    operations: ctx.problems.length ? [] : ctx.operations,
    warnings: [...new Set(ctx.warnings)],
  };
  return { plan, problems: [...ctx.problems] };
}

/** The problems as one error, for callers that stop on them (each problem on its own line). */
export function problemsError(problems: readonly PlanError[]): PlanError {
  if (problems.length === 1) return problems[0]!;
  return new PlanError(problems.map((p) => p.message).join('\n'), problems[0]?.service);
}

function planCommand(ctx: PlanContext): { reach: Plan['reach']; resolver: boolean } {
  let reach: Plan['reach'] = {};
  let resolver = false;
  switch (ctx.options.command ?? 'up') {
    case 'up':
      ({ reach, resolver } = planUp(ctx));
      planProbeLeftovers(ctx);
      break;
    case 'down':
      planDown(ctx);
      planProbeLeftovers(ctx);
      break;
    case 'stop':
      planStop(ctx);
      break;
    case 'start':
      planStart(ctx);
      reach = decideReach(ctx);
      break;
    case 'restart':
      planRestart(ctx);
      break;
  }
  return { reach, resolver };
}
