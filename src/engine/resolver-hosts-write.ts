/**
 * Writing hosts files into a running project resolver: one batch through its stdin
 * (plan/resolver-hosts-protocol.ts), confirmed by its answer before the operations that wait for
 * the names go on (as PUT archive's 200 did before). A write that fails or is not confirmed leaves
 * what the next `up` repairs: observe reads the hostsdir back and registers what is missing.
 */
import { randomBytes } from 'node:crypto';
import { DaemonError } from '../errors.js';
import { encodeHostsBatch, hostsBatchAnswer, type HostsFileWrite } from '../plan/resolver-hosts-protocol.js';
import { RESOLVER_DIRS } from '../plan/resolver.js';
import type { DaemonClient } from './daemon-client.js';

/** How long a batch waits for the resolver's answer once attached (a few file writes take milliseconds; on a starved machine, seconds). */
export const HOSTS_ANSWER_TIMEOUT_MS = 30_000;

/** What the user can do about a resolver that does not answer. */
const FIX = 'its hosts reader is not running or the daemon is overloaded; run up again, and if it repeats remove that container (up then creates it again and registers every name)';

/**
 * Writes `files` into the resolver container `container` and waits for its answer. Rejects with a
 * DaemonError whose cause names the resolver when the batch is refused, unanswered, or cannot be sent.
 */
export async function writeResolverFiles(client: DaemonClient, container: string, files: readonly HostsFileWrite[], timeoutMs = HOSTS_ANSWER_TIMEOUT_MS): Promise<void> {
  const resolver = `the project resolver (container ${container.slice(0, 12)})`;
  const what = 'write hosts files into the project resolver';
  if (!client.exchangeStdin) throw new DaemonError(client.label, what, new Error(`${resolver}: this daemon client cannot attach to a container`));
  const token = randomBytes(6).toString('hex');
  const input = encodeHostsBatch(files, token, RESOLVER_DIRS);
  let line: string;
  try {
    line = await client.exchangeStdin(container, input, { answered: (l) => hostsBatchAnswer(l, token) !== undefined, timeoutMs });
  } catch (error) {
    const cause = error instanceof DaemonError && error.cause instanceof Error ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    const unanswered = (cause as { code?: unknown } | undefined)?.code === 'ENOANSWER';
    throw new DaemonError(client.label, what, new Error(unanswered ? `${resolver} did not confirm the write: ${message}; ${FIX}` : `${resolver}: ${message}`, { cause }));
  }
  const answer = hostsBatchAnswer(line, token)!;
  if (!answer.ok) throw new DaemonError(client.label, what, new Error(`${resolver} refused the write: ${answer.reason}`));
}
