/**
 * Every file of the awesome-compose corpus converts: the Kubernetes manifests pass the Kubernetes
 * schemas, and the Swarm conversion has no error other than "build needs an image" (the corpus
 * builds many of its images). The corpus is test/fixtures/corpus (test/support/corpus.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { corpusDir } from '../../support/corpus.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/load-project.js';
import { convertToKubernetes } from '../../../src/convert/kubernetes.js';
import { validateManifests } from '../../../src/convert/kubernetes-validate.js';
import { convertToSwarm } from '../../../src/convert/swarm.js';

const CORPUS = corpusDir();
const projects = readdirSync(CORPUS).filter((d) => ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'].some((f) => existsSync(join(CORPUS, d, f)))).sort();

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

describe('corpus conversions', () => {
  it('finds the corpus projects', () => {
    expect(projects.length).toBeGreaterThanOrEqual(39);
  });

  for (const dir of projects) {
    it(dir, async () => {
      const { project } = await loadProject({
        files: [],
        projectDirectory: join(CORPUS, dir),
        cwd: join(CORPUS, dir),
        envFiles: [],
        profiles: [],
        environment: { PLEX_MEDIA_PATH: '/srv/media', HOME: '/root' },
        hostPlatform: 'linux',
      });
      const { manifests } = convertToKubernetes(project, { readFile: readText });
      expect(manifests.length).toBeGreaterThan(0);
      expect(validateManifests(manifests)).toEqual([]);
      const swarmErrors = convertToSwarm(project).problems.filter((p) => p.severity === 'error' && !p.message.startsWith('build:'));
      expect(swarmErrors).toEqual([]);
    });
  }
});
