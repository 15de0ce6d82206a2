/**
 * The ONLY file system access of the config loader. Everything else in src/config is pure and
 * receives a ConfigFileSystem; tests pass `memoryFileSystem(...)`. Also the file that keeps the
 * CLI's caches: schema validity (the loader sees it as a ValidityCache) and loaded projects (a
 * ProjectCacheStore).
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pruneOldest, writeWhole } from '../cache-files.js';
import type { ProjectCacheStore } from './project-cache.js';
import type { ValidityCache } from './schema-validity.js';

export interface ConfigFileSystem {
  /** The file's text, or undefined when it does not exist (or is not a readable file). */
  readText(file: string): string | undefined;
  /**
   * Where the file read by readText stops being UTF-8 (its text then holds U+FFFD there), if it does.
   * Optional: in-memory file systems hold text only.
   */
  encodingProblem?(file: string): EncodingProblem | undefined;
  /** What is at `p`, if anything. */
  kind(p: string): 'file' | 'directory' | undefined;
}

/** The first byte of a file that is not UTF-8: its line and column (1-based, columns in bytes) and value. */
export interface EncodingProblem {
  readonly line: number;
  readonly col: number;
  readonly byte: number;
}

/** Length of the UTF-8 sequence starting at `i` (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), or 0 when invalid. */
function sequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  const [length, min, max] = b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf] : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf] : b === 0xf0 ? [4, 0x90, 0xbf] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : [0, 0, 0];
  if (!length || i + length > bytes.length) return 0;
  if (bytes[i + 1]! < min || bytes[i + 1]! > max) return 0;
  for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return 0;
  return length;
}

/** Where `bytes` stop being UTF-8, if they do. */
export function firstInvalidUtf8(bytes: Buffer): EncodingProblem | undefined {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceLength(bytes, i);
    if (!length) return { line, col: i - lineStart + 1, byte: bytes[i]! };
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    i += length;
  }
  return undefined;
}

const encodingProblems = new Map<string, EncodingProblem>();

export const nodeFileSystem: ConfigFileSystem = {
  readText(file) {
    try {
      const bytes = readFileSync(file);
      const text = bytes.toString('utf8');
      const problem = text.includes('\uFFFD') ? firstInvalidUtf8(bytes) : undefined;
      if (problem) encodingProblems.set(path.resolve(file), problem);
      else encodingProblems.delete(path.resolve(file));
      return text;
    } catch {
      return undefined;
    }
  },
  encodingProblem(file) {
    return encodingProblems.get(path.resolve(file));
  },
  kind(p) {
    try {
      const st = statSync(p);
      return st.isDirectory() ? 'directory' : st.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  },
};

/** An in-memory file system for tests: absolute path → text. Directories are implied by files. */
export function memoryFileSystem(files: Readonly<Record<string, string>>, directories: readonly string[] = []): ConfigFileSystem {
  const dirs = new Set(directories.map((d) => path.resolve(d)));
  for (const f of Object.keys(files)) {
    let d = path.dirname(path.resolve(f));
    while (!dirs.has(d)) {
      dirs.add(d);
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  return {
    readText: (file) => files[path.resolve(file)],
    kind: (p) => (files[path.resolve(p)] !== undefined ? 'file' : dirs.has(path.resolve(p)) ? 'directory' : undefined),
  };
}

/**
 * The CLI's validity cache (see schema-validity.ts) as a small text file in the user's cache
 * directory: a header naming the format and the mixcompose version, then one digest per line.
 * The file is only a hint: one that cannot be read, is corrupt or is of another version counts as
 * empty, and one that cannot be written is left as it is; no command fails or answers differently
 * because of it. Deleting it is always safe (the next load checks its files again).
 */
export const VALIDITY_CACHE_FILE = 'valid-models.txt';
/** Digests kept (the newest): enough for many projects and their variants, a few tens of KB at most. */
export const MAX_VALIDITY_ENTRIES = 512;
const FORMAT = 'mixcompose validity cache 1';
const DIGEST = /^[0-9a-f]{64}$/;

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
      const kept = [...known].slice(-MAX_VALIDITY_ENTRIES);
      // Not writable: the models are checked again next time.
      writeWhole(file, `${header}\n${kept.join('\n')}\n`);
    },
  };
}

/** The folder of the project cache under the user's cache directory (one file per cache key). */
export const PROJECT_CACHE_DIR = 'projects';
/** Entries kept (the newest written): one per project and set of flags, a few KB each. */
export const MAX_PROJECT_ENTRIES = 64;
const PROJECT_FORMAT = 'mixcompose project cache 1';

/**
 * The code that made an entry: the version and, for builds of one version, the size and time of
 * this module's file (tsc writes every file at each build). Undefined when that file cannot be
 * found (a copied bundle): then nothing is cached, rather than an entry of other code being used.
 */
function buildStamp(version: string): string | undefined {
  try {
    const stat = statSync(fileURLToPath(import.meta.url));
    return `${version} ${stat.size} ${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * The CLI's project cache (project-cache.ts) in `dir`/projects: one file per key, a header naming
 * the format and the code that wrote it, then the entry. Like the validity cache it is only a
 * hint: an entry that cannot be read or is of other code counts as absent, one that cannot be
 * written is not, and deleting the folder is always safe. Its files are the user's alone (0600):
 * an entry holds the resolved services, whose values may come from the environment.
 */
export function fileProjectCache(dir: string, version: string): ProjectCacheStore {
  const folder = path.join(dir, PROJECT_CACHE_DIR);
  const stamp = buildStamp(version);
  const header = `${PROJECT_FORMAT} ${stamp}\n`;
  const fileOf = (key: string) => path.join(folder, `${key}.json`);
  return {
    read(key) {
      if (!stamp) return undefined;
      try {
        const text = readFileSync(fileOf(key), 'utf8');
        return text.startsWith(header) ? text.slice(header.length) : undefined;
      } catch {
        return undefined;
      }
    },
    write(key, text) {
      if (!stamp) return;
      // Not writable: the next load runs the pipeline again.
      if (writeWhole(fileOf(key), header + text, { file: 0o600, folder: 0o700 })) pruneOldest(folder, MAX_PROJECT_ENTRIES, '.json');
    },
  };
}
