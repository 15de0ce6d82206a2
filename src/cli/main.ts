#!/usr/bin/env -S node --
/**
 * Entry point: argv → command. The only file that calls process.exit.
 *
 * `--version` and `--help` (to a pipe or file) alone are answered here without loading the
 * command tree; everything else goes through program.ts, which loads only the chosen command.
 * That command's modules start loading at once, beside program.ts (program-commands.ts).
 */
import { VERSION } from './about.js';

const args = process.argv.slice(2);
const only = args.length === 1 ? args[0] : undefined;
if (only === '--version' || only === '-V') {
  process.stdout.write(`${VERSION}\n`);
  process.exitCode = 0;
} else if ((only === '--help' || only === '-h') && !process.stdout.isTTY) {
  // Commander wraps help at 80 columns when stdout is not a terminal: the text program.test.ts
  // holds equal to what commander prints.
  const { ROOT_HELP } = await import('./root-help.js');
  process.stdout.write(ROOT_HELP);
  process.exitCode = 0;
} else {
  import('./program-commands.js').then(({ prefetchCommand }) => prefetchCommand(args), () => undefined);
  const [{ buildProgram }, { reportError }] = await Promise.all([import('./program.js'), import('./report-error.js')]);
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
    process.exitCode ??= 0;
  } catch (error) {
    process.exitCode = reportError(error, process.stderr);
  }
}
