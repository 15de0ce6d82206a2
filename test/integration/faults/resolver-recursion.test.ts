/**
 * The project resolver published on a host address (`reach: published`) answers the project's
 * names and nothing else: it is not an open recursive resolver (issue 12). The address is loopback
 * here (127.0.0.1), so the test's queries go to this host only. Before the fix, the published
 * dnsmasq forwarded every other name to Docker's embedded DNS, which answered, e.g., the
 * resolver's own network alias with a container IP, and forwarded anything further upstream.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRigUp } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';
import { faultStack, type FaultStack } from './fault-stack.js';

const YAML = dbWebYaml({ reach: 'published-loopback' });

interface Answer {
  readonly rcode: number;
  readonly answers: number;
  readonly addresses: string[];
}

/** One A query over UDP to 127.0.0.1:53; undefined when nothing answers within 2 s. */
function query(name: string): Promise<Answer | undefined> {
  const id = Math.floor(Math.random() * 0xffff);
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const packet = Buffer.concat([Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, 2000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      const answers = msg.readUInt16BE(6);
      // A records: type 1, class 1, rdlength 4 at the end of the message (names compressed to 2 bytes).
      const addresses: string[] = [];
      for (let i = 0; i + 16 <= msg.length; i++) {
        if (msg[i] === 0xc0 && msg.readUInt16BE(i + 2) === 1 && msg.readUInt16BE(i + 4) === 1 && msg.readUInt16BE(i + 10) === 4) addresses.push([...msg.subarray(i + 12, i + 16)].join('.'));
      }
      resolve({ rcode: msg[3]! & 0x0f, answers, addresses });
    });
    socket.send(packet, 53, '127.0.0.1');
  });
}

/** Asks until the resolver answers the project's name (it starts with the stack). */
async function untilAnswered(name: string): Promise<Answer | undefined> {
  let last: Answer | undefined;
  for (let i = 0; i < 20; i++) {
    last = await query(name);
    if (last?.answers) return last;
  }
  return last;
}

describe('fault suite: the published resolver is not an open resolver', () => {
  let stack: FaultStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await faultStack('mcrecur', YAML);
    const up = await stack.mc(['--allow-os-mismatch', 'up', '-d'], { timeoutMs: 180_000 });
    expect(up.exitCode, up.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await stack?.mc(['--allow-os-mismatch', 'down']);
    await stack?.cleanup();
  }, 120_000);

  it('answers the project name on the published port', async () => {
    const db = await untilAnswered('db');
    expect(db?.rcode).toBe(0);
    expect(db?.addresses).toEqual(['127.0.0.1']);
  }, 60_000);

  it('a foreign name, and a name only Docker knows: refused, not forwarded', async () => {
    for (const name of ['mixcompose-resolver', 'example.com', 'localhost']) {
      const answer = await query(name);
      expect(answer?.answers ?? 0, name).toBe(0);
      expect(answer?.addresses ?? [], name).toEqual([]);
      if (answer) expect(answer.rcode, `${name}: rcode`).toBe(5); // REFUSED
    }
  }, 60_000);

  it('down leaves nothing of the project', async () => {
    const down = await stack.mc(['--allow-os-mismatch', 'down']);
    expect(down.exitCode, down.stderr).toBe(0);
    await stack.expectNothingLeft();
  }, 120_000);
});
