/**
 * `mixcompose up` on the rig (attached: no -d, unless given), or another command that streams
 * (`logs -f`), as a child process whose stdout and stderr are collected as they come (for polling
 * on what it printed).
 */
import { execa } from 'execa';
import { MIXCOMPOSE_BIN, rigEnv } from './rig.js';

/** Starts `mixcompose <args>`; `run.output` grows as it prints. */
export function streamingMixcompose(args: readonly string[]) {
  const child = execa('node', [MIXCOMPOSE_BIN, ...args], {
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

/** Starts `mixcompose <global args> --progress plain up <up args>`; `run.output` grows as it prints. */
export function attachedUp(globalArgs: readonly string[], upArgs: readonly string[] = []) {
  return streamingMixcompose([...globalArgs, '--progress', 'plain', 'up', ...upArgs]);
}

/** The log lines printed for one container (`<name> | text`), without the prefix. */
export function linesOf(output: string, container: string): string[] {
  return output
    .split('\n')
    .map((line) => new RegExp(`^${container} +\\| (.*)$`).exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}
