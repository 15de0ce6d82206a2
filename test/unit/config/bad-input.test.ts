/**
 * The bad-input suite: every file in test/fixtures/config/bad must fail to load with a ConfigError
 * (never a crash), and for each line marked `#! text` there must be an error on that line whose
 * message contains `text`, in that file. `#! @key.path text` also requires the error's key path.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../../src/config/load-project.js';
import { ConfigError, formatIssue, formatKeyPath } from '../../../src/errors.js';

const dir = fileURLToPath(new URL('../../fixtures/config/bad/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

function expectations(text: string): { line: number; text: string; path?: string }[] {
  return text.split('\n').flatMap((l, i) => {
    const at = l.indexOf('#!');
    if (at < 0) return [];
    const want = l.slice(at + 2).trim();
    const keyed = /^@(\S+)\s+(.*)$/.exec(want);
    return [keyed ? { line: i + 1, text: keyed[2]!, path: keyed[1]! } : { line: i + 1, text: want }];
  });
}

describe('bad input', () => {
  it('has at least 40 cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  for (const file of files) {
    it(file, async () => {
      const expected = expectations(readFileSync(path.join(dir, file), 'utf8'));
      expect(expected.length).toBeGreaterThan(0);
      let error: unknown;
      try {
        await loadProject({ files: [file], cwd: dir, envFiles: [], profiles: [], environment: {}, hostPlatform: 'linux' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.filter((i) => i.severity === 'error');
      for (const want of expected) {
        const match = issues.find(
          (i) =>
            i.position?.file === file &&
            i.position.line === want.line &&
            i.message.includes(want.text) &&
            (want.path === undefined || formatKeyPath(i.path) === want.path),
        );
        const what = `${want.path ? `${want.path}: ` : ''}"${want.text}"`;
        expect(match, `no error on line ${want.line} with ${what}; got:\n${issues.map(formatIssue).join('\n')}`).toBeDefined();
      }
    });
  }
});
