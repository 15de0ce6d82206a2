/**
 * The lazy command tree: COMMANDS says what the root's help shows without loading any command
 * module, and must say what the modules really register; a chosen command runs from its module.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Help } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { buildFullProgram, buildProgram, COMMANDS } from '../../../src/cli/program.js';
import { ROOT_HELP } from '../../../src/cli/root-help.js';

const ROOT_HELP_FILE = new URL('../../../src/cli/root-help.ts', import.meta.url);

/** src/cli/root-help.ts holding `text`. */
function rootHelpModule(text: string): string {
  const literal = text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  return [
    '/**',
    ' * The root help as commander prints it at 80 columns (stdout not a terminal), for main.ts to print',
    ' * without loading commander. Generated: test/unit/cli/program.test.ts fails when it differs from',
    ' * what the program prints;',
    ' *   MIXCOMPOSE_WRITE_ROOT_HELP=1 npx vitest run --project unit test/unit/cli/program.test.ts',
    ' * rewrites it.',
    ' */',
    `export const ROOT_HELP = \`${literal}\`;`,
    '',
  ].join('\n');
}

async function output(run: () => Promise<unknown>): Promise<{ stdout: string; error: unknown }> {
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  } finally {
    write.mockRestore();
    quiet.mockRestore();
  }
  return { stdout, error };
}

describe('COMMANDS', () => {
  it('lists every command the modules register, with the term and description their help shows', async () => {
    const full = await buildFullProgram();
    const help = new Help();
    const registered = full.commands.map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: c.description() }));
    const listed = COMMANDS.filter((c) => c.name !== 'help').map(({ name, term, description }) => ({ name, term, description }));
    expect(listed).toEqual(registered);
  });

  it('gives the same root help as the fully loaded tree', async () => {
    const full = await buildFullProgram();
    expect(buildProgram().helpInformation()).toBe(full.helpInformation());
  });

  it('keeps the pre-rendered root help (main.ts prints it for --help to a pipe) equal to commander\'s', async () => {
    const text = buildProgram().configureOutput({ getOutHelpWidth: () => undefined as unknown as number, getOutHasColors: () => false }).helpInformation();
    if (process.env.MIXCOMPOSE_WRITE_ROOT_HELP === '1') writeFileSync(ROOT_HELP_FILE, rootHelpModule(text));
    expect(ROOT_HELP, 'src/cli/root-help.ts is stale: MIXCOMPOSE_WRITE_ROOT_HELP=1 npx vitest run --project unit test/unit/cli/program.test.ts').toBe(text);
  });

  it('imports no command module statically (they load when chosen)', () => {
    for (const file of ['program.ts', 'program-commands.ts']) {
      const source = readFileSync(new URL(`../../../src/cli/${file}`, import.meta.url), 'utf8');
      expect(source).not.toMatch(/^import[^;]*from '\.\/commands\//m);
    }
    expect(readFileSync(new URL('../../../src/cli/program-commands.ts', import.meta.url), 'utf8')).toMatch(/import\('\.\/commands\/up\.js'\)/);
  });
});

describe('the lazy program', () => {
  it('shows a command\'s own help through `help <command>` and `<command> --help`', async () => {
    for (const args of [['help', 'plan'], ['plan', '--help']]) {
      const { stdout, error } = await output(() => buildProgram().parseAsync(['node', 'mixcompose', ...args]));
      expect((error as { exitCode?: number }).exitCode).toBe(0);
      expect(stdout).toContain('Usage: mixcompose plan [options] [services...]');
      expect(stdout).toContain('--format');
    }
  });

  it('runs the chosen command with the global options given before it', async () => {
    const seen: Command[] = [];
    const program = buildProgram();
    const entry = COMMANDS.find((c) => c.name === 'ps')!;
    const load = vi.spyOn(entry, 'load' as never).mockImplementation((async () => (root: Command) => {
      root.command('ps').action((_o: unknown, cmd: Command) => void seen.push(cmd));
    }) as never);
    try {
      await program.parseAsync(['node', 'mixcompose', '-p', 'shop', '--progress', 'plain', 'ps']);
    } finally {
      load.mockRestore();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]!.parent!.opts()).toMatchObject({ projectName: 'shop', progress: 'plain' });
  });

  it('refuses an unknown command and a bad global option before loading anything', async () => {
    for (const args of [['nope'], ['--progress', 'loud', 'ps']]) {
      const { error } = await output(() => buildProgram().parseAsync(['node', 'mixcompose', ...args]));
      expect((error as { exitCode?: number }).exitCode).toBe(1);
    }
  });
});
