/**
 * The entry's way into the CLI bundle: runs dist/bin/cli.cjs through the code cache (code-cache.ts)
 * in the user's cache directory, keyed by this command's word, and stores the compiled code at the
 * end of a run that succeeded when the cache had none (or none V8 would take).
 */
import { fileURLToPath } from 'node:url';
import { userCacheDir } from '../cache-dir.js';
import { VERSION } from './about.js';
import { runBundle } from './code-cache.js';
import { commandWord } from './command-word.js';

/** The bundle, where scripts/bundle-cli.mjs writes it (this file is dist/cli/start-cli.js in tsc's layout). */
export const CLI_BUNDLE = fileURLToPath(new URL('../bin/cli.cjs', import.meta.url));

/** Runs the command `argv` names (as process.argv) from the bundle; sets process.exitCode. */
export async function startCli(argv: readonly string[]): Promise<void> {
  const bundle = runBundle({
    file: CLI_BUNDLE,
    cacheDir: userCacheDir(process.env),
    key: {
      version: VERSION,
      node: process.version,
      v8: process.versions.v8,
      flags: JSON.stringify([process.execArgv, process.env.NODE_OPTIONS ?? '']),
      command: commandWord(argv.slice(2)) ?? '',
    },
  });
  if (bundle.cache === 'miss' || bundle.cache === 'rejected') process.once('exit', (code) => code === 0 && bundle.save());
  await (bundle.exports.runCli as (argv: readonly string[]) => Promise<void>)(argv);
}
