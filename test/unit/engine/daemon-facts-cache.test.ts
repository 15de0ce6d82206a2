/**
 * The client-side cache of daemon facts (engine/daemon-facts-cache.ts): an entry serves only its
 * endpoint and the exact /_ping signature it was written with; a daemon whose /_ping does not name
 * its version is never cached; a corrupt or foreign file is a miss; only what daemonFacts reads is
 * kept. And factInputs (plan/daemon-check.ts) loses nothing daemonFacts reads.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileDaemonFactsCache, pingSignature, userDaemonFactsCache } from '../../../src/engine/daemon-facts-cache.js';
import type { EngineInfo, EngineVersion } from '../../../src/model/engine-api.js';
import { daemonFacts, factInputs } from '../../../src/plan/daemon-check.js';
import { recorded, type RecordedDaemon } from '../../support/fake-engine.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'mixcompose-facts-cache-'));
const ping = { 'api-version': '1.41', ostype: 'linux', server: 'Docker/20.10.24 (linux)', 'docker-experimental': 'false' };
const inputsOf = (daemon: RecordedDaemon) => ({ info: recorded(daemon, 'info') as EngineInfo, version: recorded(daemon, 'version') as EngineVersion });

describe('daemon facts cache', () => {
  it('the signature needs the API version, OS type and server; any header of it changes it', () => {
    const base = pingSignature(ping);
    expect(base).toBeDefined();
    expect(pingSignature({ ...ping, server: '' })).toBeUndefined();
    expect(pingSignature({ 'api-version': '1.41', ostype: 'linux' })).toBeUndefined();
    for (const changed of [{ server: 'Docker/20.10.25 (linux)' }, { 'api-version': '1.43' }, { ostype: 'windows' }, { 'docker-experimental': 'true' }, { 'builder-version': '2' }] as Record<string, string>[]) {
      expect(pingSignature({ ...ping, ...changed })).not.toBe(base);
    }
  });

  it('an entry serves its endpoint and signature only, and keeps only what daemonFacts reads', () => {
    const dir = tempDir();
    const cache = fileDaemonFactsCache(dir);
    const signature = pingSignature(ping)!;
    const full = inputsOf('linux');
    expect(cache.get('unix:///l.sock', signature)).toBeUndefined();
    cache.save('unix:///l.sock', signature, full);
    expect(cache.get('unix:///l.sock', signature)).toEqual(factInputs(full.info, full.version));
    expect(cache.get('unix:///other.sock', signature)).toBeUndefined();
    expect(cache.get('unix:///l.sock', pingSignature({ ...ping, server: 'Docker/24.0.7 (linux)' })!)).toBeUndefined();
    const file = readFileSync(join(dir, 'daemon-facts', readdirSync(join(dir, 'daemon-facts'))[0]!), 'utf8');
    expect(file).not.toContain('DockerRootDir');
  });

  it('a corrupt, foreign or incomplete file is a miss, never a failure', () => {
    const dir = tempDir();
    const cache = fileDaemonFactsCache(dir);
    const signature = pingSignature(ping)!;
    cache.save('unix:///l.sock', signature, inputsOf('linux'));
    const file = join(dir, 'daemon-facts', readdirSync(join(dir, 'daemon-facts'))[0]!);
    const good = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const text of ['{"version":1', 'null', JSON.stringify({ ...good, version: 99 }), JSON.stringify({ ...good, endpoint: 'unix:///x.sock' }), JSON.stringify({ ...good, inputs: { info: {} } })]) {
      writeFileSync(file, text);
      expect(cache.get('unix:///l.sock', signature)).toBeUndefined();
    }
  });

  it('caches turned off: no cache; unwritable: no failure', () => {
    expect(userDaemonFactsCache({ MIXCOMPOSE_CACHE_DIR: '' })).toBeUndefined();
    const dir = tempDir();
    writeFileSync(join(dir, 'daemon-facts'), 'a file where the folder should be');
    const cache = fileDaemonFactsCache(dir);
    cache.save('unix:///l.sock', pingSignature(ping)!, inputsOf('linux'));
    expect(cache.get('unix:///l.sock', pingSignature(ping)!)).toBeUndefined();
  });

  it.each(['linux', 'windows-server-2022', 'windows-lcow'] as const)('factInputs keeps every field daemonFacts reads (%s)', (daemon) => {
    const { info, version } = inputsOf(daemon);
    const cut = factInputs(info, version);
    for (const platform of ['linux', 'windows'] as const) {
      expect(daemonFacts({ platform, label: 'd', ...cut })).toEqual(daemonFacts({ platform, label: 'd', info, version }));
    }
  });
});
