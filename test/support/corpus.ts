/**
 * The awesome-compose corpus (CC0 1.0, docker/awesome-compose at 18f59bd; see
 * test/fixtures/corpus/README.md), kept in the repository so every clone runs the tests that read it.
 * A suite that cannot find it fails: it never skips.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/fixtures/corpus/awesome-compose, relative to this repository. */
export const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'corpus', 'awesome-compose');

/** CORPUS, or an error naming where it should be. */
export function corpusDir(): string {
  if (!existsSync(CORPUS)) throw new Error(`the awesome-compose corpus is missing: expected it at ${CORPUS} (it is part of the repository)`);
  return CORPUS;
}
