/** The mixed example (test/unit/convert/mixed/compose.yaml) loaded from memory, for the converter tests. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Project } from '../../../src/model/project.js';
import { load } from '../config/helpers.js';

export const MIXED_DIR = new URL('./mixed/', import.meta.url);

export async function loadMixed(extra: Record<string, string> = {}): Promise<Project> {
  const text = readFileSync(new URL('compose.yaml', MIXED_DIR), 'utf8');
  const { project } = await load({ 'compose.yaml': text, 'db_password.txt': 'secret\n', ...extra }, { environment: { API_KEY: 'k-123' } });
  return project;
}

export function golden(name: string): string {
  return readFileSync(new URL(name, MIXED_DIR), 'utf8');
}

/**
 * Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it instead (then review the diff).
 * Returns the golden text (for expect).
 */
export function goldenOrUpdate(name: string, actual: string): string {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(new URL(name, MIXED_DIR), actual);
  return golden(name);
}
