/**
 * What `--dry-run` prints for the commands that have a plan (down, start, stop, restart, run) and
 * for pull/build (their image plan): the steps go to stderr and are closed first, the plan goes to
 * stdout. Nothing here calls a daemon.
 */
import type { ImagePlan } from '../../engine/images.js';
import { formatPlan } from '../../plan/format-plan.js';
import type { Plan } from '../../plan/plan.js';
import type { Session } from './session.js';

/** Closes the session's steps, then prints the plans. */
export async function printPlans(session: Pick<Session, 'reporter'>, plans: readonly Plan[], trailer: readonly string[] = []): Promise<void> {
  await session.reporter.close();
  process.stdout.write(plans.map(formatPlan).join('') + trailer.map((l) => `${l}\n`).join(''));
}

/** `pull --dry-run` / `build --dry-run`: one line per service, what would be done and why. */
export function imagePlanText(plan: ImagePlan, verb: 'pull' | 'build'): string {
  const entries = [...plan.entries].sort((a, b) => a.service.localeCompare(b.service));
  const lines = entries.map((e) =>
    e.action === 'skip' ? `${e.service}: ${e.image} on ${e.platform}: nothing to do (${e.reason})` : `${e.service}: would ${e.action} ${e.image} on ${e.platform} (${e.reason})`,
  );
  if (!entries.some((e) => e.action === verb)) lines.push(`nothing to ${verb}`);
  return [...lines, ...plan.warnings.map((w) => `warning: ${w}`)].map((l) => `${l}\n`).join('');
}

/** Closes the session's steps, then prints the image plan. */
export async function printImagePlan(session: Pick<Session, 'reporter'>, plan: ImagePlan, verb: 'pull' | 'build'): Promise<void> {
  await session.reporter.close();
  process.stdout.write(imagePlanText(plan, verb));
}
