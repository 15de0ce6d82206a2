/**
 * The "to continue" line runs as given: every global flag the user typed is in it (QA2 R10), and
 * what the environment supplies stays out (it is still set for the next run).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { resumeFor } from '../../../src/cli/commands/session.js';
import { buildProgram } from '../../../src/cli/program.js';
import { DaemonError } from '../../../src/errors.js';
import type { GlobalOptions } from '../../../src/cli/global-options.js';
import { formatResumeCommand } from '../../../src/plan/fault-report.js';

const base: GlobalOptions = { file: [], envFile: [], profile: [], allowOsMismatch: false, progress: 'auto' };
const project = { name: 'qa2-auto', configFiles: ['/tmp/qa2/p1/compose.yaml'] };

describe('resume command', () => {
  it('keeps --linux-host and the other daemon flags', () => {
    const g: GlobalOptions = {
      ...base,
      linuxHost: 'unix:///tmp/qa2/nope.sock',
      windowsHost: 'tcp://10.0.0.5:2376',
      windowsContext: 'win',
      linuxContext: 'lin ctx',
      allowOsMismatch: true,
      progress: 'plain',
    };
    expect(formatResumeCommand(resumeFor(g, project, 'up', ['-d'], {}))).toBe(
      "mixcompose -f /tmp/qa2/p1/compose.yaml -p qa2-auto --windows-host tcp://10.0.0.5:2376 --linux-host unix:///tmp/qa2/nope.sock --windows-context win --linux-context 'lin ctx' --allow-os-mismatch --progress plain up -d",
    );
  });

  it('keeps -f, -p, --project-directory, --env-file and --profile as given', () => {
    const g: GlobalOptions = { ...base, file: ['a.yaml', 'b.yaml'], projectName: 'shop', projectDirectory: '/srv', envFile: ['.env.ci'], profile: ['debug'] };
    expect(formatResumeCommand(resumeFor(g, { name: 'shop', configFiles: ['/srv/a.yaml', '/srv/b.yaml'] }, 'down', ['-t', '1'], {}))).toBe(
      'mixcompose -f a.yaml -f b.yaml -p shop --project-directory /srv --env-file .env.ci --profile debug down -t 1',
    );
  });

  it('leaves out what the environment gives: MIXCOMPOSE_ALLOW_OS_MISMATCH=1, --progress auto', () => {
    const g: GlobalOptions = { ...base, allowOsMismatch: true };
    expect(formatResumeCommand(resumeFor(g, project, 'stop', ['web'], { MIXCOMPOSE_ALLOW_OS_MISMATCH: '1' }))).toBe(
      'mixcompose -f /tmp/qa2/p1/compose.yaml -p qa2-auto stop web',
    );
  });
});

describe('a daemon that does not answer when the command begins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mixcompose-resume-'));
  writeFileSync(join(dir, 'compose.yaml'), 'name: unitresume\nservices:\n  db:\n    image: mixcompose-test/busybox:latest\n');
  const missing = 'unix:///nonexistent/mixcompose-unit-resume.sock';

  async function run(...args: string[]): Promise<unknown> {
    const saved = process.env.MIXCOMPOSE_CONNECT_TIMEOUT;
    process.env.MIXCOMPOSE_CONNECT_TIMEOUT = '1';
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await buildProgram().parseAsync(['node', 'mixcompose', '-f', join(dir, 'compose.yaml'), '--linux-host', missing, '--progress', 'quiet', ...args]);
      return undefined;
    } catch (error) {
      return error;
    } finally {
      write.mockRestore();
      if (saved === undefined) delete process.env.MIXCOMPOSE_CONNECT_TIMEOUT;
      else process.env.MIXCOMPOSE_CONNECT_TIMEOUT = saved;
    }
  }

  it('up: the command to continue names the --linux-host that was given', async () => {
    const error = await run('up', '-d');
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as DaemonError).progress?.resume).toContain(`--linux-host ${missing} --progress quiet up`);
  });

  it('ps (read-only): the error alone, no "not done" or "to continue"', async () => {
    const error = await run('ps');
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as DaemonError).message).toContain('ps (connecting) failed');
    expect((error as DaemonError).progress).toBeUndefined();
  });
});
