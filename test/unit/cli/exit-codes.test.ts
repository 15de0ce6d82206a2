import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { reportError } from '../../../src/cli/report-error.js';
import { ConfigError, DaemonError, DependencyError, InterruptedError, PlanError, UsageError, WaitTimeoutError } from '../../../src/errors.js';
import { EXIT_DAEMON, EXIT_INTERNAL, EXIT_INVALID, EXIT_SERVICE_FAILURE, EXIT_TIMEOUT, EXIT_USAGE } from '../../../src/cli/exit-codes.js';

function report(error: unknown): { code: number; stderr: string } {
  let stderr = '';
  const code = reportError(error, { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream);
  return { code, stderr };
}

describe('exit codes', () => {
  it('gives each kind of failure its own code', () => {
    const cases: [unknown, number][] = [
      [new ConfigError([{ severity: 'error', message: 'bad' }]), EXIT_INVALID],
      [new PlanError('no such service: x'), EXIT_INVALID],
      [new UsageError('--tail: not a number'), EXIT_USAGE],
      [new CommanderError(1, 'commander.unknownOption', 'unknown option'), EXIT_USAGE],
      [new DaemonError('linux (unix:///x.sock)', 'ps', new Error('connect ENOENT')), EXIT_DAEMON],
      [new DependencyError('service db exited with code 3', 'db'), EXIT_SERVICE_FAILURE],
      [new WaitTimeoutError('timed out after 5s waiting for service db', 'db'), EXIT_TIMEOUT],
      [new InterruptedError('SIGINT'), 130],
      [new InterruptedError('SIGTERM'), 143],
      [new Error('bug'), EXIT_INTERNAL],
    ];
    for (const [error, code] of cases) expect(report(error).code, String(error)).toBe(code);
    const codes = new Set([EXIT_INVALID, EXIT_USAGE, EXIT_DAEMON, EXIT_SERVICE_FAILURE, EXIT_TIMEOUT, EXIT_INTERNAL, 130]);
    expect(codes.size).toBe(7);
  });

  it('a timeout is still a dependency error to callers that catch those', () => {
    expect(new WaitTimeoutError('t', 'db')).toBeInstanceOf(DependencyError);
    expect(report(new WaitTimeoutError('timed out after 5s', 'db')).stderr).toBe('error: timed out after 5s\n');
  });

  it('an interruption prints nothing (the user pressed Ctrl-C)', () => {
    expect(report(new InterruptedError()).stderr).toBe('');
  });
});
