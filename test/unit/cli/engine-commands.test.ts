/**
 * Bad input to the engine commands is a clear usage or plan error, never an internal error with a
 * stack: invalid -t / --wait-timeout / --retry-daemon values (exit 2 through commander), unknown
 * service names (PlanError, exit 1) checked before any daemon is contacted. No daemon is needed:
 * the endpoints point at a socket that does not exist, and the checks come before connecting.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { reportError } from '../../../src/cli/report-error.js';
import { PlanError } from '../../../src/errors.js';

let dir: string;
const saved = { ...process.env };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mixcompose-cli-unit-'));
  writeFileSync(
    join(dir, 'compose.yaml'),
    [
      'name: unitcli',
      'services:',
      '  db:',
      '    image: mixcompose-test/busybox:latest',
      '  web:',
      '    image: mixcompose-test/busybox:latest',
      '    depends_on: [db]',
      '  extra:',
      '    image: mixcompose-test/busybox:latest',
      '    profiles: [more]',
      '',
    ].join('\n'),
  );
  process.env.MIXCOMPOSE_LINUX_HOST = 'unix:///nonexistent/mixcompose-unit-linux.sock';
  process.env.MIXCOMPOSE_WINDOWS_HOST = 'unix:///nonexistent/mixcompose-unit-windows.sock';
  process.env.MIXCOMPOSE_CONNECT_TIMEOUT = '1';
});
afterAll(() => {
  process.env = saved;
});

/** Runs the CLI in-process; returns the thrown error (or undefined) and the exit code reportError gives. */
async function run(...args: string[]): Promise<{ error: unknown; code: number; stderr: string }> {
  const program = buildProgram();
  let stderr = '';
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  let error: unknown;
  try {
    await program.parseAsync(['node', 'mixcompose', '-f', join(dir, 'compose.yaml'), '--progress', 'quiet', ...args]);
  } catch (e) {
    error = e;
  }
  const sink = { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream;
  const code = error === undefined ? 0 : reportError(error, sink);
  write.mockRestore();
  return { error, code, stderr };
}

describe('invalid numbers of seconds', () => {
  it.each([
    ['up', '-t', 'abc'],
    ['up', '--wait-timeout', 'x'],
    ['up', '--retry-daemon', 'x'],
    ['down', '-t', '-5'],
    ['stop', '-t', 'abc'],
    ['restart', '-t', 'x'],
    ['stop', '-t', ''],
  ])('%s %s %s is a usage error (exit 2) naming the option', async (...args) => {
    const r = await run(...args);
    expect(r.error).toBeInstanceOf(CommanderError);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`argument '${args[2]}' is invalid`);
    expect(r.stderr).toContain('not a number of seconds');
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('unknown service names', () => {
  it.each([['up'], ['up', '-d'], ['logs'], ['logs', '-f'], ['ps'], ['start'], ['stop'], ['restart'], ['plan']])(
    '%s nosuch: "no such service", exit 1, before any daemon is contacted',
    async (...command) => {
      const r = await run(...command, 'nosuch');
      expect(r.error).toBeInstanceOf(PlanError);
      expect((r.error as Error).message).toBe('no such service: nosuch');
      expect(r.code).toBe(1);
    },
  );

  it('names every unknown one and says when only the profile is off', async () => {
    const r = await run('up', 'web', 'extra', 'nosuch');
    expect((r.error as Error).message).toBe('no such service: extra (its profile is not enabled), nosuch');
    expect(r.code).toBe(1);
  });
});

describe('the launcher line (Q14)', () => {
  it('keeps options such as --env-file for mixcompose (node stops reading its own options at --)', () => {
    const shebang = readFileSync(new URL('../../../src/cli/main.ts', import.meta.url), 'utf8').split('\n')[0]!;
    expect(shebang).toBe('#!/usr/bin/env -S node --');
    // A script with the same first line sees every argument, even one Node 20 would take for itself.
    const script = join(dir, 'argv.mjs');
    writeFileSync(script, `${shebang}\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n`);
    chmodSync(script, 0o755);
    const out = execFileSync(script, ['--env-file', '/nonexistent/x.env', 'config'], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['--env-file', '/nonexistent/x.env', 'config']);
  });
});
