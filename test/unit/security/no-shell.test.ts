/**
 * Nothing mixcompose runs on the user's machine goes through a shell: the source holds no
 * `shell: true`, no child_process `exec`/`execSync` (which always use one), no execa template or
 * command-string forms; programs are run as (file, [args]). And a hostile credential helper name
 * from config.json is one program name, not a command line. Inside probe containers, doctor quotes
 * what it puts into its `sh -c` lines.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { runCredentialHelper } from '../../../src/engine/registry-auth.js';
import { shellQuote } from '../../../src/plan/fault-report.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bshell\s*:\s*(true|['"`])/, 'a shell option'],
  [/import\s*\{[^}]*\b(exec|execSync)\b[^}]*\}\s*from\s*['"](node:)?child_process['"]/, 'child_process exec/execSync (they run a shell)'],
  [/\bchild_process\b[^\n]*\.(exec|execSync)\s*\(/, 'child_process exec/execSync'],
  [/import\s*\{[^}]*(\$|\bexecaCommand(Sync)?\b)[^}]*\}\s*from\s*['"]execa['"]|\bexeca\s*`/, 'an execa command string or template'],
  [/\bspawn(Sync)?\s*\(\s*['"`][^'"`]*\s[^'"`]*['"`]\s*[,)]/, 'spawn with a command line'],
];

describe('no shell on the host', () => {
  it('the source runs programs only as (file, [args])', () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [pattern, what] of FORBIDDEN) if (pattern.test(text)) found.push(`${file.slice(SRC.length)}: ${what}`);
    }
    expect(found).toEqual([]);
  });

  it('the rule catches what it is meant to catch', () => {
    const hits = (text: string) => FORBIDDEN.filter(([p]) => p.test(text)).map(([, w]) => w);
    expect(hits("spawn('docker', ['ps'], { shell: true })")).toEqual(['a shell option']);
    expect(hits("import { exec } from 'node:child_process';")).toHaveLength(1);
    expect(hits("import { $ } from 'execa';")).toHaveLength(1);
    expect(hits("import { execa, execaCommand } from 'execa';")).toHaveLength(1);
    expect(hits('await execa`docker ps`')).toHaveLength(1);
    expect(hits("spawnSync('docker ps -a')")).toHaveLength(1);
    expect(hits("execa('docker-credential-x', ['get'])")).toEqual([]);
  });

  it('a credential helper name full of shell syntax is one (missing) program, nothing runs', async () => {
    const marker = join(tmpdir(), `mixcompose-no-shell-${process.pid}`);
    await expect(runCredentialHelper(`x; touch ${marker}`, 'registry.example', { PATH: '/usr/bin:/bin' })).rejects.toThrow(/cannot run docker-credential-x; touch/);
    expect(existsSync(marker)).toBe(false);
  });

  it('doctor quotes words it puts into a probe shell line', () => {
    expect(shellQuote('db')).toBe('db');
    expect(shellQuote('10.201.3.4')).toBe('10.201.3.4');
    expect(shellQuote('x; reboot')).toBe("'x; reboot'");
    expect(shellQuote("a'b")).toBe("'a'\\''b'");
  });
});
