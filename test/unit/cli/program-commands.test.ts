/** What main.ts reads from the arguments alone, to load the chosen command beside the program. */
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { GLOBAL_OPTIONS_WITH_VALUE, namedCommand } from '../../../src/cli/program-commands.js';

describe('namedCommand', () => {
  it('lists exactly the root options that take a value', () => {
    const declared = buildProgram()
      .options.filter((o) => o.required || o.optional)
      .flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
    expect([...GLOBAL_OPTIONS_WITH_VALUE].sort()).toEqual(declared.sort());
  });

  it('finds the command after global options and their values', () => {
    const name = (args: string[]) => namedCommand(args)?.name;
    expect(name(['up', '-d'])).toBe('up');
    expect(name(['-f', 'down', 'up'])).toBe('up');
    expect(name(['--file', 'a.yml', '--profile', 'x', '--allow-os-mismatch', 'config', '-q'])).toBe('config');
    expect(name(['--file=a.yml', '-fb.yml', 'ps'])).toBe('ps');
    expect(name(['--progress', 'plain', 'logs'])).toBe('logs');
    expect(name(['-f', 'a.yml'])).toBeUndefined();
    expect(name(['nonsense', 'up'])).toBeUndefined();
    expect(name(['--', 'up'])).toBeUndefined();
    expect(namedCommand(['help', 'up'])?.load).toBeUndefined();
  });
});
