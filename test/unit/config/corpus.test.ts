/**
 * Every real-world file of the awesome-compose corpus loads, and its services, images, ports,
 * environment, volumes and depends_on agree with test/fixtures/config/corpus-expected.json
 * (facts per the Compose Specification, cross-checked with docker-compose 1.29.2; see its notes).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadProject } from '../../../src/config/load-project.js';
import { factsOf } from './corpus-facts.js';
import { corpusDir } from '../../support/corpus.js';

const CORPUS = corpusDir();
const expected = JSON.parse(readFileSync(new URL('../../fixtures/config/corpus-expected.json', import.meta.url), 'utf8')) as Record<string, { services: unknown }>;
const dirs = Object.keys(expected).filter((k) => !k.startsWith('_'));

const withCorpus = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replaceAll('<corpus>', CORPUS));

describe('awesome-compose corpus', () => {
  it('covers all 39 projects', () => {
    expect(dirs).toHaveLength(39);
  });

  for (const dir of dirs) {
    it(dir, async () => {
      const { project } = await loadProject({
        files: [],
        projectDirectory: `${CORPUS}/${dir}`,
        cwd: `${CORPUS}/${dir}`,
        envFiles: [],
        profiles: [],
        environment: { PLEX_MEDIA_PATH: '/srv/media', HOME: '/root' },
        hostPlatform: 'linux',
      });
      expect(factsOf(project)).toEqual(withCorpus(expected[dir]!.services));
      expect(project.name).toBe(dir.toLowerCase().replace(/[^a-z0-9_-]/g, ''));
    });
  }
});
