/**
 * Which commands take the project lock, and the `--wait-lock[=seconds]` flag. The daemon is a stub
 * DaemonClient recording the lock's create/remove calls.
 */
import { CommanderError, type Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { buildFullProgram } from '../../../src/cli/program.js';
import { DEFAULT_WAIT_LOCK_SECONDS, MUTATING_COMMANDS, takeProjectLock, waitLockSeconds } from '../../../src/cli/project-lock-hook.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import { ProjectLockedError } from '../../../src/engine/project-lock.js';
import { reportError } from '../../../src/cli/report-error.js';

async function commandNamed(name: string, argv: string[] = []): Promise<Command> {
  const program = await buildFullProgram();
  const command = program.commands.find((c) => c.name() === name)!;
  command.action(() => undefined);
  program.parse(['node', 'mixcompose', name, ...argv]);
  return command;
}

function stubClient(calls: string[]): DaemonClient {
  return {
    label: 'linux (stub)',
    createContainer: async (name: string) => (calls.push(`create ${name}`), { id: 'lock1', warnings: [] }),
    removeContainer: async (id: string) => void calls.push(`remove ${id}`),
  } as unknown as DaemonClient;
}

const session = (calls: string[]) => ({
  project: { name: 'shop' },
  daemons: { clients: { linux: stubClient(calls), windows: stubClient(calls) } },
  reporter: { sink: () => undefined },
});

describe('project lock hook', () => {
  it('mutating commands take the lock and release it; read-only ones and up --dry-run never touch it', async () => {
    for (const name of ['up', 'down', 'start', 'stop', 'restart']) {
      const calls: string[] = [];
      const lock = await takeProjectLock(await commandNamed(name), session(calls));
      await lock!.release();
      expect(calls, name).toEqual(['create shop-mixcompose-lock', 'remove lock1']);
    }
    for (const [name, argv] of [['ps', []], ['logs', []], ['config', []], ['plan', []], ['images', []], ['pull', []], ['up', ['--dry-run']]] as const) {
      const calls: string[] = [];
      expect(await takeProjectLock(await commandNamed(name, [...argv]), session(calls)), name).toBeUndefined();
      expect(calls, name).toEqual([]);
    }
    expect([...MUTATING_COMMANDS].sort()).toEqual(['down', 'restart', 'run', 'start', 'stop', 'up']);
  });

  it('--wait-lock: absent refuses at once, bare waits the default, =N waits N seconds; a bad value is a usage error', async () => {
    expect(waitLockSeconds((await commandNamed('up')).opts())).toBe(0);
    expect(waitLockSeconds((await commandNamed('up', ['--wait-lock'])).opts())).toBe(DEFAULT_WAIT_LOCK_SECONDS);
    expect(waitLockSeconds((await commandNamed('down', ['--wait-lock=30'])).opts())).toBe(30);
    expect(waitLockSeconds((await commandNamed('stop', ['--wait-lock', '7'])).opts())).toBe(7);
    const program = await buildFullProgram();
    program.commands.find((c) => c.name() === 'up')!.action(() => undefined);
    for (const c of [program, ...program.commands]) c.exitOverride().configureOutput({ writeErr: () => undefined });
    expect(() => program.parse(['node', 'mixcompose', 'up', '--wait-lock=soon'])).toThrow(CommanderError);
    expect((await buildFullProgram()).commands.find((c) => c.name() === 'ps')!.options.map((o) => o.long)).not.toContain('--wait-lock');
  });

  it('a held lock is reported as one clear message with exit 1 (no stack, not an internal error)', () => {
    let text = '';
    const code = reportError(
      new ProjectLockedError('shop', 'linux (x)', { host: 'ci-7', pid: 42, command: 'up', since: Date.UTC(2026, 11, 2) }, 0),
      { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream,
    );
    expect(code).toBe(1);
    expect(text).toBe(
      'error: project shop is locked by another mixcompose: up on host ci-7 (pid 42) since 2026-12-02T00:00:00.000Z. Only one command at a time may change a project. ' +
        'Wait for it with --wait-lock[=seconds]; if that process is gone for good, remove the lock: docker rm -f shop-mixcompose-lock (on daemon linux (x))\n',
    );
  });
});
