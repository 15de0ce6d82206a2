/**
 * Joins a hijacked container stream (exec or attach) with the user's terminal or pipes: stdin goes
 * in, output comes out; with a TTY the terminal is put in raw mode and its size follows the user's
 * window, without one stdout and stderr stay separate (the daemon's frames are demultiplexed).
 * The streams are passed in: nothing here reaches for the process's own.
 */
import type { Duplex } from 'node:stream';
import { demultiplex } from './docker/streams.js';
import type { ContainerIoClient, DaemonClient, ExecSpec } from './daemon-client.js';
import { DaemonError } from '../errors.js';

/** The user's side: process.stdin/stdout/stderr in the CLI, anything stream-shaped in tests. */
export interface TerminalIo {
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  readonly stderr: NodeJS.WritableStream;
}

export interface PumpOptions {
  /** The container side has a TTY: output is raw (one stream), the local terminal goes raw. */
  readonly tty: boolean;
  /** Forward the user's stdin (its end closes the container's stdin). */
  readonly attachStdin: boolean;
  /** Tells the daemon the window size (exec or container resize); called at once and on each change. */
  readonly resize?: (rows: number, cols: number) => Promise<void>;
}

/** Whether a TTY should be allocated: asked for (not -T) and the user's stdin is a terminal. */
export function wantsTty(noTty: boolean | undefined, io: Pick<TerminalIo, 'stdin'>): boolean {
  return !noTty && io.stdin?.isTTY === true;
}

/** Pumps until the container side ends its output; restores the terminal whatever happens. */
export async function pumpStream(socket: Duplex, io: TerminalIo, options: PumpOptions): Promise<void> {
  const stdin = options.attachStdin ? io.stdin : undefined;
  const raw = options.tty && stdin?.isTTY === true && typeof stdin.setRawMode === 'function';
  const resize = () => {
    const { rows, columns } = io.stdout;
    if (options.resize && rows && columns) options.resize(rows, columns).catch(() => undefined);
  };
  const onData = (chunk: Buffer | string) => socket.write(chunk);
  const onEnd = () => socket.end();
  const watchesSize = options.tty && io.stdout.isTTY === true && typeof (io.stdout as NodeJS.EventEmitter).on === 'function';
  try {
    if (raw) stdin!.setRawMode!(true);
    if (stdin) {
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
    }
    if (options.tty) resize();
    if (watchesSize) (io.stdout as NodeJS.EventEmitter).on('resize', resize);
    for await (const { stream, data } of demultiplex(socket, !options.tty)) {
      (stream === 'stderr' ? io.stderr : io.stdout).write(data);
    }
  } catch (error) {
    // A connection reset after the process ended is the end of the stream, not a failure.
    if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
  } finally {
    if (watchesSize) (io.stdout as NodeJS.EventEmitter).removeListener('resize', resize);
    if (stdin) {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.pause();
    }
    if (raw) stdin!.setRawMode!(false);
    socket.destroy();
  }
}

/** The interactive calls of a client, or a clear error for one that has none (an in-memory client). */
export function containerIo(client: DaemonClient): ContainerIoClient {
  const missing = CONTAINER_IO_CALLS.filter((name) => typeof client[name] !== 'function');
  if (missing.length) throw new DaemonError(client.label, missing[0]!, new Error('not supported by this daemon client'));
  return client as DaemonClient & ContainerIoClient;
}

const CONTAINER_IO_CALLS = [
  'createExec',
  'startExec',
  'resizeExec',
  'inspectExec',
  'attachContainer',
  'resizeContainer',
  'pauseContainer',
  'unpauseContainer',
  'topContainer',
] as const satisfies readonly (keyof ContainerIoClient)[];

/** How long an exec may still report Running once its output ended (the daemon records the exit a moment later). */
const EXEC_EXIT_POLL_MS = 50;
const EXEC_EXIT_POLLS = 100;

/** Runs `spec` in a container through the user's terminal or pipes; resolves with its exit code. */
export async function execIn(client: DaemonClient, containerId: string, spec: ExecSpec, io: TerminalIo): Promise<number> {
  const calls = containerIo(client);
  const execId = await calls.createExec(containerId, spec);
  const socket = await calls.startExec(execId, spec.tty);
  await pumpStream(socket, io, { tty: spec.tty, attachStdin: spec.stdin, resize: (rows, cols) => calls.resizeExec(execId, rows, cols) });
  for (let poll = 0; ; poll++) {
    const state = await calls.inspectExec(execId);
    if (!state.Running || poll >= EXEC_EXIT_POLLS) return state.ExitCode ?? -1;
    await new Promise((resolve) => setTimeout(resolve, EXEC_EXIT_POLL_MS));
  }
}
