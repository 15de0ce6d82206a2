/**
 * The facts about bind sources the planner needs and may not read itself: for every bind source
 * of the project (resolved against the project directory), whether it is a directory, a file or
 * missing on this host. Windows daemons need an existing directory; the planner says so at plan time.
 */
import { stat } from 'node:fs/promises';
import type { Project } from '../model/project.js';
import { resolveSource } from '../model/host-paths.js';

export type SourceKinds = Record<string, 'directory' | 'file' | 'missing' | 'other'>;

export async function statBindSources(project: Project): Promise<SourceKinds> {
  const paths = new Set<string>();
  for (const service of Object.values(project.services)) {
    for (const v of service.volumes) {
      if (v.type === 'bind' && v.source) paths.add(resolveSource(v.source, project.workingDir));
    }
  }
  const kinds: SourceKinds = {};
  await Promise.all(
    [...paths].map(async (path) => {
      try {
        const s = await stat(path);
        kinds[path] = s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';
      } catch {
        kinds[path] = 'missing';
      }
    }),
  );
  return kinds;
}
