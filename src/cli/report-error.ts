/**
 * Maps errors to messages and exit codes (see exit-codes.ts). Known errors print as one clear
 * message; anything else is an internal error (exit 70) with its stack, since that is a bug of ours.
 */
import { CommanderError } from 'commander';
import { ConfigError, DaemonError, DependencyError, InterruptedError, PlanError, UsageError, WaitTimeoutError, formatIssue } from '../errors.js';
import {
  EXIT_DAEMON,
  EXIT_INTERNAL,
  EXIT_INVALID,
  EXIT_OK,
  EXIT_SERVICE_FAILURE,
  EXIT_TIMEOUT,
  EXIT_USAGE,
  signalExitCode,
} from './exit-codes.js';

export function reportError(error: unknown, stderr: NodeJS.WritableStream): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    for (const issue of error.issues) stderr.write(`${issue.severity}: ${formatIssue(issue)}\n`);
    return EXIT_INVALID;
  }
  if (error instanceof DaemonError) {
    stderr.write(`error: ${error.message}\n`);
    if (error.progress) {
      if (error.progress.done.length) stderr.write(`done: ${error.progress.done.join(', ')}\n`);
      if (error.progress.notDone.length) stderr.write(`not done: ${error.progress.notDone.join(', ')}\n`);
      if (error.progress.resume) stderr.write(`to continue: ${error.progress.resume}\n`);
    }
    return EXIT_DAEMON;
  }
  if (error instanceof InterruptedError) return signalExitCode(error.signal);
  if (error instanceof WaitTimeoutError) {
    stderr.write(`error: ${error.message}\n`);
    return EXIT_TIMEOUT;
  }
  if (error instanceof DependencyError) {
    stderr.write(`error: ${error.message}\n`);
    return EXIT_SERVICE_FAILURE;
  }
  if (error instanceof PlanError) {
    stderr.write(`error: ${error.message}\n`);
    return EXIT_INVALID;
  }
  if (error instanceof UsageError) {
    stderr.write(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_INTERNAL;
}
