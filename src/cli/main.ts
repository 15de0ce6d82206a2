#!/usr/bin/env -S node --
/**
 * Entry point: argv → command. The only file that calls process.exit.
 */
import { buildProgram } from './program.js';
import { reportError } from './report-error.js';

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
  process.exitCode ??= 0;
} catch (error) {
  process.exitCode = reportError(error, process.stderr);
}
