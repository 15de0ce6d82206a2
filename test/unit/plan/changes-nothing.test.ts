/**
 * The optimistic `up`'s test of a plan made without the project lock: only a plan that changes
 * nothing may run unlocked. Waits (`up --wait`) change nothing; every writing operation, the reach
 * probe (throw-away containers) and a by-reach operation with a writing variant do; problems send the
 * run to the lock too.
 */
import { describe, expect, it } from 'vitest';
import { changesNothing, operationChanges } from '../../../src/plan/changes-nothing.js';
import type { Operation } from '../../../src/plan/plan.js';
import { observed, planOf, project, service } from './builders.js';

const op = (kind: Operation['kind'], extra: Record<string, unknown> = {}): Operation => ({ id: `${kind}:x`, deps: [], daemon: 'linux', kind, ...extra }) as unknown as Operation;
const wait = op('wait', { condition: 'healthy', timeoutMs: 1000 });

describe('changesNothing', () => {
  it('an empty plan and a plan of waits change nothing', () => {
    expect(changesNothing({ operations: [] })).toBe(true);
    expect(changesNothing({ operations: [wait, wait] })).toBe(true);
  });

  it('every writing operation is a change', () => {
    const writing: Operation['kind'][] = [
      'create-network', 'create-volume', 'ensure-helper-image', 'pull-image', 'build-image', 'create-container', 'start-container',
      'stop-container', 'remove-container', 'restart-container', 'register-hosts', 'unregister-hosts', 'remove-network', 'remove-volume',
      'remove-image', 'probe-reach',
    ];
    for (const kind of writing) {
      expect(operationChanges(op(kind)), kind).toBe(true);
      expect(changesNothing({ operations: [wait, op(kind)] }), kind).toBe(false);
    }
  });

  it('a by-reach operation changes something when any variant does', () => {
    expect(operationChanges(op('by-reach', { probe: 'probe', variants: { ip: wait, published: undefined } }))).toBe(false);
    expect(operationChanges(op('by-reach', { probe: 'probe', variants: { ip: wait, published: op('register-hosts') } }))).toBe(true);
  });

  it('problems found while planning send the run to the lock, even with no operation', () => {
    expect(changesNothing({ operations: [] }, [{ message: 'port 53 is taken' }])).toBe(false);
  });

  it("the planner's plan of a fresh stack is a change", () => {
    expect(changesNothing(planOf(project([service('db')]), observed()))).toBe(false);
  });
});
