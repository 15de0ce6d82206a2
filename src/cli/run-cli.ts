/**
 * Everything but the entry's fast paths: builds the program, runs the command, maps an error to
 * its exit code. scripts/bundle-cli.mjs bundles this file (and all it loads) as dist/bin/cli.cjs,
 * which the entry runs through the code cache (start-cli.ts).
 */
import { prefetchCommand } from './program-commands.js';

/** Runs the command `argv` (as process.argv: node, script, arguments) names; sets process.exitCode. */
export async function runCli(argv: readonly string[]): Promise<void> {
  // The command's module starts loading beside the program.
  prefetchCommand(argv.slice(2));
  const [{ buildProgram }, { reportError }] = await Promise.all([import('./program.js'), import('./report-error.js')]);
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    process.exitCode ??= 0;
  } catch (error) {
    process.exitCode = reportError(error, process.stderr);
  }
}
