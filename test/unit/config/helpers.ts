/** Loading from in-memory files, for unit tests. */
import * as path from 'node:path';
import { loadProject, type LoadOptions, type LoadResult } from '../../../src/config/load-project.js';
import { memoryFileSystem } from '../../../src/config/read-files.js';
import { ConfigError, formatIssue } from '../../../src/errors.js';

export const DIR = path.resolve('/proj');

export function load(files: Record<string, string>, options: Partial<LoadOptions> = {}): Promise<LoadResult> {
  const abs = Object.fromEntries(Object.entries(files).map(([f, t]) => [path.resolve(DIR, f), t]));
  return loadProject({
    files: options.files ?? [Object.keys(files)[0]!],
    envFiles: [],
    profiles: [],
    environment: {},
    cwd: DIR,
    fileSystem: memoryFileSystem(abs),
    ...options,
  });
}

export function loadFromText(text: string, options: Partial<LoadOptions> = {}): Promise<LoadResult> {
  return load({ 'compose.yaml': text }, options);
}

/** The formatted error messages of a load that must fail. */
export async function errorsOf(files: Record<string, string>, options: Partial<LoadOptions> = {}): Promise<string[]> {
  try {
    await load(files, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.filter((i) => i.severity === 'error').map(formatIssue);
    throw error;
  }
  throw new Error('expected the load to fail');
}

export function issuesOf(text: string, options: Partial<LoadOptions> = {}): Promise<string[]> {
  return errorsOf({ 'compose.yaml': text }, options);
}
