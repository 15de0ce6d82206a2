/**
 * What the project resolver's hosts reader does with a batch (plan/resolver-hosts-protocol.ts), for
 * in-memory daemons: the files it writes, and its answer to the batch's `ack` (always ok).
 */
import { decodeHostsBatch, type HostsFileWrite } from '../../src/plan/resolver-hosts-protocol.js';

export function applyHostsBatch(input: string): { files: HostsFileWrite[]; answer: string } {
  const acks = input.split('\n').filter((l) => l.startsWith('ack\t'));
  if (acks.length !== 1) throw new Error(`a hosts batch has one ack, this one ${acks.length}: ${JSON.stringify(input)}`);
  return { files: decodeHostsBatch(input), answer: `ok ${acks[0]!.slice('ack\t'.length)}` };
}
