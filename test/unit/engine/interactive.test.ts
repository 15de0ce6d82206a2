import { describe, expect, it } from 'vitest';
import { Duplex, PassThrough } from 'node:stream';
import { pumpStream, wantsTty } from '../../../src/engine/interactive.js';

/** A daemon side: what the client wrote (stdin), and the output it sends back. */
function daemonSide(output: Buffer[]): { socket: Duplex; written: () => string; ended: () => boolean } {
  const chunks: Buffer[] = [];
  let ended = false;
  const socket = new Duplex({
    read() {
      for (const chunk of output.splice(0)) this.push(chunk);
      this.push(null);
    },
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
    final(done) {
      ended = true;
      done();
    },
  });
  return { socket, written: () => Buffer.concat(chunks).toString(), ended: () => ended };
}

/** One multiplexed frame (stream 1 stdout, 2 stderr). */
const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const head = Buffer.alloc(8);
  head.writeUInt8(stream, 0);
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
};

const sink = () => {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: s, text: () => text };
};

describe('pumpStream', () => {
  it('without a TTY: frames go to stdout and stderr apart; stdin is forwarded and its end closes the container stdin', async () => {
    const daemon = daemonSide([frame(1, 'out-1\n'), frame(2, 'err-1\n'), frame(1, 'out-2\n')]);
    const stdin = new PassThrough();
    const [stdout, stderr] = [sink(), sink()];
    stdin.end('typed\n');
    await pumpStream(daemon.socket, { stdin, stdout: stdout.stream, stderr: stderr.stream }, { tty: false, attachStdin: true });
    expect(stdout.text()).toBe('out-1\nout-2\n');
    expect(stderr.text()).toBe('err-1\n');
    expect(daemon.written()).toBe('typed\n');
    expect(daemon.ended()).toBe(true);
  });

  it('with a TTY: raw output as it comes, the terminal raw while it runs and restored after, the size told at once', async () => {
    const daemon = daemonSide([Buffer.from('\u0001raw bytes\r\n')]);
    const modes: boolean[] = [];
    const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (raw: boolean) => modes.push(raw) });
    const stdout = Object.assign(sink().stream, { isTTY: true, rows: 40, columns: 120 });
    let text = '';
    stdout.on('data', (d: Buffer) => (text += d.toString()));
    const sizes: [number, number][] = [];
    await pumpStream(daemon.socket, { stdin, stdout, stderr: new PassThrough() }, { tty: true, attachStdin: true, resize: async (r, c) => void sizes.push([r, c]) });
    expect(text).toBe('\u0001raw bytes\r\n');
    expect(modes).toEqual([true, false]);
    expect(sizes).toEqual([[40, 120]]);
  });

  it('a TTY only when asked and stdin is a terminal', () => {
    expect(wantsTty(false, { stdin: Object.assign(new PassThrough(), { isTTY: true }) })).toBe(true);
    expect(wantsTty(true, { stdin: Object.assign(new PassThrough(), { isTTY: true }) })).toBe(false);
    expect(wantsTty(false, { stdin: new PassThrough() })).toBe(false);
  });
});
