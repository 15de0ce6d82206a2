/**
 * Small typed errors. Config problems are collected as values (`ConfigIssue[]`) and thrown
 * together once as a ConfigError; only the CLI entry maps errors to exit codes and prints them.
 */
import type { SourcePosition } from './model/project.js';

/** One problem found while loading a file, with where it is and the key path. */
export interface ConfigIssue {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Absent only when the problem has no place in a file (e.g. no compose file found). */
  readonly position?: SourcePosition;
  /** Key path in the document, e.g. ["services", "api", "ports", 0]. */
  readonly path?: readonly (string | number)[];
}

/** Formats a path the way messages show it: `services.api.ports[0]`. */
export function formatKeyPath(path: readonly (string | number)[] | undefined): string {
  if (!path || path.length === 0) return '';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

/** `file:line:col services.api.ports[0]: message` */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.position ? `${issue.position.file}:${issue.position.line}:${issue.position.col}` : '';
  const key = formatKeyPath(issue.path);
  const head = [where, key].filter(Boolean).join(' ');
  return head ? `${head}: ${issue.message}` : issue.message;
}

/** The stack file is invalid. Carries every problem found, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.filter((i) => i.severity === 'error').map(formatIssue).join('\n') || 'invalid configuration');
  }
}

/** The plan cannot be made (image for the wrong OS, unpublished port for `published` reach, ...). */
export class PlanError extends Error {
  override readonly name = 'PlanError';
  constructor(message: string, readonly service?: string) {
    super(message);
  }
}

/** A daemon call failed. Names the daemon (platform and endpoint) and the operation. */
export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  constructor(
    readonly daemon: string,
    readonly operation: string,
    override readonly cause?: unknown,
    /** What was done before the failure, and the command that continues, for the user. */
    readonly progress?: { done: readonly string[]; notDone: readonly string[]; resume?: string },
  ) {
    super(`daemon ${daemon}: ${operation} failed${cause instanceof Error ? `: ${cause.message}` : cause ? `: ${String(cause)}` : ''}`);
  }
}

/** A service did not reach the state a dependant waits for (unhealthy, exited non-zero, timed out). */
export class DependencyError extends Error {
  override readonly name: string = 'DependencyError';
  constructor(message: string, readonly service: string, readonly lastHealthLog?: string) {
    super(message);
  }
}

/** A wait ran out of time (a dependency condition, `up --wait`, `wait --timeout`). */
export class WaitTimeoutError extends DependencyError {
  override readonly name = 'WaitTimeoutError';
}

/** The user interrupted a command (Ctrl-C): nothing is wrong, the work was cut short. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP' = 'SIGINT') {
    super(`interrupted (${signal})`);
  }
}

/** The user asked for something the CLI cannot do (bad flag combination, unknown service). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
