/**
 * `mixcompose events`: the stack's container events from both daemons as they happen, one stream
 * (`--json`: one object per line with an RFC3339 timestamp with nanoseconds, the daemon and the
 * service). Ends on Ctrl-C (exit 0, as docker compose events).
 */
import type { Command } from 'commander';
import { distinctDaemons } from '../../engine/observe.js';
import type { EngineBody } from '../../engine/daemon-client.js';
import { LABEL_SERVICE, projectFilter } from '../../plan/labels.js';
import type { PlatformOs } from '../../model/project.js';
import { withSession } from './session.js';

/** One event as mixcompose prints it. */
export interface StackEvent {
  /** RFC3339 with nanoseconds (from the daemon's timeNano). */
  readonly time: string;
  readonly daemon: PlatformOs;
  readonly type: string;
  readonly action: string;
  readonly id: string;
  readonly service?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** RFC3339 with nanoseconds from a nanosecond count (Date keeps only milliseconds). */
export function nanoTime(timeNano: bigint): string {
  const ms = Number(timeNano / 1_000_000n);
  const nanos = (timeNano % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${nanos}Z`;
}

/** An Engine API event (GET /events) as a StackEvent. */
export function stackEvent(raw: EngineBody, daemon: PlatformOs): StackEvent {
  const actor = (raw.Actor as { ID?: string; Attributes?: Record<string, string> } | undefined) ?? {};
  const attributes = actor.Attributes ?? {};
  const nano = raw.timeNano !== undefined ? BigInt(String(raw.timeNano)) : BigInt(Number(raw.time ?? 0)) * 1_000_000_000n;
  return {
    time: nanoTime(nano),
    daemon,
    type: String(raw.Type ?? raw.type ?? ''),
    action: String(raw.Action ?? raw.status ?? ''),
    id: String(actor.ID ?? raw.id ?? ''),
    ...(attributes[LABEL_SERVICE] ? { service: attributes[LABEL_SERVICE] } : {}),
    attributes,
  };
}

/** `2026-…Z container start 3f2a… (service=db, name=shop-db-1, daemon=linux)` */
export function formatEvent(e: StackEvent): string {
  const name = e.attributes.name ? `, name=${e.attributes.name}` : '';
  return `${e.time} ${e.type} ${e.action} ${e.id}${e.service || name ? ` (${e.service ? `service=${e.service}` : ''}${name}, daemon=${e.daemon})` : ` (daemon=${e.daemon})`}`;
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description("Stream the stack's container events from both daemons")
    .argument('[services...]', 'only these services')
    .option('--json', 'one JSON object per line')
    .action(async (services: string[], flags: { json?: boolean }, command: Command) => {
      await withSession(
        command,
        async (session) => {
          const stop = new AbortController();
          const onSignal = () => stop.abort();
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          const filters = { ...projectFilter(session.project.name), type: ['container'] };
          try {
            await Promise.all(
              distinctDaemons(session.daemons.clients, session.daemons.facts).map(async ([daemon, client]) => {
                for await (const raw of client.events(filters, stop.signal)) {
                  const event = stackEvent(raw, daemon);
                  if (services.length && (!event.service || !services.includes(event.service))) continue;
                  process.stdout.write(`${flags.json ? JSON.stringify(event) : formatEvent(event)}\n`);
                }
              }),
            );
          } finally {
            process.removeListener('SIGINT', onSignal);
            process.removeListener('SIGTERM', onSignal);
          }
        },
        { progress: 'quiet', services },
      );
    });
}
