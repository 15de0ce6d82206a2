/**
 * Service-to-service dependencies as the planner needs them: depends_on, address references
 * (`{{ db.host }}` needs db's address first), network_mode / ipc / pid `service:x` and volumes_from.
 */
import { PlanError } from '../errors.js';
import type { Project, Service } from '../model/project.js';

/** Names of the services `service` needs first, sorted. Only services present in `project`. */
export function serviceDependencies(project: Project, service: Service): string[] {
  const deps = new Set<string>();
  for (const [name] of Object.entries(service.depends_on ?? {})) deps.add(name);
  for (const ref of service.addressReferences ?? []) deps.add(ref.service);
  for (const mode of [service.network_mode, service.ipc, service.pid]) if (mode?.startsWith('service:')) deps.add(mode.slice('service:'.length));
  for (const v of service.volumes_from ?? []) {
    const source = v.split(':')[0]!;
    if (!source.startsWith('container:')) deps.add(source);
  }
  deps.delete(service.name);
  return [...deps].filter((d) => project.services[d]).sort();
}

/**
 * Names given on the command line must be services of the project: PlanError (exit 1) naming
 * every unknown one, with a hint when only its profile is not enabled.
 */
export function checkServiceNames(project: Project, names: readonly string[]): void {
  const unknown = names.filter((n) => !project.services[n]);
  if (unknown.length === 0) return;
  const described = unknown.map((n) => (project.disabledServices[n] ? `${n} (its profile is not enabled)` : n));
  throw new PlanError(`no such service: ${described.join(', ')}`, unknown[0]);
}

/** Services in dependency order (dependencies first; ties by name). Throws PlanError on a cycle. */
export function dependencyOrder(project: Project, names: Iterable<string> = Object.keys(project.services)): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new PlanError(`dependency cycle: ${cycle.join(' -> ')}`, name);
    }
    state.set(name, 'visiting');
    for (const dep of serviceDependencies(project, project.services[name]!)) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...names].sort()) visit(name, []);
  return order;
}

/** The services plus everything they depend on, transitively. */
export function withDependencies(project: Project, names: readonly string[]): Set<string> {
  checkServiceNames(project, names);
  const result = new Set<string>();
  const add = (name: string) => {
    if (result.has(name)) return;
    result.add(name);
    for (const dep of serviceDependencies(project, project.services[name]!)) add(dep);
  };
  names.forEach(add);
  return result;
}

/** service → the services that depend on it directly. */
export function dependents(project: Project): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const name of Object.keys(project.services).sort()) {
    for (const dep of serviceDependencies(project, project.services[name]!)) {
      map.set(dep, [...(map.get(dep) ?? []), name]);
    }
  }
  return map;
}
