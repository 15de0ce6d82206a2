/**
 * mixcompose as a library.
 *
 *   import { loadProject, up, run, down } from 'mixcompose';
 *   const stack = await loadProject({ files: ['compose.yaml'] });
 *   await up(stack, { signal });                                   // detached, waits until healthy
 *   const { exitCode, stdout } = await run(stack, 'tests', ['npm', 'test']);
 *   await down(stack);
 *
 * Below that: the pipeline pieces (load the files, connect, plan, apply) for tools that need them.
 */
export * from './api/index.js';
// The same calls on daemons already connected (what the CLI's commands call), and ps's data.
export { upOn, downOn, lifecycleOn, psOn, logsOn, runOn, type ChangeOptions, type StreamLogsOptions as StackLogsOptions, type RunOnOptions, type RunOnResult } from './api/on-daemons.js';
export { psReportOn, type PsReport, type PsRow } from './api/ps-report.js';
export type { CopySpec, CopyDone } from './engine/copy.js';
export { loadProject as loadComposeFiles, type LoadOptions, type LoadResult } from './config/load-project.js';
export { connectDaemons, type ConnectOptions, type ConnectedDaemons } from './engine/connect-daemons.js';
export { apply, type ApplyOptions, type ApplyResult, type Daemons } from './engine/apply.js';
export { observe } from './engine/observe.js';
export { execute, type ExecuteOptions, type ExecuteResult } from './engine/execute.js';
export { streamLogs, logContainers, type LogsOptions as StreamLogsOptions } from './engine/logs.js';
export type { DaemonClient } from './engine/daemon-client.js';
export { reconcile, type ReconcileOptions } from './plan/reconcile.js';
export { formatPlan, describeOperation } from './plan/format-plan.js';
export type { Plan, Operation } from './plan/plan.js';
export type { ObservedState, DaemonFacts } from './plan/observed-state.js';
export type { Project, Service } from './model/project.js';
export type { EngineEvent, EventSink } from './model/events.js';
export { ConfigError, DaemonError, DependencyError, InterruptedError, PlanError, UsageError, WaitTimeoutError } from './errors.js';
