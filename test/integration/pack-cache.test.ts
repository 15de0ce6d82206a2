/**
 * The packed package and its caches (issue 9): the bin runs its CLI bundle through a V8 code cache in
 * the user's cache directory. From `npm pack`, installed into an empty prefix: `--version` and
 * `config` answer when the cache directory cannot be created (nothing is written, nothing fails),
 * and with a writable one the second `config` runs from the code cache and prints the same.
 * Needs no daemon.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/rig.js';

describe('the packed bin with its cache directory', () => {
  let work: string;
  let bin: string;
  /** The installed bin with only PATH and the given variables (no HOME: no default cache either way). */
  const run = (args: string[], env: Record<string, string>) =>
    execa(bin, args, { cwd: work, env: { PATH: process.env.PATH!, ...env }, extendEnv: false, reject: false, stdin: 'ignore' });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mixcompose-pack-cache-'));
    await execa('npm', ['run', 'build'], { cwd: REPO_ROOT });
    const packed = await execa('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: REPO_ROOT });
    const tarball = join(work, packed.stdout.trim().split('\n').at(-1)!);
    const prefix = join(work, 'prefix');
    await execa('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: work });
    bin = join(prefix, 'node_modules', '.bin', 'mixcompose');
    writeFileSync(join(work, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n    platform: linux\n');
    writeFileSync(join(work, 'a-file'), '');
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('answers --version and config when the cache directory cannot be created', async () => {
    // Under a regular file: no user (root included) can make that directory.
    const blocked = { XDG_CACHE_HOME: join(work, 'a-file', 'cache') };
    const version = await run(['--version'], blocked);
    expect(version.exitCode, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+$/);
    for (let i = 0; i < 2; i++) {
      const config = await run(['-f', 'compose.yaml', 'config'], blocked);
      expect(config.exitCode, config.stderr).toBe(0);
      expect(config.stderr).toBe('');
      expect(config.stdout).toContain('image: nginx');
    }
    expect(existsSync(join(work, 'a-file', 'cache'))).toBe(false);
  });

  it('keeps one code cache entry per command and prints the same from it', async () => {
    const cache = { MIXCOMPOSE_CACHE_DIR: join(work, 'cache') };
    const first = await run(['-f', 'compose.yaml', 'config'], cache);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(readdirSync(join(work, 'cache', 'code-cache'))).toHaveLength(1);
    const second = await run(['-f', 'compose.yaml', 'config'], cache);
    expect(second.stdout).toBe(first.stdout);
    const validate = await run(['-f', 'compose.yaml', 'config', '-q'], cache);
    expect(validate.exitCode, validate.stderr).toBe(0);
    expect(readdirSync(join(work, 'cache', 'code-cache'))).toHaveLength(1); // `config -q` is `config`
  });
});
