/**
 * Reporters turn engine events into what a person or a program reads. Three shapes:
 * - plain: one line per step change (not a TTY, CI logs, `--progress plain`);
 * - json: one JSON event per line on stdout (`--progress json`), for tools;
 * - tty: a listr2 task list redrawn in place, one line per resource, with pull bars.
 * The engine only calls `sink`; the command awaits `close()` before printing its result.
 */
import type { Writable } from 'node:stream';
import type { EngineEvent, EventSink, ProgressEvent, StepEvent } from '../model/events.js';
import { useColour, type AnsiMode } from './colour.js';
import { logPrefix } from './log-prefix.js';
import { formatProgressLine, formatStepLine } from './step-text.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

export interface Reporter {
  readonly sink: EventSink;
  /**
   * The containers whose logs are about to be shown: the `|` column is made as wide as the longest
   * name before the first line, so it does not shift depending on which container speaks first.
   */
  alignLogs?(containers: readonly string[]): void;
  /** Flushes and stops rendering. `failed` marks the TTY task as failed. */
  close(failed?: boolean): Promise<void>;
}

export interface ReporterStreams {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
}

/**
 * Resolves `auto` the way docker compose does: a TTY gets the live view, anything else plain lines.
 * A TTY that reports no width (some CI pseudo-terminals, `script` without a size) would make the
 * live view wrap every character, so it gets plain lines too.
 */
export function resolveProgressMode(
  mode: ProgressMode,
  stderrIsTTY: boolean,
  env: Readonly<Record<string, string | undefined>>,
  columns?: number,
): Exclude<ProgressMode, 'auto'> {
  if (mode !== 'auto') return mode;
  if (!stderrIsTTY || env.CI === 'true' || env.TERM === 'dumb') return 'plain';
  if (columns !== undefined && columns < 20) return 'plain';
  return 'tty';
}

/**
 * Writes log lines with the `|` column as wide as the longest container name attached (`align`) or
 * seen so far (at least `minWidth`), as docker compose sizes it from the containers it attaches to
 * and widens it when a container with a longer name attaches later.
 */
function logWriter(
  stream: Writable,
  colour: boolean,
  minWidth: number,
): { write: (event: Extract<EngineEvent, { type: 'log' }>) => void; align: (containers: readonly string[]) => void } {
  let width = minWidth;
  return {
    align: (containers) => {
      width = Math.max(width, ...containers.map((name) => name.length));
    },
    write: (event) => {
      width = Math.max(width, event.container.length);
      const stamp = event.timestamp ? `${event.timestamp} ` : '';
      const text = event.text.endsWith('\n') ? event.text : `${event.text}\n`;
      stream.write(`${logPrefix(event.container, width, colour)}${stamp}${text}`);
    },
  };
}

/** Plain lines. Progress events are thinned to layer changes so CI logs stay readable. */
export function plainReporter(streams: ReporterStreams, options: { logWidth?: number; colour?: boolean } = {}): Reporter {
  const lastLayers = new Map<string, number>();
  const logs = logWriter(streams.stdout, options.colour ?? false, options.logWidth ?? 12);
  const sink: EventSink = (event) => {
    switch (event.type) {
      case 'step':
        streams.stderr.write(`${formatStepLine(event)}\n`);
        break;
      case 'progress': {
        if (lastLayers.get(event.id) === event.layersDone) return;
        lastLayers.set(event.id, event.layersDone);
        streams.stderr.write(`${formatProgressLine(event)}\n`);
        break;
      }
      case 'warning':
        streams.stderr.write(`warning: ${event.service ? `${event.service}: ` : ''}${event.message}\n`);
        break;
      case 'log':
        logs.write(event);
        break;
    }
  };
  return { sink, alignLogs: logs.align, close: async () => undefined };
}

/**
 * One JSON object per line on stdout, each with `time`: when it was reported (RFC3339, UTC, from
 * `now`). A log line keeps the daemon's own `timestamp` beside it.
 */
export function jsonReporter(streams: ReporterStreams, now: () => Date = () => new Date()): Reporter {
  return {
    sink: (event) => streams.stdout.write(`${JSON.stringify({ time: now().toISOString(), ...event })}\n`),
    close: async () => undefined,
  };
}

