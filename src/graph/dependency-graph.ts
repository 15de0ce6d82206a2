/**
 * The dependency DAG over a project's services (pure).
 *
 * A service depends on another when it
 * - lists it in `depends_on` (any condition) or `links`,
 * - shares its namespaces: `network_mode`, `ipc` or `pid` of `service:<name>`, or `volumes_from`,
 * - uses an address reference to it (`{{ db.host }}`, `{{ db.port:N }}`, `{{ db.ip }}`): the
 *   consumer's container is created with the provider's address, so the provider must have been
 *   started first. A reference of a service to itself is not an edge.
 * Edges to services not in the graph are ignored here (the loader reports them).
 */
import type { Service } from '../model/project.js';

export type DependencyKind = 'depends_on' | 'links' | 'network_mode' | 'ipc' | 'pid' | 'volumes_from' | 'address';

/** `from` needs `to` started first. */
export interface DependencyEdge {
  readonly from: string;
  readonly to: string;
  readonly kinds: readonly DependencyKind[];
  /** From `depends_on` when written there, else `service_started`. */
  readonly condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  readonly required: boolean;
}

/** The parts of a Service the graph reads (so tests can build services tersely). */
export type GraphService = Pick<Service, 'depends_on'> &
  Partial<Pick<Service, 'links' | 'network_mode' | 'ipc' | 'pid' | 'volumes_from' | 'addressReferences'>>;

export class DependencyCycleError extends Error {
  override readonly name = 'DependencyCycleError';
  constructor(readonly cycle: readonly string[]) {
    super(`dependency cycle: ${cycle.join(' -> ')}`);
  }
}

/** Code-point order of names: deterministic whatever the locale (plans and output are sorted by it). */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One graph per services record (records are never changed once loaded), built on first use. */
const built = new WeakMap<object, DependencyGraph>();

export class DependencyGraph {
  private readonly out = new Map<string, Map<string, DependencyEdge>>();
  private readonly in = new Map<string, Set<string>>();

  private constructor(readonly nodes: readonly string[]) {
    for (const n of nodes) {
      this.out.set(n, new Map());
      this.in.set(n, new Set());
    }
  }

