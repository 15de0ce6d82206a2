/**
 * reconcile(project, observed, options) → Plan: every decision of every command, pure.
 */
import type { Project } from '../model/project.js';
import type { ObservedState } from './observed-state.js';
import type { Plan } from './plan.js';
import { PlanContext } from './plan-context.js';
import { planDown, planRestart, planStart, planStop } from './reconcile-lifecycle.js';
import type { ReconcileOptions } from './reconcile-options.js';
import { decideReach, planUp } from './reconcile-up.js';
import { spansTwoDaemons } from './placement.js';
import { planProbeLeftovers } from './probe-leftovers.js';

export type { ReconcileOptions } from './reconcile-options.js';

export function reconcile(project: Project, observed: ObservedState, options: ReconcileOptions = {}): Plan {
  const ctx = new PlanContext(project, observed, options);
  let reach = {};
  let resolver = false;
  switch (options.command ?? 'up') {
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
  const platforms = [...new Set(Object.values(project.services).map((s) => s.platform.os))].sort();
  return {
    project: project.name,
    command: options.command ?? 'up',
    placement: ctx.placement,
    platforms,
    // How one daemon reaches the other's containers matters only when the services use two.
    reach: spansTwoDaemons(ctx.placement, platforms) ? reach : {},
    resolver,
    operations: ctx.operations,
    warnings: [...new Set(ctx.warnings)],
  };
}
