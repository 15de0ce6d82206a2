/**
 * The ONLY file system access of the config loader. Everything else in src/config is pure and
 * receives a ConfigFileSystem; tests pass `memoryFileSystem(...)`.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface ConfigFileSystem {
  /** The file's text, or undefined when it does not exist (or is not a readable file). */
  readText(file: string): string | undefined;
  /** What is at `p`, if anything. */
  kind(p: string): 'file' | 'directory' | undefined;
}

export const nodeFileSystem: ConfigFileSystem = {
  readText(file) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  kind(p) {
    try {
      const st = statSync(p);
      return st.isDirectory() ? 'directory' : st.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  },
};

/** An in-memory file system for tests: absolute path → text. Directories are implied by files. */
export function memoryFileSystem(files: Readonly<Record<string, string>>, directories: readonly string[] = []): ConfigFileSystem {
  const dirs = new Set(directories.map((d) => path.resolve(d)));
  for (const f of Object.keys(files)) {
    let d = path.dirname(path.resolve(f));
    while (!dirs.has(d)) {
      dirs.add(d);
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  return {
    readText: (file) => files[path.resolve(file)],
    kind: (p) => (files[path.resolve(p)] !== undefined ? 'file' : dirs.has(path.resolve(p)) ? 'directory' : undefined),
  };
}
