/**
 * The client-side hint that picks the order of a CLI `up`: "the last command that changed this
 * project from this machine was an `up` that completed, with this digest of the project and flags".
 * With the hint (and the same digest) `up` first observes WITHOUT the project lock, because a second
 * `up` with nothing changed most likely has nothing to do, and then needs no lock at all
 * (cli/project-lock-hook.ts). Without it (a first `up`, after `down`, a changed file, the cache off)
 * it takes the lock at once, as before: observing first would only add a round of daemon calls to an
 * `up` that has work.
 *
 * A hint is never trusted for correctness: whatever it says, only a plan that changes nothing runs
 * unlocked, and any other plan is made again under the lock. A wrong hint costs one observation.
 * So a missing, corrupt or unwritable file means "no hint", never a failure, and deleting it is safe.
 *
 * One small JSON file per (daemon, project) under the user cache directory (src/cache-dir.ts;
 * MIXCOMPOSE_CACHE_DIR empty: no hints). `daemon` names the daemon holding the project lock (its
 * client's label, which names the endpoint), as the resolver hosts cache does.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userCacheDir } from '../cache-dir.js';

/** The hints of one user (all calls are synchronous: a few hundred bytes, read before the first daemon call). */
export interface UpHints {
  /** Whether the last change of (project, daemon) from here was an `up` that completed with `digest`. */
  holds(project: string, daemon: string, digest: string): boolean;
  /** Records a completed `up`. Never throws: a hint that cannot be written is no hint. */
  save(project: string, daemon: string, digest: string): void;
  /** Drops the hint (a command is about to change the project). Never throws. */
  forget(project: string, daemon: string): void;
}

const VERSION = 1;

/** A short, stable digest of any JSON value (the project and the flags of an `up`). */
export function hintDigest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value) ?? '').digest('hex').slice(0, 32);
}

/** The file-backed hints under `dir` (the user cache directory). */
export function fileUpHints(dir: string): UpHints {
  const folder = join(dir, 'up-hints');
  const fileOf = (project: string, daemon: string) => join(folder, `${hintDigest([daemon, project])}.json`);
  return {
    holds(project, daemon, digest) {
      try {
        const raw = JSON.parse(readFileSync(fileOf(project, daemon), 'utf8')) as Record<string, unknown> | null;
        return raw?.version === VERSION && raw.project === project && raw.daemon === daemon && raw.digest === digest;
      } catch {
        return false;
      }
    },
    save(project, daemon, digest) {
      const file = fileOf(project, daemon);
      const temp = `${file}.${process.pid}.tmp`;
      try {
        mkdirSync(folder, { recursive: true });
        writeFileSync(temp, JSON.stringify({ version: VERSION, project, daemon, digest }));
        renameSync(temp, file); // whole or not at all
      } catch {
        try {
          rmSync(temp, { force: true });
        } catch {
          // nothing was written
        }
      }
    },
    forget(project, daemon) {
      try {
        rmSync(fileOf(project, daemon), { force: true });
      } catch {
        // an unwritable cache keeps a stale hint: it costs one observation, never a wrong answer
      }
    },
  };
}

/** No hints: every `up` takes the lock first. */
export const noUpHints: UpHints = { holds: () => false, save: () => undefined, forget: () => undefined };

/** The user's hints (src/cache-dir.ts), or none when the user turned caches off. */
export function userUpHints(env: Readonly<Record<string, string | undefined>>): UpHints {
  const dir = userCacheDir(env);
  return dir ? fileUpHints(dir) : noUpHints;
}
