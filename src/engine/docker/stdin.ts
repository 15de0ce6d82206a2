/**
 * A line exchange with a container's process through its stdin: one hijacked attach (stdin and
 * stdout only), the input written, stdout read until the expected answer, then detached. The engine
 * writes the project resolver's hosts files this way (plan/resolver-hosts-protocol.ts): on Docker
 * 20.10 it costs the daemon a few milliseconds of CPU where PUT archive costs ~200.
 *
 * The write side is never half-closed: with StdinOnce false, dockerd ends an attach's stdout as soon
 * as its stdin ends, which would lose the answer. Composed by index.ts.
 */
import type { Duplex } from 'node:stream';
import type { StdinExchangeClient } from '../daemon-client.js';
import { EngineApiError } from './errors.js';
import { demultiplex, toLogLines } from './streams.js';
import type { Transport } from './transport.js';

export type StdinCalls = StdinExchangeClient;

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The first stdout line of the (multiplexed: no TTY) attach stream that `answered` accepts. */
async function firstAnswer(socket: Duplex, answered: (line: string) => boolean): Promise<string> {
  for await (const line of toLogLines(demultiplex(socket, true), false)) if (line.stream === 'stdout' && answered(line.text)) return line.text;
  throw new EngineApiError("the container's output ended before it answered", undefined, 'ENOANSWER');
}

/** The StdinExchangeClient call over the adapter's transport. */
export function stdinCalls(t: Transport): StdinCalls {
  return {
    exchangeStdin: (id, input, { answered, timeoutMs }) =>
      t.call(`write to the stdin of container ${id}`, async () => {
        const noAnswer = new EngineApiError(`no answer within ${seconds(timeoutMs)}`, undefined, 'ENOANSWER');
        let socket: Duplex | undefined;
        let timedOut = false;
        // Bounds the attach too: until it is upgraded the request is aborted, after that the socket ended.
        const attachAbort = new AbortController();
        const timer = setTimeout(() => {
          timedOut = true;
          if (socket) socket.destroy(noAnswer);
          else attachAbort.abort(noAnswer);
        }, timeoutMs);
        try {
          socket = await t.request<Duplex>({
            method: 'POST',
            path: `/containers/${encodeURIComponent(id)}/attach`,
            query: { stream: true, stdin: true, stdout: true },
            hijack: true,
            signal: attachAbort.signal,
          });
          if (timedOut) throw noAnswer;
          socket.write(input);
          return await firstAnswer(socket, answered);
        } catch (error) {
          throw timedOut ? noAnswer : error;
        } finally {
          clearTimeout(timer);
          socket?.destroy();
        }
      }),
  };
}
