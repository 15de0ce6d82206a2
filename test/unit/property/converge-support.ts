/**
 * Drives `up` and `down` (engine/apply: observe → reconcile → execute) against two MemEngines and
 * checks the outcome: every service running once, or nothing of the project left; foreign things
 * as they were; no operation planned twice.
 */
import { expect } from 'vitest';
import { apply } from '../../../src/engine/apply.js';
import type { Project } from '../../../src/model/project.js';
import type { Operation, Plan } from '../../../src/plan/plan.js';
import { LABEL_PROJECT } from '../../../src/plan/labels.js';
import { facts, project, service } from '../plan/builders.js';
import { MemEngine, MemWorld, type Fault } from './memory-engine.js';

export interface Rig {
  readonly world: MemWorld;
  readonly linux: MemEngine;
  readonly windows: MemEngine;
  readonly project: Project;
}

/** db on linux; api (depends on db) and two web replicas on the windows-declared daemon: the resolver is used. */
export function convergeProject(): Project {
  const started = { condition: 'service_started', required: true, restart: false } as const;
  return project([
    service('db', { command: ['sleep', '1'] }),
    service('api', { platform: 'windows', command: ['sleep', '1'], depends_on: { db: started } }),
    service('web', { platform: 'windows', command: ['sleep', '1'], scale: 2, depends_on: { api: started } }),
  ]);
}

export function makeRig(p: Project = convergeProject()): Rig {
  const world = new MemWorld();
  return { world, linux: new MemEngine('linux', world, '10.201.0'), windows: new MemEngine('windows', world, '10.202.0'), project: p };
}

const engines = (rig: Rig) => [rig.linux, rig.windows];

/** A key per "what an operation does to which resource": two ops with one key do the same thing twice. */
function effectKey(op: Operation): string {
  const target =
    'container' in op && op.container
      ? 'id' in op.container
        ? op.container.id
        : op.container.createdBy
      : op.kind === 'remove-network'
        ? (op.network ?? op.name)
        : 'name' in op
          ? op.name
          : op.id;
  const extra = op.kind === 'wait' ? `:${op.condition}` : op.kind === 'register-hosts' ? `:${op.dir ?? ''}/${op.file}` : op.kind === 'unregister-hosts' ? `:/${op.file}` : '';
  return `${op.kind}@${op.daemon}:${target}${extra}`;
}

export function expectNoOperationTwice(plan: Plan): void {
  const ids = plan.operations.map((op) => op.id);
  expect(new Set(ids).size, `duplicate op ids in ${ids.join(' ')}`).toBe(ids.length);
  const keys = plan.operations.map(effectKey);
  expect(new Set(keys).size, `one thing done twice: ${keys.join(' ')}`).toBe(keys.length);
}

export interface RunOutcome {
  readonly plan?: Plan;
  readonly error?: unknown;
}

/** One command: plan it (checked), then run it with the rig's fault, if any. Never throws. */
export async function run(rig: Rig, command: 'up' | 'down', fault?: Fault): Promise<RunOutcome> {
  const daemons = { clients: { linux: rig.linux, windows: rig.windows }, facts: { linux: facts('linux'), windows: facts('windows') } };
  const reconcileOptions = { command, ...(command === 'down' ? { removeOrphans: true } : {}) } as const;
  let plan: Plan | undefined;
  try {
    ({ plan } = await apply(rig.project, daemons, { reconcile: reconcileOptions, dryRun: true }));
    expectNoOperationTwice(plan);
  } catch (error) {
    expectNotInternal(error);
    return { error };
  }
  const abort = new AbortController();
  rig.world.abort = abort;
  rig.world.calls = 0;
  rig.world.fault = fault;
  try {
    await apply(rig.project, daemons, { reconcile: reconcileOptions, signal: abort.signal, ensureHelperImage: async () => undefined, pollIntervalMs: 0 });
    return { plan };
  } catch (error) {
    expectNotInternal(error);
    return { plan, error };
  } finally {
    rig.world.fault = undefined;
  }
}

/** An internal error (a bug) is never the outcome of an observed state. */
export function expectNotInternal(error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  expect(text).not.toMatch(/internal error|internal:|duplicate plan operation|is not a function|Cannot read prop|undefined/);
}

/** Project resources left, per daemon, as "kind name". */
export function projectLeft(rig: Rig): string[] {
  const name = rig.project.name;
  return engines(rig).flatMap((e) => [
    ...[...e.containers.values()].filter((c) => c.labels[LABEL_PROJECT] === name).map((c) => `${e.label} container ${c.name} ${c.status}`),
    ...[...e.networks.values()].filter((n) => n.labels[LABEL_PROJECT] === name).map((n) => `${e.label} network ${n.name}`),
  ]).sort();
}

/** Every service replica once and running, the resolver running, each project network once per daemon. */
export function expectAllRunning(rig: Rig): void {
  expect(projectLeft(rig)).toEqual(
    [
      'linux container shop-db-1 running',
      'linux container shop-mixcompose-resolver running',
      'linux network shop_default',
      'windows container shop-api-1 running',
      'windows container shop-web-1 running',
      'windows container shop-web-2 running',
      'windows network shop_default',
    ].sort(),
  );
}

/** A snapshot of everything not of the project, to compare before and after. */
export function foreignState(rig: Rig): string[] {
  const name = rig.project.name;
  return engines(rig).flatMap((e) => [
    ...[...e.containers.values()].filter((c) => c.labels[LABEL_PROJECT] !== name).map((c) => `${e.label} container ${c.id} ${c.name} ${c.status}`),
    ...[...e.networks.values()].filter((n) => n.labels[LABEL_PROJECT] !== name).map((n) => `${e.label} network ${n.id} ${n.name}`),
  ]).sort();
}

/** `up` converges (and a second `up` plans nothing), then `down` leaves nothing of the project. */
export async function expectUpThenDown(rig: Rig): Promise<void> {
  const up = await run(rig, 'up');
  expect(up.error).toBeUndefined();
  expectAllRunning(rig);
  const again = await run(rig, 'up');
  expect(again.plan?.operations.map((op) => op.id)).toEqual([]);
  const down = await run(rig, 'down');
  expect(down.error).toBeUndefined();
  expect(projectLeft(rig)).toEqual([]);
}
