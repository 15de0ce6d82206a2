/** The planner's dependency questions answered by the one graph (plan/dependencies.ts adapts it). */
import { describe, expect, it } from 'vitest';
import { PlanError } from '../../../src/errors.js';
import { dependencyOrder, dependents, selectServices, serviceDependencies, withDependencies } from '../../../src/plan/dependencies.js';
import { project, service } from '../plan/builders.js';

const started = { condition: 'service_started' as const, required: true, restart: false };

describe('plan dependencies over the graph', () => {
  const stack = project([
    service('web', { links: ['api:backend'], environment: { DB: '{{ db.host }}' } }),
    service('api', { depends_on: { db: started }, ipc: 'service:shm' }),
    service('sidecar', { network_mode: 'service:api', pid: 'service:api', volumes_from: ['container:outside', 'data:ro'] }),
    service('db'),
    service('shm'),
    service('data'),
  ]);

  it('counts every kind of dependency the graph knows (links, ipc, pid, volumes_from, addresses)', () => {
    expect(serviceDependencies(stack, stack.services.web!)).toEqual(['api', 'db']);
    expect(serviceDependencies(stack, stack.services.api!)).toEqual(['db', 'shm']);
    expect(serviceDependencies(stack, stack.services.sidecar!)).toEqual(['api', 'data']);
  });

  it('orders dependencies first, names the closure and the dependants', () => {
    expect(dependencyOrder(stack)).toEqual(['db', 'shm', 'api', 'data', 'sidecar', 'web']);
    expect(dependencyOrder(stack, ['web'])).toEqual(['db', 'shm', 'api', 'web']);
    expect([...withDependencies(stack, ['sidecar'])].sort()).toEqual(['api', 'data', 'db', 'shm', 'sidecar']);
    expect(dependents(stack).get('api')).toEqual(['sidecar', 'web']);
    expect(dependents(stack).get('web')).toBeUndefined();
  });

  it('selects the named services, with their dependencies when asked, none named meaning all', () => {
    expect(selectServices(stack, [], true)).toBeUndefined();
    expect(selectServices(stack, ['web'], false)).toEqual(['web']);
    expect(selectServices(stack, ['web'], true)).toEqual(['api', 'db', 'shm', 'web']);
    expect(() => selectServices(stack, ['web', 'ghost'], false)).toThrow('no such service: ghost');
  });

  it('refuses unknown names and cycles as PlanError', () => {
    expect(() => withDependencies(stack, ['nope'])).toThrow(PlanError);
    const cyclic = project([service('a', { depends_on: { b: started } }), service('b', { links: ['a'] })]);
    expect(() => dependencyOrder(cyclic)).toThrow(new PlanError('dependency cycle: a -> b -> a', 'a'));
  });
});
