/**
 * The V8 code cache of the CLI bundle (code-cache.ts), on a small bundle in a temp directory: what
 * it stores, when it takes an entry and when not, and that no cache state fails or changes a run.
 * Each run is its own process (as each command is): within one process V8 answers a second
 * compile of the same text from memory and never looks at the data.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CODE_CACHE_DIR, codeCacheKey, readCodeCache, writeCodeCache, type CodeCacheKey } from '../../../src/cli/code-cache.js';

const KEY: Omit<CodeCacheKey, 'code'> = { version: '1.0.0', node: 'v20.0.0', v8: '11.3', flags: '[]', command: 'up' };
const bundleText = (answer: number) =>
  `(function (exports, require, module, __filename, __dirname, url) {\n` +
  `exports.answer = function answer() { return ${answer}; };\nexports.where = () => [__filename, url, typeof require('node:path').join];\n})`;

// The module as a process runs it: bundled from src with esbuild, as the CLI is.
const modules = mkdtempSync(join(tmpdir(), 'mixcompose-code-cache-module-'));
beforeAll(async () => {
  await build({ entryPoints: [join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'code-cache.ts')], bundle: true, platform: 'node', format: 'esm', outfile: join(modules, 'code-cache.mjs'), logLevel: 'error' });
  writeFileSync(
    join(modules, 'run.mjs'),
    `import { runBundle } from './code-cache.mjs';\n` +
      `const [file, cacheDir, key, save] = process.argv.slice(2);\n` +
      `const r = runBundle({ file, cacheDir: cacheDir || undefined, key: JSON.parse(key) });\n` +
      `const answer = r.exports.answer(); const where = r.exports.where();\n` +
      `if (save) r.save();\n` +
      `process.stdout.write(JSON.stringify({ cache: r.cache, answer, where }));\n`,
  );
});
afterAll(() => rmSync(modules, { recursive: true, force: true }));

let dir: string;
let bundle: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mixcompose-code-cache-'));
  bundle = join(dir, 'cli.cjs');
  cacheDir = join(dir, 'cache');
  writeFileSync(bundle, bundleText(42));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly cache: string;
  readonly answer: number;
  readonly where: unknown;
}
/** One process that runs the bundle through the cache (and stores what it compiled when `save`). */
function run({ save = false, cache = cacheDir }: { save?: boolean; cache?: string } = {}): Run {
  const child = spawnSync(process.execPath, [join(modules, 'run.mjs'), bundle, cache, JSON.stringify(KEY), save ? 'save' : ''], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`the run failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as Run;
}
const entries = () => readdirSync(join(cacheDir, CODE_CACHE_DIR));
const onlyEntry = () => join(cacheDir, CODE_CACHE_DIR, entries()[0]!);
const entryName = () => entries()[0]!.replace(/\.bin$/, '');

describe('codeCacheKey', () => {
  it('is the same for the same parts and differs when any part differs', () => {
    const key = { ...KEY, code: 'abc' };
    expect(codeCacheKey(key)).toBe(codeCacheKey({ ...key }));
    for (const part of ['version', 'code', 'node', 'v8', 'flags', 'command'] as const) {
      expect(codeCacheKey({ ...key, [part]: `${key[part]}x` }), part).not.toBe(codeCacheKey(key));
    }
  });
});

describe('runBundle', () => {
  it('runs the bundle with its module, require, file and URL', () => {
    const r = run();
    expect(r.answer).toBe(42);
    expect(r.where).toEqual([bundle, `file://${bundle}`, 'function']);
  });

  it('misses, stores what was compiled when asked, then hits', () => {
    expect(run().cache).toBe('miss');
    expect(() => entries()).toThrow(); // nothing stored unless asked
    expect(run({ save: true }).cache).toBe('miss');
    expect(entries()).toHaveLength(1);
    const second = run();
    expect(second.cache).toBe('hit');
    expect(second.answer).toBe(42);
  });

  it('does not take the entry of other code of the same length', () => {
    run({ save: true });
    writeFileSync(bundle, bundleText(43)); // V8 alone would take it: it compares only the length
    const r = run();
    expect(r.cache).toBe('miss');
    expect(r.answer).toBe(43);
  });

  it('compiles without data V8 refuses, and writes the entry again', () => {
    run({ save: true });
    writeCodeCache(onlyEntry(), entryName(), new Script(`${bundleText(7)}\n// other code`).createCachedData());
    const r = run({ save: true });
    expect(r.cache).toBe('rejected');
    expect(r.answer).toBe(42);
    expect(run().cache).toBe('hit');
  });

  it.each([
    ['garbage', () => Buffer.from('not a cache at all')],
    ['cut short', (bytes: Buffer) => bytes.subarray(0, bytes.length - 100)],
    ['a byte of the data changed', (bytes: Buffer) => Buffer.concat([bytes.subarray(0, -10), Buffer.from([bytes.at(-10)! ^ 0xff]), bytes.subarray(-9)])],
  ])('treats a damaged entry (%s) as none, never hands it to V8, and writes it again', (_, damage) => {
    run({ save: true });
    const file = onlyEntry();
    writeFileSync(file, damage(readFileSync(file)));
    expect(readCodeCache(file, entryName())).toBe('damaged');
    const r = run({ save: true });
    expect(r.cache).toBe('rejected');
    expect(r.answer).toBe(42);
    expect(run().cache).toBe('hit');
  });

  it('runs without a cache directory, or with one it cannot write', () => {
    expect(run({ cache: '', save: true })).toMatchObject({ cache: 'off', answer: 42 });
    writeFileSync(join(dir, 'a-file'), '');
    expect(run({ cache: join(dir, 'a-file', 'cache'), save: true })).toMatchObject({ cache: 'miss', answer: 42 });
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'cli.cjs']);
  });

  it('keeps one whole entry when several processes write it at once', async () => {
    const args = [join(modules, 'run.mjs'), bundle, cacheDir, JSON.stringify(KEY), 'save'];
    const writers = Array.from({ length: 6 }, () => new Promise<number | null>((resolve) => spawn(process.execPath, args, { stdio: 'ignore' }).on('exit', resolve)));
    expect(await Promise.all(writers)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(entries()).toHaveLength(1); // whole, and no temp file left behind
    expect(readCodeCache(onlyEntry(), entryName())).toBeInstanceOf(Buffer);
    expect(run().cache).toBe('hit');
  });
});
