#!/usr/bin/env -S node --
/**
 * Entry point: argv → command. The only file that calls process.exit.
 *
 * `--version` and `--help` (to a pipe or file) alone are answered here without loading the
 * command tree; everything else goes through the CLI bundle (run-cli.ts, bundled as
 * dist/bin/cli.cjs), which start-cli.ts runs with a V8 code cache.
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
  // The rest is one CommonJS bundle run with a V8 code cache (start-cli.ts, code-cache.ts).
  const { startCli } = await import('./start-cli.js');
  await startCli(process.argv);
}
