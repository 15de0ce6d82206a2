/**
 * Runs the CLI bundle (dist/bin/cli.cjs) with a V8 code cache (issue 9): node 20 keeps no compiled
 * code between runs, so every command read, parsed and compiled the code it ran again (about a
 * sixth of a second `up`'s CPU on the rig). V8 can hand out what it compiled for a script
 * (`script.createCachedData()`, taken at the end of a run, so it holds every function the run
 * called) and take it back at the next start (`cachedData`), when the code, V8's version and its
 * flags are the same.
 *
 * The cache is a hint, never a cause of failure:
 * - an entry is one file per key (codeCacheKey: the package version, a digest of the bundle's
 *   bytes, node's and V8's versions, node's flags, the command word) in `<cache dir>/code-cache/`,
 *   with a header holding the key and a digest of the data. Each command keeps its own entry: each
 *   warms the functions it calls;
 * - a missing, unreadable, damaged or foreign entry, or data V8 refuses, is compiled without it and
 *   written again at the end of a run that succeeded; a directory that cannot be written leaves
 *   the run as it is, only uncached;
 * - entries are written beside and renamed over (cache-files.ts): concurrent runs each write a
 *   whole file, the last one stays; at most MAX_CODE_CACHE_ENTRIES are kept.
 * Deleting the folder is always safe.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { pruneOldest, writeWhole } from '../cache-files.js';

/** The folder of the code cache under the user's cache directory. */
export const CODE_CACHE_DIR = 'code-cache';
/** Entries kept (the newest written): one per command and build, about 1 MB each. */
export const MAX_CODE_CACHE_ENTRIES = 24;
const FORMAT = 'mixcompose code cache 1';

/** What compiled code is valid for: a change to any part makes another entry. */
export interface CodeCacheKey {
  /** The package's version. */
  readonly version: string;
  /** A digest of the bundle's bytes (V8 itself compares only the source's length). */
  readonly code: string;
  /** `process.version` and `process.versions.v8`. */
  readonly node: string;
  readonly v8: string;
  /** node's flags (execArgv, NODE_OPTIONS): V8 refuses data made under other flags. */
  readonly flags: string;
  /** The command word (command-word.ts), or '' for none. */
  readonly command: string;
}

/**
 * The digest of keys, code and data: SHA-1, for integrity, not secrecy (the folder is the user's own):
 * it takes a quarter of SHA-256's time on the rig's CPUs (1 ms against 4 for the bundle).
 */
const digest = (data: string | Uint8Array) => createHash('sha1').update(data).digest('hex');

/** The entry's name for `key`. */
export function codeCacheKey(key: CodeCacheKey): string {
  return digest(JSON.stringify([FORMAT, key.version, key.code, key.node, key.v8, key.flags, key.command]));
}

/** The first line of an entry: the format, its key and a digest of the data after it. */
const headerOf = (name: string, data: Uint8Array) => `${FORMAT} ${name} ${digest(data)}\n`;

/**
 * The data stored for `name` in `file`: `absent` when there is no readable file, `damaged` when
 * it is not a whole entry for this key (cut short, edited, another format or key).
 */
export function readCodeCache(file: string, name: string): Buffer | 'absent' | 'damaged' {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return 'absent';
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) return 'damaged';
  const data = bytes.subarray(newline + 1);
  return bytes.subarray(0, newline + 1).toString('latin1') === headerOf(name, data) ? data : 'damaged';
}

/** Stores `data` for `name` in `file` whole or not at all, then trims the folder; false when it could not. */
export function writeCodeCache(file: string, name: string, data: Uint8Array): boolean {
  if (!writeWhole(file, Buffer.concat([Buffer.from(headerOf(name, data), 'latin1'), data]))) return false;
  pruneOldest(path.dirname(file), MAX_CODE_CACHE_ENTRIES, '.bin');
  return true;
}

/** A bundle that was run: its exports, how the cache served, and how to store what was compiled. */
export interface BundleRun {
  readonly exports: Readonly<Record<string, unknown>>;
  /** hit: V8 took the stored data; miss: none stored; rejected: stored but damaged or refused; off: no cache directory. */
  readonly cache: 'hit' | 'miss' | 'rejected' | 'off';
  /** After a miss or a rejection, stores the code compiled so far (call it at the end); never throws. */
  save(): void;
}

export interface RunBundleOptions {
  /**
   * The bundle: ASCII text (it is read as Latin-1: node then keeps it as one-byte text, the
   * cheapest to hand to V8) of one function expression
   * `(function (exports, require, module, __filename, __dirname, bundleUrl) {…})`.
   */
  readonly file: string;
  /** The user's cache directory (cache-dir.ts); undefined: no cache. */
  readonly cacheDir: string | undefined;
  /** The key but for the code's digest, which is taken here from the bytes read. */
  readonly key: Omit<CodeCacheKey, 'code'>;
}

/**
 * Compiles and runs the bundle through the code cache. The bundle must not use `import()` (a vm
 * script has no loader for it but node's experimental one; bundle-cli.mjs checks): packages it
 * leaves outside are loaded with `require`.
 */
export function runBundle(options: RunBundleOptions): BundleRun {
  const bytes = readFileSync(options.file);
  const name = options.cacheDir === undefined ? undefined : codeCacheKey({ ...options.key, code: digest(bytes) });
  const entry = name === undefined ? undefined : path.join(options.cacheDir!, CODE_CACHE_DIR, `${name}.bin`);
  const stored = entry === undefined ? 'absent' : readCodeCache(entry, name!);
  const script = new Script(bytes.toString('latin1'), {
    filename: options.file,
    ...(typeof stored === 'object' ? { cachedData: stored } : {}),
  });
  const cache = entry === undefined ? 'off' : stored === 'absent' ? 'miss' : stored === 'damaged' || script.cachedDataRejected ? 'rejected' : 'hit';
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string, url: string) => void;
  run(module.exports, createRequire(options.file), module, options.file, path.dirname(options.file), pathToFileURL(options.file).href);
  return {
    exports: module.exports,
    cache,
    save() {
      if (cache !== 'miss' && cache !== 'rejected') return;
      try {
        writeCodeCache(entry!, name!, script.createCachedData());
      } catch {
        // No data to be had: the next run compiles again.
      }
    },
  };
}
