/**
 * engine/image-facts.ts: what observe gathers for planning pulls and builds — every service's local
 * image (id, OS, when last tagged), and registry platforms only for images the policy pulls, asked
 * once per daemon and reference; a failed lookup is a fact (planning makes it a problem).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineBody } from '../../../src/engine/daemon-client.js';
import { gatherImageFacts } from '../../../src/engine/image-facts.js';
import { observed, project, service } from '../plan/builders.js';
import { MemoryDaemon } from './memory-daemon.js';

const env = { DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'mixcompose-docker-config-')) };

function daemonWith(images: Record<string, EngineBody>, lookups: string[], failing: Set<string> = new Set()): MemoryDaemon {
  const d = new MemoryDaemon('linux (mem)', '10.201.0');
  Object.assign(d, {
    inspectImage: async (name: string) => images[name],
    distributionInspect: async (name: string) => {
      lookups.push(name);
      if (failing.has(name)) throw new Error('manifest unknown');
      return { Descriptor: { digest: 'sha256:abc' }, Platforms: [{ os: 'linux', architecture: 'amd64' }] };
    },
  });
  return d;
}

describe('gatherImageFacts', () => {
  it('reads local images and looks up only what the policy pulls, once per daemon and image', async () => {
    const lookups: string[] = [];
    const linux = daemonWith({ 'present:1': { Id: 'sha256:1', Os: 'linux', Architecture: 'amd64', Metadata: { LastTagTime: '2026-01-01T00:00:00Z' } } }, lookups);
    const p = project([service('a', { image: 'present:1' }), service('b', { image: 'absent:1' }), service('c', { image: 'absent:1' })]);
    const facts = await gatherImageFacts(p, { linux }, observed().daemons, { policy: { now: 0 }, env });
    expect(facts).toEqual([
      { service: 'a', daemon: 'linux', image: 'present:1', local: { id: 'sha256:1', os: 'linux', architecture: 'amd64', refreshedAt: Date.parse('2026-01-01T00:00:00Z') } },
      { service: 'b', daemon: 'linux', image: 'absent:1', registry: { platforms: [{ os: 'linux', architecture: 'amd64' }], digest: 'sha256:abc' } },
      { service: 'c', daemon: 'linux', image: 'absent:1', registry: { platforms: [{ os: 'linux', architecture: 'amd64' }], digest: 'sha256:abc' } },
    ]);
    expect(lookups).toEqual(['absent:1']);
  });

  it('with --pull always also looks up present images; a failed lookup is recorded, not thrown', async () => {
    const lookups: string[] = [];
    const linux = daemonWith({ 'present:1': { Id: 'sha256:1', Os: 'linux' } }, lookups, new Set(['present:1']));
    const p = project([service('a', { image: 'present:1' })]);
    const [fact] = await gatherImageFacts(p, { linux }, observed().daemons, { policy: { now: 0, pull: 'always' }, env });
    expect(fact!.registry).toEqual({ error: 'manifest unknown' });
    expect(lookups).toEqual(['present:1']);
  });
});
