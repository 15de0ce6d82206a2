/** Commander argument parsers shared by the commands of issue 13 (run, exec, kill, …). */
import { InvalidArgumentError, type Command } from 'commander';
import { globalOptions } from '../program.js';
import type { GlobalOptions } from '../global-options.js';

/** Repeatable option: each value appended. */
export const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

/** A whole number of 1 or more (--index, --scale counts). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new InvalidArgumentError('not a whole number of 1 or more.');
  return n;
}

/** The global --progress, with `auto` as plain lines (for commands that hand the terminal to a container). */
export function plainProgress(command: Command): GlobalOptions['progress'] {
  const progress = globalOptions(command).progress;
  return progress === 'auto' || progress === 'tty' ? 'plain' : progress;
}
