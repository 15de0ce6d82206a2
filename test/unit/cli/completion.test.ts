import { describe, expect, it } from 'vitest';
import { buildFullProgram } from '../../../src/cli/program.js';
import { completionModel, completionScript } from '../../../src/cli/commands/completion.js';

describe('completion scripts', async () => {
  const program = await buildFullProgram();

  it('come from the command tree: every command with its flags, and the global flags', () => {
    const model = completionModel(program);
    expect(model.commands.map((c) => c.name)).toEqual(expect.arrayContaining(['up', 'down', 'run', 'exec', 'events', 'completion']));
    expect(model.commands.find((c) => c.name === 'exec')!.flags).toEqual(expect.arrayContaining(['-T', '--index', '--env']));
    expect(model.globalFlags).toEqual(expect.arrayContaining(['-f', '--file', '--profile']));
  });

  it('PowerShell (not installable here): brackets balance, every command is in the table, services come from config --services', () => {
    const script = completionScript('powershell', program);
    for (const [open, close] of [['{', '}'], ['(', ')'], ['[', ']']] as const) {
      expect(script.split(open).length, open).toBe(script.split(close).length);
    }
    expect(script).toContain("Register-ArgumentCompleter -Native -CommandName mixcompose");
    expect(script).toContain("'exec' = @(");
    expect(script).toContain('mixcompose config --services 2>$null');
  });
});
