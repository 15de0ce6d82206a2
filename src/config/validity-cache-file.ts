/**
 * The CLI's validity cache (see schema-validity.ts) as a small text file in the user's cache
 * directory: a header naming the format and the mixcompose version, then one digest per line.
 * The file is only a hint: one that cannot be read, is corrupt or is of another version counts as
 * empty, and one that cannot be written is left as it is; no command fails or answers differently
 * because of it. Deleting it is always safe (the next load checks its files again).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ValidityCache } from './schema-validity.js';

export const VALIDITY_CACHE_FILE = 'valid-models.txt';
/** Digests kept (the newest): enough for many projects and their variants, a few tens of KB at most. */
export const MAX_ENTRIES = 512;
const FORMAT = 'mixcompose validity cache 1';
const DIGEST = /^[0-9a-f]{64}$/;

/**
 * Where the cache lives: $MIXCOMPOSE_CACHE_DIR (empty: no cache), else $XDG_CACHE_HOME/mixcompose,
 * else ~/.cache/mixcompose (%LOCALAPPDATA%\mixcompose\cache on Windows).
 */
export function validityCacheDir(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform): string | undefined {
  const override = env.MIXCOMPOSE_CACHE_DIR;
  if (override !== undefined) return override === '' ? undefined : override;
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'mixcompose');
  if (platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'mixcompose', 'cache');
  const home = env.HOME ?? env.USERPROFILE;
  return home ? path.join(home, '.cache', 'mixcompose') : undefined;
}

/** The cache of `version` in `dir` (read at the first question, written at each new digest). */
export function fileValidityCache(dir: string, version: string): ValidityCache {
  const file = path.join(dir, VALIDITY_CACHE_FILE);
  const header = `${FORMAT} ${version}`;
  let digests: Set<string> | undefined;
  const read = (): Set<string> => {
    if (digests) return digests;
    digests = new Set();
    try {
      const lines = readFileSync(file, 'utf8').split('\n');
      if (lines[0] === header) for (const line of lines.slice(1)) if (DIGEST.test(line)) digests.add(line);
    } catch {
      // No cache yet, or not readable: every model is checked.
    }
    return digests;
  };
  return {
    has: (digest) => read().has(digest),
    add(digest) {
      const known = read();
      if (known.has(digest)) return;
      known.add(digest);
      const kept = [...known].slice(-MAX_ENTRIES);
      try {
        mkdirSync(dir, { recursive: true });
        // Written beside and renamed over: a reader never sees half a file.
        const temp = `${file}.${process.pid}.tmp`;
        writeFileSync(temp, `${header}\n${kept.join('\n')}\n`);
        renameSync(temp, file);
      } catch {
        // Not writable: the models are checked again next time.
      }
    },
  };
}
