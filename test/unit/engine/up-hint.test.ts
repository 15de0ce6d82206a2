/**
 * The optimistic `up`'s hint file (engine/up-hint.ts): it holds only for the same project, daemon
 * and digest; a missing, corrupt or foreign file, or one that cannot be written, is "no hint" and
 * never a failure; caches turned off (MIXCOMPOSE_CACHE_DIR empty) mean no hints at all.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileUpHints, hintDigest, userUpHints } from '../../../src/engine/up-hint.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'mixcompose-up-hint-'));

describe('up hints', () => {
  it('a saved hint holds for its project, daemon and digest only; forget drops it', () => {
    const hints = fileUpHints(tempDir());
    expect(hints.holds('shop', 'linux (unix:///l.sock)', 'd1')).toBe(false);
    hints.save('shop', 'linux (unix:///l.sock)', 'd1');
    expect(hints.holds('shop', 'linux (unix:///l.sock)', 'd1')).toBe(true);
    expect(hints.holds('shop', 'linux (unix:///l.sock)', 'd2')).toBe(false);
    expect(hints.holds('shop', 'linux (unix:///other.sock)', 'd1')).toBe(false);
    expect(hints.holds('blog', 'linux (unix:///l.sock)', 'd1')).toBe(false);
    hints.forget('shop', 'linux (unix:///l.sock)');
    expect(hints.holds('shop', 'linux (unix:///l.sock)', 'd1')).toBe(false);
    hints.forget('shop', 'linux (unix:///l.sock)'); // nothing there: no failure
  });

  it('a corrupt or foreign file is no hint', () => {
    const dir = tempDir();
    const hints = fileUpHints(dir);
    hints.save('shop', 'linux', 'd1');
    const file = join(dir, 'up-hints', readdirSync(join(dir, 'up-hints'))[0]!);
    writeFileSync(file, '{"version":1,"project":"shop"');
    expect(hints.holds('shop', 'linux', 'd1')).toBe(false);
    writeFileSync(file, JSON.stringify({ version: 1, project: 'blog', daemon: 'linux', digest: 'd1' }));
    expect(hints.holds('shop', 'linux', 'd1')).toBe(false);
    writeFileSync(file, JSON.stringify({ version: 99, project: 'shop', daemon: 'linux', digest: 'd1' }));
    expect(hints.holds('shop', 'linux', 'd1')).toBe(false);
    writeFileSync(file, 'null');
    expect(hints.holds('shop', 'linux', 'd1')).toBe(false);
  });

  it('a cache that cannot be written is no hint, and no failure', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'up-hints'), 'a file where the folder belongs');
    const hints = fileUpHints(dir);
    expect(() => hints.save('shop', 'linux', 'd1')).not.toThrow();
    expect(hints.holds('shop', 'linux', 'd1')).toBe(false);
    expect(() => hints.forget('shop', 'linux')).not.toThrow();
  });

  it('MIXCOMPOSE_CACHE_DIR empty turns hints off; otherwise they live there', () => {
    const off = userUpHints({ MIXCOMPOSE_CACHE_DIR: '' });
    off.save('shop', 'linux', 'd1');
    expect(off.holds('shop', 'linux', 'd1')).toBe(false);
    const dir = tempDir();
    userUpHints({ MIXCOMPOSE_CACHE_DIR: dir }).save('shop', 'linux', 'd1');
    expect(readdirSync(join(dir, 'up-hints'))).toHaveLength(1);
    expect(userUpHints({ MIXCOMPOSE_CACHE_DIR: dir }).holds('shop', 'linux', 'd1')).toBe(true);
  });

  it('the digest follows the value', () => {
    expect(hintDigest({ a: 1 })).toBe(hintDigest({ a: 1 }));
    expect(hintDigest({ a: 1 })).not.toBe(hintDigest({ a: 2 }));
  });
});