/** Drops steps and progress, still shows warnings and logs. */
export function quietReporter(streams: ReporterStreams): Reporter {
  const plain = plainReporter(streams);
  return {
    sink: (event) => {
      if (event.type === 'warning' || event.type === 'log') plain.sink(event);
    },
    alignLogs: plain.alignLogs!,
    close: async () => undefined,
  };
}

/**
 * Live view: listr2 redraws one task whose output holds a line per resource (latest state)
 * and a bar per pulling image. Warnings are kept and printed once the view closes, so they
 * are not lost in the redraw.
 */
export function ttyReporter(streams: ReporterStreams, title = 'mixcompose', options: { colour?: boolean } = {}): Reporter {
  const lines = new Map<string, string>();
  const warnings: string[] = [];
  let update: (() => void) | undefined;
  let finish: ((failed: boolean) => void) | undefined;
  const done = new Promise<boolean>((resolve) => {
    finish = resolve;
  });
  const render = (): string => [...lines.values()].join('\n');
  const stderr = streams.stderr as NodeJS.WriteStream;
  // listr2 is loaded here, for the live view only: plain, json and quiet output (CI, scripts,
  // pipes) do not pay for it (issue 9, start-up). Events before it runs are kept in `lines`.
  const view = async (): Promise<void> => {
    const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
    const logger = new ListrLogger({ processOutput: new ProcessOutput(stderr, stderr) });
    const listr = new Listr(
      [
        {
          title,
          rendererOptions: { outputBar: Infinity, persistentOutput: true },
          task: async (_ctx, task) => {
            update = () => {
              task.output = render();
            };
            update();
            const failed = await done;
            if (failed) throw new Error('failed');
          },
        },
      ],
      {
        renderer: 'default',
        exitOnError: false,
        registerSignalListeners: false,
        // Progress goes to stderr, like docker compose, so stdout stays clean for results and logs.
        rendererOptions: { collapseErrors: false, logger },
        fallbackRendererOptions: { logger },
      },
    );
    await listr.run();
  };
  const running = view().catch(() => undefined);
  const ttyLogs = logWriter(streams.stdout, options.colour ?? true, 12);
  const sink: EventSink = (event) => {
    switch (event.type) {
      case 'step':
        lines.set(`${event.resource}:${event.name}:${event.platform ?? ''}`, formatStepLine(event as StepEvent));
        break;
      case 'progress':
        lines.set(`image:${event.name}:${event.platform}`, formatProgressLine(event as ProgressEvent));
        break;
      case 'warning':
        warnings.push(`warning: ${event.service ? `${event.service}: ` : ''}${event.message}`);
        break;
      case 'log':
        ttyLogs.write(event);
        return;
    }
    update?.();
  };
  return {
    sink,
    alignLogs: ttyLogs.align,
    close: async (failed = false) => {
      update?.();
      finish?.(failed);
      await running;
      for (const w of warnings) streams.stderr.write(`${w}\n`);
    },
  };
}

/**
 * The reporter for `--progress` and `--ansi`. `--ansi never` with `--progress auto` gives plain
 * lines, as docker compose does (the live view redraws with ANSI control sequences); colour of log
 * prefixes follows useColour (NO_COLOR included).
 */
export function createReporter(
  mode: ProgressMode,
  streams: ReporterStreams,
  env: Readonly<Record<string, string | undefined>>,
  ansi: AnsiMode = 'auto',
): Reporter {
  const resolved = resolveProgressMode(mode, Boolean(streams.stderr.isTTY), env, streams.stderr.isTTY ? (streams.stderr.columns ?? 0) : undefined);
  const colour = useColour(ansi, Boolean(streams.stdout.isTTY), env);
  switch (mode === 'auto' && ansi === 'never' && resolved === 'tty' ? 'plain' : resolved) {
    case 'json':
      return jsonReporter(streams);
    case 'quiet':
      return quietReporter(streams);
    case 'tty':
      return ttyReporter(streams, 'mixcompose', { colour: useColour(ansi, true, env) });
    default:
      return plainReporter(streams, { colour });
  }
}
