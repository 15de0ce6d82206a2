import { describe, expect, it } from 'vitest';
import { DependencyCycleError, DependencyGraph, type GraphService } from '../../../src/graph/dependency-graph.js';

const started = { condition: 'service_started' as const, required: true, restart: false };
const svc = (deps: string[] = [], extra: Partial<GraphService> = {}): GraphService => ({
  depends_on: Object.fromEntries(deps.map((d) => [d, started])),
  ...extra,
});

describe('DependencyGraph', () => {
  it('groups services into parallel start levels', () => {
    const g = DependencyGraph.fromServices({ web: svc(['api']), api: svc(['db', 'cache']), db: svc(), cache: svc(), worker: svc(['db']) });
    expect(g.levels()).toEqual([['cache', 'db'], ['api', 'worker'], ['web']]);
    expect(g.order()).toEqual(['cache', 'db', 'api', 'worker', 'web']);
  });

  it('gives a stop order with dependants first', () => {
    const g = DependencyGraph.fromServices({ web: svc(['api']), api: svc(['db']), db: svc(), solo: svc() });
    expect(g.reverseLevels()).toEqual([['solo', 'web'], ['api'], ['db']]);
    expect(g.reverseOrder()).toEqual(['solo', 'web', 'api', 'db']);
  });

  it('counts links, service: namespaces, volumes_from and address references as dependencies', () => {
    const g = DependencyGraph.fromServices({
      a: svc([], { links: ['b:alias'] }),
      b: svc([], { network_mode: 'service:c' }),
      c: svc([], { ipc: 'service:d', pid: 'service:e' }),
      d: svc([], { volumes_from: ['service:f:ro', 'container:external'] }),
      e: svc(),
      f: svc([], { addressReferences: [{ service: 'g', kind: 'host', text: '{{ g.host }}', path: ['environment', 'X'] }] }),
      g: svc([], { addressReferences: [{ service: 'g', kind: 'ip', text: '{{ g.ip }}', path: ['environment', 'SELF'] }] }),
    });
    expect(g.dependenciesOf('a')).toEqual(['b']);
    expect(g.dependenciesOf('b')).toEqual(['c']);
    expect(g.dependenciesOf('c')).toEqual(['d', 'e']);
    expect(g.dependenciesOf('d')).toEqual(['f']);
    expect(g.edge('f', 'g')?.kinds).toEqual(['address']);
    expect(g.dependenciesOf('g')).toEqual([]);
    expect(g.levels()).toEqual([['e', 'g'], ['f'], ['d'], ['c'], ['b'], ['a']]);
  });

  it('keeps the depends_on condition when an edge also comes from an address reference', () => {
    const g = DependencyGraph.fromServices({
      api: {
        depends_on: { db: { condition: 'service_healthy', required: true, restart: false } },
        addressReferences: [{ service: 'db', kind: 'port', port: 5432, text: '{{ db.port:5432 }}', path: ['environment', 'P'] }],
      },
      db: svc(),
    });
    expect(g.edge('api', 'db')).toMatchObject({ condition: 'service_healthy', kinds: ['depends_on', 'address'] });
  });

  it('finds a cycle as a path and refuses to order it', () => {
    const g = DependencyGraph.fromServices({ a: svc(['b']), b: svc(['c']), c: svc(['a']), d: svc() });
    expect(g.findCycle()).toEqual(['a', 'b', 'c', 'a']);
    expect(() => g.levels()).toThrow(DependencyCycleError);
    expect(() => g.levels()).toThrow('dependency cycle: a -> b -> c -> a');
  });

  it('finds no cycle in a DAG and ignores edges to unknown services', () => {
    const g = DependencyGraph.fromServices({ a: svc(['b', 'ghost']), b: svc() });
    expect(g.findCycle()).toBeUndefined();
    expect(g.dependenciesOf('a')).toEqual(['b']);
  });

  it('computes dependency and dependant closures', () => {
    const g = DependencyGraph.fromServices({ web: svc(['api']), api: svc(['db']), db: svc(), other: svc() });
    expect(g.withDependencies(['web'])).toEqual(['api', 'db', 'web']);
    expect(g.withDependents(['db'])).toEqual(['api', 'db', 'web']);
    expect(g.dependentsOf('db')).toEqual(['api']);
  });

  it('orders depth first: each service after the dependencies it brings, branches in name order', () => {
    const g = DependencyGraph.fromServices({ b: svc(), a: svc(['c']), c: svc(['d']), d: svc(), e: svc(['b']) });
    expect(g.depthFirstOrder()).toEqual(['d', 'c', 'a', 'b', 'e']);
    expect(g.depthFirstOrder(['e', 'a'])).toEqual(['d', 'c', 'a', 'b', 'e']);
    expect(g.depthFirstOrder(['e', 'ghost'])).toEqual(['b', 'e']);
    expect(g.order()).toEqual(['b', 'd', 'c', 'e', 'a']);
  });

  it('refuses a depth-first order of a cycle with the cycle as a path', () => {
    const g = DependencyGraph.fromServices({ a: svc(['b']), b: svc(['a']) });
    expect(() => g.depthFirstOrder()).toThrow('dependency cycle: a -> b -> a');
  });

  it('maps each needed service to its direct dependants', () => {
    const g = DependencyGraph.fromServices({ web: svc(['api']), api: svc(['db']), worker: svc(['db']), db: svc(), solo: svc() });
    expect([...g.dependentsMap()]).toEqual([
      ['api', ['web']],
      ['db', ['api', 'worker']],
    ]);
  });

  it('builds the graph of one services record once', () => {
    const services = { a: svc(['b']), b: svc() };
    expect(DependencyGraph.of(services)).toBe(DependencyGraph.of(services));
    expect(DependencyGraph.of({ ...services })).not.toBe(DependencyGraph.of(services));
    expect(DependencyGraph.of(services).dependenciesOf('a')).toEqual(['b']);
  });
});
