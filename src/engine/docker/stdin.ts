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

/**
 * The StdinExchangeClient call over the adapter's transport. `timeoutMs` bounds the wait for the
 * answer once the attach is upgraded; the attach request itself is bounded as every other call is.
 */
export function stdinCalls(t: Transport): StdinCalls {
  return {
    exchangeStdin: (id, input, { answered, timeoutMs }) =>
      t.call(`write to the stdin of container ${id}`, async () => {
        const socket = await t.request<Duplex>({
          method: 'POST',
          path: `/containers/${encodeURIComponent(id)}/attach`,
          query: { stream: true, stdin: true, stdout: true },
          hijack: true,
        });
        const timer = setTimeout(() => socket.destroy(new EngineApiError(`no answer within ${seconds(timeoutMs)}`, undefined, 'ENOANSWER')), timeoutMs);
        try {
          socket.write(input);
          return await firstAnswer(socket, answered);
        } finally {
          clearTimeout(timer);
          socket.destroy();
        }
      }),
  };
}
