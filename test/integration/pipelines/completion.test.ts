/**
 * The completion scripts loaded in their shells (bash, zsh, fish from Debian): commands, a
 * command's flags, and the service names of the file in the current directory (through the built
 * CLI on PATH; no daemon is asked). PowerShell is not installable here: its script gets a
 * structural check in test/unit/cli/completion.test.ts.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { MIXCOMPOSE_BIN } from '../../support/rig.js';

let dir: string;
const shell = async (program: string, args: string[]) => {
  const r = await execa(program, args, { cwd: dir, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` }, reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  return String(r.stdout).split('\n').filter(Boolean);
};

describe('shell completion', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mixcompose-completion-'));
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  api:\n    image: x\n    platform: windows\n  db:\n    image: x\n');
    await execa('mkdir', ['-p', join(dir, 'bin')]);
    writeFileSync(join(dir, 'bin', 'mixcompose'), `#!/bin/sh\nexec node ${MIXCOMPOSE_BIN} "$@"\n`);
    chmodSync(join(dir, 'bin', 'mixcompose'), 0o755);
  });

  it('bash', async () => {
    const complete = (words: string[]) =>
      shell('bash', ['-c', `source <(mixcompose completion bash); COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _mixcompose; printf '%s\\n' "\${COMPREPLY[@]}"`]);
    expect(await complete(['mixcompose', 'ex'])).toEqual(['exec']);
    expect(await complete(['mixcompose', '-f', 'compose.yaml', 'up', '--exit-code'])).toEqual(['--exit-code-from']);
    expect(await complete(['mixcompose', 'logs', ''])).toEqual(['api', 'db']);
  });

  it('zsh', async () => {
    const complete = (words: string[]) =>
      shell('zsh', ['-fc', `compdef() {}; source <(mixcompose completion zsh); compadd() { shift $(( \${@[(i)--]} )); print -l -- "$@"; }; words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _mixcompose`]);
    expect(await complete(['mixcompose', 'ex'])).toContain('exec');
    expect(await complete(['mixcompose', 'run', '--'])).toContain('--service-ports');
    expect(await complete(['mixcompose', 'exec', ''])).toEqual(['api', 'db']);
  });

  it('fish', async () => {
    const complete = (line: string) => shell('fish', ['-c', `mixcompose completion fish | source; complete -C '${line}'`]);
    expect(await complete('mixcompose exe')).toEqual(['exec']);
    expect((await complete('mixcompose up --abort-on')).map((l) => l.split('\t')[0])).toEqual(['--abort-on-container-exit', '--abort-on-container-failure']);
    expect(await complete('mixcompose logs ')).toEqual(['api', 'db']);
  });
});
