/** The README documents every verb: each command of COMMANDS has a row (or line) naming it in backticks. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/program.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has a line for every command', () => {
    const missing = COMMANDS.map((c) => c.name).filter((name) => !new RegExp(`^\\|[^\\n]*\`${name}[\` ]`, 'm').test(README));
    expect(missing).toEqual([]);
  });

  it('mentions --dry-run for every command that has it', async () => {
    const { buildFullProgram } = await import('../../../src/cli/program.js');
    const program = await buildFullProgram();
    const withDryRun = program.commands.filter((c) => c.options.some((o) => o.long === '--dry-run')).map((c) => c.name());
    expect(withDryRun.length).toBeGreaterThan(10);
    const dryRunLine = README.split('\n').find((l) => l.startsWith('- **`--dry-run`**')) ?? '';
    const paragraph = README.slice(README.indexOf(dryRunLine), README.indexOf(dryRunLine) + 800);
    expect(withDryRun.filter((name) => !paragraph.includes(`\`${name}\``))).toEqual([]);
  });
});
