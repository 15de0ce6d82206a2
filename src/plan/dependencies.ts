/**
 * Service-to-service dependencies as the planner asks for them, answered by the one dependency
 * graph (graph/dependency-graph.ts: depends_on, links, network_mode / ipc / pid `service:x`,
 * volumes_from, address references). This file only adapts a Project to it and turns a cycle into
 * a PlanError; it keeps the planner's import lines as they were.
 */
import { DependencyCycleError, DependencyGraph } from '../graph/dependency-graph.js';
import { PlanError } from '../errors.js';
import type { Project, Service } from '../model/project.js';

/** Names of the services `service` needs first, sorted. Only services present in `project`. */
export function serviceDependencies(project: Project, service: Service): string[] {
  return DependencyGraph.of(project.services).dependenciesOf(service.name);
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

/**
 * The named services (all when none: undefined), plus their dependencies with `includeDeps`.
 * Unknown names are refused as by checkServiceNames.
 */
export function selectServices(project: Project, names: readonly string[], includeDeps: boolean): string[] | undefined {
  if (names.length === 0) return undefined;
  checkServiceNames(project, names);
  return includeDeps ? DependencyGraph.of(project.services).withDependencies(names) : [...names];
}

/** Services in dependency order (dependencies first; ties by name). Throws PlanError on a cycle. */
export function dependencyOrder(project: Project, names: Iterable<string> = Object.keys(project.services)): string[] {
  try {
    return DependencyGraph.of(project.services).depthFirstOrder(names);
  } catch (error) {
    if (error instanceof DependencyCycleError) throw new PlanError(error.message, error.cycle[0]);
    throw error;
  }
}

/** The services plus everything they depend on, transitively. */
export function withDependencies(project: Project, names: readonly string[]): Set<string> {
  checkServiceNames(project, names);
  return new Set(DependencyGraph.of(project.services).withDependencies(names));
}

/** service → the services that depend on it directly. */
export function dependents(project: Project): Map<string, string[]> {
  return DependencyGraph.of(project.services).dependentsMap();
}
