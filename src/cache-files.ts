/**
 * Writing and trimming the files of the user's cache directory (cache-dir.ts). Every cache there
 * is only a hint: a file that cannot be written is no error, and a reader must never see half a
 * file, since another mixcompose process may read or write the same entry at the same moment.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `data` to `file` whole or not at all: to a file of this process beside it, then renamed
 * over it (two writers: the last rename wins, each file whole). Creates the folder. False when it
 * could not (read-only or missing folder, full disk); nothing is left behind then.
 */
export function writeWhole(file: string, data: string | Uint8Array, modes: { readonly file?: number; readonly folder?: number } = {}): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true, ...(modes.folder !== undefined ? { mode: modes.folder } : {}) });
    writeFileSync(temp, data, modes.file !== undefined ? { mode: modes.file } : {});
    renameSync(temp, file);
    return true;
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing was written
    }
    return false;
  }
}

/** Removes the least recently written files of `folder` ending in `suffix` beyond `keep`; never throws. */
export function pruneOldest(folder: string, keep: number, suffix: string): void {
  try {
    const names = readdirSync(folder).filter((name) => name.endsWith(suffix));
    if (names.length <= keep) return;
    const byAge = names.map((name) => ({ name, mtime: statSync(path.join(folder, name)).mtimeMs })).sort((a, b) => a.mtime - b.mtime);
    for (const { name } of byAge.slice(0, names.length - keep)) rmSync(path.join(folder, name), { force: true });
  } catch {
    // Another process pruned the same folder meanwhile: the next write prunes again.
  }
}
