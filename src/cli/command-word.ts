/**
 * The command word of an argument list, read without the program: the entry uses it before any
 * command code is loaded (program-commands.ts to load the command's module early, start-cli.ts to
 * pick the command's code cache). Imports nothing, so the entry's fast paths stay small.
 */

/**
 * The root's options that take a value (`-f FILE`): the word after one is not a command.
 * program-commands.test.ts holds this list to the options the root declares.
 */
export const GLOBAL_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set([
  '-f', '--file', '-p', '--project-name', '--project-directory', '--env-file', '--profile',
  '--windows-host', '--linux-host', '--windows-context', '--linux-context', '--progress', '--ansi',
]);

/** The first word of `args` (after `node main.js`) that is no option or option value, if any. */
export function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    return arg;
  }
  return undefined;
}
