/**
 * What a conversion has to say besides its output: warnings (something the target drops or does
 * differently, the output is still usable) and errors (the output would not deploy as written).
 * Returned as values, printed by the CLI, never thrown.
 */

export interface ConvertProblem {
  readonly severity: 'warning' | 'error';
  /** The compose service it concerns, when there is one. */
  readonly service?: string;
  /** Key path in the compose file, e.g. ["services", "web", "depends_on", "db"]. */
  readonly path?: readonly (string | number)[];
  readonly message: string;
}

/** Collects problems in the order they are found. */
export class ProblemList {
  readonly items: ConvertProblem[] = [];

  warn(message: string, service?: string, path?: readonly (string | number)[]): void {
    this.items.push({ severity: 'warning', message, ...(service ? { service } : {}), ...(path ? { path } : {}) });
  }

  error(message: string, service?: string, path?: readonly (string | number)[]): void {
    this.items.push({ severity: 'error', message, ...(service ? { service } : {}), ...(path ? { path } : {}) });
  }
}

/** `service web: message` (or the message alone), one line, as the CLI prints it. */
export function formatProblem(problem: ConvertProblem): string {
  return problem.service ? `service ${problem.service}: ${problem.message}` : problem.message;
}