  /** Builds the graph of `services` (a project's active services, usually). */
  static fromServices(services: Readonly<Record<string, GraphService>>): DependencyGraph {
    const graph = new DependencyGraph(Object.keys(services).sort(byName));
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, spec] of Object.entries(s.depends_on ?? {})) graph.addEdge(name, dep, 'depends_on', spec.condition, spec.required);
      for (const link of s.links ?? []) graph.addEdge(name, link.split(':')[0]!, 'links');
      for (const key of ['network_mode', 'ipc', 'pid'] as const) {
        const v = s[key];
        if (typeof v === 'string' && v.startsWith('service:')) graph.addEdge(name, v.slice('service:'.length), key);
      }
      for (const vf of s.volumes_from ?? []) {
        if (vf.startsWith('container:')) continue;
        graph.addEdge(name, vf.replace(/^service:/, '').split(':')[0]!, 'volumes_from');
      }
      for (const ref of s.addressReferences ?? []) graph.addEdge(name, ref.service, 'address');
    }
    return graph;
  }

  /**
   * The graph of `services`, built once per services record and shared: the planner asks for
   * dependencies of every service, and rebuilding the graph each time would be quadratic.
   */
  static of(services: Readonly<Record<string, GraphService>>): DependencyGraph {
    let graph = built.get(services);
    if (!graph) {
      graph = DependencyGraph.fromServices(services);
      built.set(services, graph);
    }
    return graph;
  }

  /** Builds a graph from explicit edges (tests, planners with synthetic nodes). */
  static fromEdges(nodes: readonly string[], edges: readonly { from: string; to: string; kind?: DependencyKind }[]): DependencyGraph {
    const graph = new DependencyGraph([...nodes].sort(byName));
    for (const e of edges) graph.addEdge(e.from, e.to, e.kind ?? 'depends_on');
    return graph;
  }

  private addEdge(
    from: string,
    to: string,
    kind: DependencyKind,
    condition: DependencyEdge['condition'] = 'service_started',
    required = true,
  ): void {
    if (from === to || !this.out.has(from) || !this.out.has(to)) return;
    const edges = this.out.get(from)!;
    const existing = edges.get(to);
    if (existing) {
      // depends_on's condition is the one that counts; other kinds only add "started first".
      edges.set(to, {
        ...existing,
        kinds: existing.kinds.includes(kind) ? existing.kinds : [...existing.kinds, kind],
        ...(kind === 'depends_on' ? { condition, required } : {}),
      });
    } else {
      edges.set(to, { from, to, kinds: [kind], condition, required });
    }
    this.in.get(to)!.add(from);
  }

  has(name: string): boolean {
    return this.out.has(name);
  }

  /** Direct dependencies of `name`, sorted. */
  dependenciesOf(name: string): string[] {
    return [...(this.out.get(name)?.keys() ?? [])].sort(byName);
  }

  /** Direct dependants of `name` (services that need it), sorted. */
  dependentsOf(name: string): string[] {
    return [...(this.in.get(name) ?? [])].sort(byName);
  }

  edge(from: string, to: string): DependencyEdge | undefined {
    return this.out.get(from)?.get(to);
  }

  /** All edges, sorted by from, then to. */
  edges(): DependencyEdge[] {
    return this.nodes.flatMap((n) => this.dependenciesOf(n).map((d) => this.out.get(n)!.get(d)!));
  }

  /** A cycle as a path that returns to its start (`['a', 'b', 'a']`), or undefined. Deterministic. */
  findCycle(): string[] | undefined {
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (n: string): string[] | undefined => {
      state.set(n, 'visiting');
      stack.push(n);
      for (const d of this.dependenciesOf(n)) {
        const s = state.get(d);
        if (s === 'visiting') return [...stack.slice(stack.indexOf(d)), d];
        if (s === undefined) {
          const found = visit(d);
          if (found) return found;
        }
      }
      stack.pop();
      state.set(n, 'done');
      return undefined;
    };
    for (const n of this.nodes) {
      if (state.has(n)) continue;
      const found = visit(n);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Start levels: level 0 has no dependencies; every service is one level above its deepest
   * dependency. Services of one level can start in parallel. Throws DependencyCycleError.
   */
  levels(): string[][] {
    return this.layers((n) => this.dependenciesOf(n));
  }

  /** Stop levels: dependants before their dependencies (each level after all that need it). */
  reverseLevels(): string[][] {
    return this.layers((n) => this.dependentsOf(n));
  }

  /** Groups nodes by the length of the longest `next` chain below them. */
  private layers(next: (n: string) => string[]): string[][] {
    const cycle = this.findCycle();
    if (cycle) throw new DependencyCycleError(cycle);
    const depth = new Map<string, number>();
    const depthOf = (n: string): number => {
      const known = depth.get(n);
      if (known !== undefined) return known;
      const d = Math.max(-1, ...next(n).map(depthOf)) + 1;
      depth.set(n, d);
      return d;
    };
    const levels: string[][] = [];
    for (const n of this.nodes) (levels[depthOf(n)] ??= []).push(n);
    return levels.map((l) => l.sort(byName));
  }

  /** A start order (levels flattened). */
  order(): string[] {
    return this.levels().flat();
  }

  /**
   * A start order by depth-first walk: `names` (default: all) in name order, each preceded by
   * everything it depends on, also in name order. The order plans list services in: a service
   * stays next to the dependencies it brought. Throws DependencyCycleError.
   */
  depthFirstOrder(names: Iterable<string> = this.nodes): string[] {
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: readonly string[]): void => {
      const seen = state.get(name);
      if (seen === 'done') return;
      if (seen === 'visiting') throw new DependencyCycleError([...path.slice(path.indexOf(name)), name]);
      state.set(name, 'visiting');
      for (const dependency of this.dependenciesOf(name)) visit(dependency, [...path, name]);
      state.set(name, 'done');
      order.push(name);
    };
    for (const name of [...names].filter((n) => this.has(n)).sort(byName)) visit(name, []);
    return order;
  }

  /** Every service that others need → the services that need it directly (sorted). */
  dependentsMap(): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const name of this.nodes) {
      const users = this.dependentsOf(name);
      if (users.length) map.set(name, users);
    }
    return map;
  }

  /** A stop order: every service before the services it depends on. */
  reverseOrder(): string[] {
    return this.reverseLevels().flat();
  }

  /** `names` plus everything they depend on, transitively (e.g. `up api` also starts db). */
  withDependencies(names: readonly string[]): string[] {
    return this.closure(names, (n) => this.dependenciesOf(n));
  }

  /** `names` plus everything that depends on them, transitively (e.g. what to restart/stop with them). */
  withDependents(names: readonly string[]): string[] {
    return this.closure(names, (n) => this.dependentsOf(n));
  }

  private closure(names: readonly string[], next: (n: string) => string[]): string[] {
    const seen = new Set<string>();
    const todo = names.filter((n) => this.has(n));
    while (todo.length) {
      const n = todo.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      todo.push(...next(n));
    }
    return [...seen].sort(byName);
  }
}
