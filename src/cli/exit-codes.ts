/**
 * Exit codes, one per kind of failure, so a CI script can tell them apart. `run`, `exec` and
 * `up --exit-code-from` end with their command's own code instead (as docker compose does).
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | invalid input: the compose file, a flag's value, a plan that cannot be made, an unknown service |
 * | 2 | usage: unknown command or flag, missing argument |
 * | 3 | daemon error: a daemon did not answer, or refused or failed an operation |
 * | 4 | service failure: a service exited non-zero, became unhealthy, or failed a dependant's condition |
 * | 5 | timeout: a wait (`--wait-timeout`, a dependency condition, `wait`) ran out of time |
 * | 70 | internal error (a bug of ours; the stack is printed) |
 * | 130 | interrupted (Ctrl-C / SIGINT); 143 for SIGTERM |
 */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;
export const EXIT_DAEMON = 3;
export const EXIT_SERVICE_FAILURE = 4;
export const EXIT_TIMEOUT = 5;
export const EXIT_INTERNAL = 70;
export const EXIT_INTERRUPTED = 130;
export const EXIT_TERMINATED = 143;

/** The exit code for ending on a signal (128 + its number, as shells report it). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT_TERMINATED : signal === 'SIGHUP' ? 129 : EXIT_INTERRUPTED;
}
