/**
 * Engine API response streams: multiplexed log/attach frames, log lines, newline-delimited JSON
 * (events, pull and build progress). Pure stream transforms, no connection.
 */
import type { IncomingMessage } from 'node:http';
import type { EngineBody, LogLine, ProgressMessage } from '../daemon-client.js';
import { EngineApiError } from './errors.js';

/** Multiplexed log/attach frames → (stream, payload) chunks. Raw (TTY) streams are all stdout. */
export async function* demultiplex(
  source: AsyncIterable<Buffer | string>,
  multiplexed: boolean,
): AsyncGenerator<{ stream: 'stdout' | 'stderr'; data: Buffer }> {
  if (!multiplexed) {
    for await (const chunk of source) yield { stream: 'stdout', data: Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk) };
    return;
  }
  let buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    buffer = Buffer.concat([buffer, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)]);
    while (buffer.length >= 8) {
      const kind = buffer.readUInt8(0);
      const length = buffer.readUInt32BE(4);
      if (buffer.length < 8 + length) break;
      const data = buffer.subarray(8, 8 + length);
      buffer = buffer.subarray(8 + length);
      yield { stream: kind === 2 ? 'stderr' : 'stdout', data };
    }
  }
  if (buffer.length) yield { stream: 'stdout', data: buffer };
}

const TIMESTAMP_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) ?/;

/** Demultiplexed chunks → whole lines per stream, with the RFC3339Nano prefix split off when asked. */
export async function* toLogLines(
  chunks: AsyncIterable<{ stream: 'stdout' | 'stderr'; data: Buffer }>,
  timestamps: boolean,
): AsyncGenerator<LogLine> {
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const make = (stream: 'stdout' | 'stderr', raw: string): LogLine => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (timestamps) {
      const match = TIMESTAMP_PREFIX.exec(line);
      if (match) return { stream, text: line.slice(match[0].length), timestamp: match[1]! };
    }
    return { stream, text: line };
  };
  for await (const { stream, data } of chunks) {
    pending[stream] += data.toString('utf8');
    let newline: number;
    while ((newline = pending[stream].indexOf('\n')) >= 0) {
      const raw = pending[stream].slice(0, newline);
      pending[stream] = pending[stream].slice(newline + 1);
      yield make(stream, raw);
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) yield make(stream, pending[stream]);
}

/** Newline-delimited JSON stream → objects (events, progress). */
export async function* jsonLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<EngineBody> {
  let buffer = '';
  for await (const chunk of source) {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield JSON.parse(line) as EngineBody;
    }
  }
  if (buffer.trim()) yield JSON.parse(buffer.trim()) as EngineBody;
}

/** Reads a stream body fully. */
export async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The message of an `error` progress message, if it is one. */
export function progressError(message: ProgressMessage): string | undefined {
  return message.errorDetail?.message ?? message.error;
}

/**
 * Gathers a progress stream's messages, calling onProgress per message; `finish()` (once the
 * stream ended) rejects with the first `error` message, or returns every message.
 */
export function progressCollector(onProgress: (m: ProgressMessage) => void): {
  handle(message: ProgressMessage): void;
  finish(): ProgressMessage[];
} {
  const output: ProgressMessage[] = [];
  let failure: string | undefined;
  return {
    handle(message) {
      output.push(message);
      const error = progressError(message);
      if (error && failure === undefined) failure = error;
      onProgress(message);
    },
    finish() {
      if (failure !== undefined) throw new EngineApiError(failure);
      return output;
    },
  };
}

/**
 * The response as an iterable that simply ends when `signal` aborts (instead of failing with an
 * abort error): a followed log stopped by the user is a normal end. The socket is destroyed.
 */
export async function* endOnAbort(res: IncomingMessage, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  if (!signal) {
    yield* res as AsyncIterable<Buffer>;
    return;
  }
  const stop = () => res.destroy();
  if (signal.aborted) stop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', stop);
    res.destroy();
  }
}
