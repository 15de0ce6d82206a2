/**
 * Which compose files to load when no -f is given: the first candidate found in the directory or
 * one of its parents, plus its override file if present.
 */
import * as path from 'node:path';
import type { ConfigFileSystem } from './read-files.js';

/** Looked for in this order; mixcompose's own name first, as the more specific signal. */
export const CANDIDATES = ['mixcompose.yaml', 'mixcompose.yml', 'compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

function overrideNameOf(file: string): string[] {
  const ext = path.extname(file);
  const stem = file.slice(0, -ext.length);
  return [`${stem}.override.yaml`, `${stem}.override.yml`];
}

export function discoverFiles(startDir: string, fs: ConfigFileSystem): string[] | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    for (const name of CANDIDATES) {
      const candidate = path.join(dir, name);
      if (fs.kind(candidate) === 'file') {
        const override = overrideNameOf(name).map((o) => path.join(dir, o)).find((o) => fs.kind(o) === 'file');
        return override ? [candidate, override] : [candidate];
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
