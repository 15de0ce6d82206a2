/**
 * mixcompose as a library: load a compose file, connect to both daemons, plan, and apply.
 *
 *   const { project } = await loadProject({ files: ['compose.yaml'], envFiles: [], profiles: [], environment: process.env, cwd: process.cwd() });
 *   const daemons = await connectDaemons(project, { allowOsMismatch: false, env: process.env });
 *   const { plan } = await apply(project, daemons, { reconcile: { command: 'up' }, onEvent: console.log });
 */
export { loadProject, type LoadOptions, type LoadResult } from './config/load-project.js';
export { connectDaemons, type ConnectOptions, type ConnectedDaemons } from './engine/connect-daemons.js';
export { apply, type ApplyOptions, type ApplyResult, type Daemons } from './engine/apply.js';
export { observe } from './engine/observe.js';
export { execute, type ExecuteOptions, type ExecuteResult } from './engine/execute.js';
export { streamLogs, logContainers, type LogsOptions } from './engine/logs.js';
export type { DaemonClient } from './engine/daemon-client.js';
export { reconcile, type ReconcileOptions } from './plan/reconcile.js';
export { formatPlan, describeOperation } from './plan/format-plan.js';
export type { Plan, Operation } from './plan/plan.js';
export type { ObservedState, DaemonFacts } from './plan/observed-state.js';
export type { Project, Service } from './model/project.js';
export type { EngineEvent, EventSink } from './model/events.js';
export { ConfigError, DaemonError, DependencyError, PlanError, UsageError } from './errors.js';
