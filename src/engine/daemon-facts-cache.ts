/**
 * The client-side cache of what each daemon said about itself (/info and /version, cut down to
 * what DaemonFacts is made of: plan/daemon-check.ts factInputs), so that an optimistic second `up`
 * asks `/_ping` instead. Docker 20.10 runs runc and docker-init for each of /info and /version
 * (70–120 ms, and CPU the same machine's `up` wants), while /_ping answers at once.
 *
 * An entry is used only when the daemon's /_ping headers are exactly those it was written with:
 * API version, OS type, `Server: Docker/<version> (<os>)`, experimental and builder version. Even
 * then its facts serve only a plan that changes nothing (engine/apply.ts, Daemons.confirmFacts,
 * says why that is sound); any other plan is made with /info and /version asked again.
 *
 * One small JSON file per endpoint under the user cache directory (src/cache-dir.ts;
 * MIXCOMPOSE_CACHE_DIR empty: no cache). A missing, corrupt or unwritable file means "ask the
 * daemon", never a failure, and deleting it is safe.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userCacheDir } from '../cache-dir.js';
import { factInputs, type FactInputs } from '../plan/daemon-check.js';
import { hintDigest } from './up-hint.js';

/** The /_ping headers an entry must match, lower-cased names (DaemonClient.pingHeaders). */
export const PING_SIGNATURE_HEADERS = ['api-version', 'ostype', 'server', 'docker-experimental', 'builder-version'] as const;

/**
 * The signature of a daemon's /_ping answer, or undefined when it does not say its API version,
 * OS type and server version (an old engine, a proxy): such a daemon is always asked.
 */
export function pingSignature(headers: Readonly<Record<string, string>>): string | undefined {
  if (!headers['api-version'] || !headers.ostype || !headers.server) return undefined;
  return JSON.stringify(PING_SIGNATURE_HEADERS.map((name) => headers[name] ?? ''));
}

/** The cached facts of one user (synchronous: a few hundred bytes per daemon). */
export interface DaemonFactsCache {
  /** What `endpoint` said when its /_ping answered with `signature`; undefined when not known. */
  get(endpoint: string, signature: string): FactInputs | undefined;
  /** Records what `endpoint` said. Never throws: an entry that cannot be written is no entry. */
  save(endpoint: string, signature: string, inputs: FactInputs): void;
}

const VERSION = 1;

/** The file-backed cache under `dir` (the user cache directory). */
export function fileDaemonFactsCache(dir: string): DaemonFactsCache {
  const folder = join(dir, 'daemon-facts');
  const fileOf = (endpoint: string) => join(folder, `${hintDigest(endpoint)}.json`);
  return {
    get(endpoint, signature) {
      try {
        const raw = JSON.parse(readFileSync(fileOf(endpoint), 'utf8')) as Record<string, unknown> | null;
        if (raw?.version !== VERSION || raw.endpoint !== endpoint || raw.signature !== signature) return undefined;
        const inputs = raw.inputs as FactInputs | undefined;
        if (typeof inputs?.info?.OSType !== 'string' || typeof inputs.version?.ApiVersion !== 'string') return undefined;
        // Only the fields daemonFacts reads, whatever the file holds.
        return factInputs(inputs.info, inputs.version);
      } catch {
        return undefined;
      }
    },
    save(endpoint, signature, inputs) {
      const file = fileOf(endpoint);
      const temp = `${file}.${process.pid}.tmp`;
      try {
        mkdirSync(folder, { recursive: true });
        writeFileSync(temp, JSON.stringify({ version: VERSION, endpoint, signature, inputs: factInputs(inputs.info, inputs.version) }));
        renameSync(temp, file); // whole or not at all
      } catch {
        try {
          rmSync(temp, { force: true });
        } catch {
          // nothing was written
        }
      }
    },
  };
}

/** The user's cache (src/cache-dir.ts), or none when the user turned caches off. */
export function userDaemonFactsCache(env: Readonly<Record<string, string | undefined>>): DaemonFactsCache | undefined {
  const dir = userCacheDir(env);
  return dir ? fileDaemonFactsCache(dir) : undefined;
}
