/**
 * `mixcompose logs`: logs of the project's containers on both daemons, prefixed per container,
 * merged in time order (`--tail`, `--since`, `-t`). `-f` follows them as docker compose does: each
 * run's end is said, a container that starts again is followed again, and it returns once every
 * followed container has stopped.
 */
import { Command } from 'commander';
import { logsOn } from '../../api/on-daemons.js';
import type { LogsOptions } from '../../engine/logs.js';
import { UsageError } from '../../errors.js';
import { withSession } from './session.js';

/** `--since`: RFC3339 / date, or a relative duration like 10m, 2h, 30s. */
export function parseSince(value: string, nowMs: number): number {
  const relative = /^(\d+)(s|m|h)$/.exec(value);
  if (relative) {
    const factor = { s: 1, m: 60, h: 3600 }[relative[2] as 's' | 'm' | 'h'];
    return Math.floor(nowMs / 1000) - Number(relative[1]) * factor;
  }
  if (/^\d+$/.test(value)) return Number(value);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since: not a time or duration: ${value}`);
  return Math.floor(t / 1000);
}

interface LogsFlags {
  follow?: boolean;
  tail: string;
  since?: string;
  timestamps?: boolean;
}

/**
 * What `logs` asks of streamLogs, begun at `nowMs`. With `-f` run ends are said, only those after
 * `nowMs` (the lines of earlier runs are shown, their ends were said when they happened).
 */
export function logsOptions(flags: LogsFlags, services: readonly string[], nowMs: number): LogsOptions {
  const tail = flags.tail === 'all' ? 'all' : Number(flags.tail);
  if (tail !== 'all' && (!Number.isInteger(tail) || tail < 0)) throw new UsageError(`--tail: not a number: ${flags.tail}`);
  return {
    ...(flags.follow ? { follow: true, exits: true, exitsSince: nowMs / 1000 } : {}),
    tail,
    ...(flags.since ? { since: parseSince(flags.since, nowMs) } : {}),
    ...(flags.timestamps ? { timestamps: true } : {}),
    services,
  };
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('Show logs of the stack, from both daemons')
    .argument('[services...]', 'only these services')
    .option('-f, --follow', 'follow log output')
    .option('--tail <n>', 'number of lines from the end of each container (or "all")', 'all')
    .option('--since <time>', 'only lines since a time (RFC3339) or duration (10m)')
    .option('-t, --timestamps', 'show timestamps')
    .action(async (services: string[], flags: LogsFlags, command: Command) => {
      const options = logsOptions(flags, services, Date.now());
      await withSession(command, async (session) => {
        const abort = new AbortController();
        const onSignal = () => abort.abort();
        process.once('SIGINT', onSignal);
        try {
          await logsOn(session.project, session.daemons, {
            ...options,
            signal: abort.signal,
            onEvent: session.reporter.sink,
            onContainers: (names) => session.reporter.alignLogs?.(names),
          });
        } finally {
          process.removeListener('SIGINT', onSignal);
        }
      }, { progress: 'plain', services });
    });
}
