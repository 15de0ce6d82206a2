/**
 * `mixcompose up` on the rig (attached: no -d, unless given), as a child process whose stdout and
 * stderr are collected as they come (for polling on what it printed).
 */
import { execa } from 'execa';
import { MIXCOMPOSE_BIN, rigEnv } from './rig.js';

/** Starts `mixcompose <global args> --progress plain up <up args>`; `run.output` grows as it prints. */
export function attachedUp(globalArgs: readonly string[], upArgs: readonly string[] = []) {
  const child = execa('node', [MIXCOMPOSE_BIN, ...globalArgs, '--progress', 'plain', 'up', ...upArgs], {
    env: rigEnv(),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    all: true,
  });
  const run = { child, output: '' };
  child.all?.on('data', (chunk: Buffer) => (run.output += chunk.toString()));
  return run;
}
