/**
 * Output-shape options (--format, --progress) take only their listed values: a bad one is a usage
 * error (exit 2) before anything is loaded, never a silent fallback to text (QA2 R9).
 */
import { CommanderError, type Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { buildFullProgram, buildProgram } from '../../../src/cli/program.js';
import { reportError } from '../../../src/cli/report-error.js';

function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap((c) => allCommands(c))];
}

async function run(...args: string[]): Promise<{ code: number; stderr: string; error: unknown }> {
  let stderr = '';
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  let error: unknown;
  try {
    await buildProgram().parseAsync(['node', 'mixcompose', '-f', '/nonexistent/mixcompose-unit/compose.yaml', ...args]);
  } catch (e) {
    error = e;
  } finally {
    write.mockRestore();
  }
  return { code: error === undefined ? 0 : reportError(error, { write: () => true } as unknown as NodeJS.WritableStream), stderr, error };
}

describe('--format and --progress choices', () => {
  it('every command lists the values of its --format/--progress option', async () => {
    const checked: string[] = [];
    for (const command of allCommands(await buildFullProgram())) {
      for (const option of command.options) {
        if (option.long !== '--format' && option.long !== '--progress') continue;
        checked.push(`${command.name()} ${option.long}`);
        expect(option.argChoices, `${command.name()} ${option.long}`).toBeDefined();
        expect(option.argChoices!.length).toBeGreaterThan(1);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining(['mixcompose --progress', 'plan --format', 'ps --format', 'config --format', 'doctor --format', 'images --format']),
    );
  });

  it.each([
    ['plan', '--format', 'yaml'],
    ['plan', '--format', 'JSON'],
    ['config', '--format', 'toml'],
    ['ps', '--format', 'yaml'],
  ])('%s %s %s is a usage error (exit 2) naming the allowed values', async (...args) => {
    const r = await run(...args);
    expect(r.error).toBeInstanceOf(CommanderError);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`argument '${args[2]}' is invalid`);
    expect(r.stderr).toMatch(/Allowed choices are \w+, \w+/);
  });
});
