/**
 * The project cache (project-cache.ts) answers only when every input is as it was: the same
 * options, environment and answers of the file system. Each test loads once through the cache,
 * changes one input and checks that the pipeline runs again (and gives the new result).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject, type LoadOptions, type LoadResult } from '../../../src/config/load-project.js';
import { loadProjectFresh } from '../../../src/config/load-pipeline.js';
import { cachedLoad, projectCacheKey, type ProjectCacheStore } from '../../../src/config/project-cache.js';
import { trackedEnvironment } from '../../../src/config/project-environment.js';
import { fileProjectCache, MAX_PROJECT_ENTRIES, memoryFileSystem, PROJECT_CACHE_DIR } from '../../../src/config/read-files.js';
import { ConfigError } from '../../../src/errors.js';

const DIR = path.resolve('/proj');
const COMPOSE = path.join(DIR, 'compose.yaml');
const TEXT = 'services:\n  web:\n    image: nginx:${TAG:-1}\n    environment: [FROM_FILE, FROM_ENV]\n';

function memoryStore(): ProjectCacheStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return { entries, read: (key) => entries.get(key), write: (key, text) => void entries.set(key, text) };
}

function options(files: Record<string, string>, extra: Partial<LoadOptions> = {}): LoadOptions {
  return { files: [COMPOSE], envFiles: [], profiles: [], environment: { FROM_ENV: 'e' }, cwd: DIR, fileSystem: memoryFileSystem(files), ...extra };
}

/** Loads through `store`, counting the pipeline's runs in `runs`. */
async function load(o: LoadOptions, store: ProjectCacheStore, runs: { count: number }): Promise<LoadResult> {
  return cachedLoad(o, store, (fresh) => {
    runs.count++;
    return loadProjectFresh(fresh);
  });
}

describe('the project cache', () => {
  it('answers a second load with the same inputs from the cache: the same result, keys in the same order', async () => {
    const store = memoryStore();
    const runs = { count: 0 };
    const files = { [COMPOSE]: TEXT, [path.join(DIR, '.env')]: 'FROM_FILE=f\nTAG=2\n' };
    const first = await load(options(files), store, runs);
    const second = await load(options(files), store, runs);
    expect(runs.count).toBe(1);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(second.project.environment).toEqual({ FROM_FILE: 'f', TAG: '2', FROM_ENV: 'e' });
    expect(second.project.services.web!.image).toBe('nginx:2');
  });

  it('keeps the process environment out of the entry (only the names it read and a digest of their values)', async () => {
    const store = memoryStore();
    await load(options({ [COMPOSE]: TEXT }, { environment: { FROM_ENV: 'e', SECRET_TOKEN: 'hunter2' } }), store, { count: 0 });
    const [text] = [...store.entries.values()];
    expect(text).not.toContain('hunter2');
  });

  it.each([
    ['a file changes', { [COMPOSE]: TEXT.replace('nginx', 'httpd') }, {}],
    ['a file appears (.env)', { [COMPOSE]: TEXT, [path.join(DIR, '.env')]: 'TAG=3\n' }, {}],
    ['a variable changes', { [COMPOSE]: TEXT }, { environment: { FROM_ENV: 'e', TAG: '4' } }],
    ['an option changes', { [COMPOSE]: TEXT }, { profiles: ['debug'] }],
  ] as const)('runs the pipeline again when %s', async (_, changed, extra) => {
    const store = memoryStore();
    const runs = { count: 0 };
    await load(options({ [COMPOSE]: TEXT }), store, runs);
    const again = await load(options(changed, extra), store, runs);
    expect(runs.count).toBe(2);
    expect(again).toEqual(await loadProjectFresh(options(changed, extra)));
  });

  it('runs the pipeline again for a damaged entry, and never stores a failed load', async () => {
    const store = memoryStore();
    const runs = { count: 0 };
    await load(options({ [COMPOSE]: TEXT }), store, runs);
    for (const key of store.entries.keys()) store.entries.set(key, '{"format":1,');
    await load(options({ [COMPOSE]: TEXT }), store, runs);
    expect(runs.count).toBe(2);
    const bad = memoryStore();
    const broken = options({ [COMPOSE]: 'services:\n  web:\n    restart: sometimes\n' });
    await expect(load(broken, bad, runs)).rejects.toBeInstanceOf(ConfigError);
    expect(bad.entries.size).toBe(0);
  });

  it('answers from the cache when only variables the load did not read changed (another shell), with them in the environment', async () => {
    const store = memoryStore();
    const runs = { count: 0 };
    const files = { [COMPOSE]: TEXT, [path.join(DIR, '.env')]: 'FROM_FILE=f\n' };
    await load(options(files, { environment: { FROM_ENV: 'e', SHLVL: '1', _: '/usr/bin/node' } }), store, runs);
    const other = options(files, { environment: { FROM_ENV: 'e', SHLVL: '2', OLDPWD: '/tmp' } });
    const again = await load(other, store, runs);
    expect(runs.count).toBe(1);
    expect(again).toEqual(await loadProjectFresh(other));
    expect(Object.keys(again.project.environment)).toEqual(['FROM_FILE', 'FROM_ENV', 'SHLVL', 'OLDPWD']);
  });

  it('keys on every variable when the load listed the environment names', async () => {
    const store = memoryStore();
    const runs = { count: 0 };
    const listing = (o: LoadOptions) =>
      cachedLoad(o, store, (fresh) => {
        runs.count++;
        Object.keys(trackedEnvironment(fresh.environment, fresh.variableReads));
        return loadProjectFresh(fresh);
      });
    await listing(options({ [COMPOSE]: TEXT }, { environment: { FROM_ENV: 'e', SHLVL: '1' } }));
    await listing(options({ [COMPOSE]: TEXT }, { environment: { FROM_ENV: 'e', SHLVL: '1' } }));
    expect(runs.count).toBe(1);
    await listing(options({ [COMPOSE]: TEXT }, { environment: { FROM_ENV: 'e', SHLVL: '2' } }));
    expect(runs.count).toBe(2);
  });

  it('gives what the pipeline gives for any change of any variable (every place the loader reads one)', async () => {
    const inc = path.join(DIR, 'inc', 'compose.yaml');
    const files = {
      [COMPOSE]: [
        'name: ${NAME:-proj}',
        'include: [inc/compose.yaml]',
        'services:',
        '  web:',
        '    platform: linux',
        '    image: nginx:${TAG:-1}',
        '    environment: [FROM_FILE, FROM_ENV, BARE, DERIVED]',
        '    env_file: [web.env]',
        '    volumes: [~/data:/data]',
        '  dbg:',
        '    platform: linux',
        '    image: busybox',
        '    profiles: [debug]',
        '',
      ].join('\n'),
      [path.join(DIR, '.env')]: 'FROM_FILE=f\nDERIVED=${BASE:-b}x\nBARE\n',
      [path.join(DIR, 'web.env')]: 'W=${WV:-w}\nPASS\n',
      [inc]: 'services:\n  side:\n    platform: linux\n    image: side:${SIDE_TAG:-2}\n    environment: [INC_VAR]\n',
    };
    const values: Record<string, readonly (string | undefined)[]> = {
      NAME: [undefined, 'n1', 'n2'],
      COMPOSE_PROJECT_NAME: [undefined, 'p1', 'p2'],
      COMPOSE_PROFILES: [undefined, '', 'debug'],
      COMPOSE_FILE: [undefined, 'other.yaml'],
      MIXCOMPOSE_LINUX_HOST: [undefined, 'unix:///a.sock', 'tcp://10.0.0.1:2375'],
      MIXCOMPOSE_WINDOWS_HOST: [undefined, 'tcp://10.0.0.2:2375'],
      DOCKER_HOST: [undefined, 'unix:///d.sock'],
      HOME: [undefined, '/home/a', '/home/b'],
      ...Object.fromEntries(['TAG', 'FROM_ENV', 'FROM_FILE', 'BARE', 'BASE', 'DERIVED', 'WV', 'W', 'PASS', 'SIDE_TAG', 'INC_VAR', 'SHLVL', '_'].map((k) => [k, [undefined, 'a', 'b']])),
    };
    const names = Object.keys(values);
    const same = async (environments: readonly Record<string, string | undefined>[]) => {
      const store = memoryStore();
      for (const environment of environments) {
        const o = options(files, { environment });
        const cached = await load(o, store, { count: 0 });
        const fresh = await loadProjectFresh(o);
        expect(cached).toEqual(fresh);
        expect(JSON.stringify(cached)).toBe(JSON.stringify(fresh));
      }
    };
    // Every change of one variable from an empty environment and from one with every variable set.
    const full = Object.fromEntries(names.map((k) => [k, values[k]!.at(-1)]));
    for (const base of [{}, full]) for (const k of names) for (const v of values[k]!) await same([base, { ...base, [k]: v }]);
    // A first environment, then changes of one variable each: a cache that missed a variable it read
    // would answer a load after such a change with the earlier result.
    const start = fc.record(Object.fromEntries(names.map((k) => [k, fc.constantFrom(...values[k]!)])), { requiredKeys: [] });
    const change = fc.constantFrom(...names).chain((k) => fc.constantFrom(...values[k]!).map((v) => [k, v] as const));
    await fc.assert(
      fc.asyncProperty(start, fc.array(change, { minLength: 1, maxLength: 6 }), async (first, changes) => {
        const environments: Record<string, string | undefined>[] = [{ ...first }];
        for (const [k, v] of changes) environments.push({ ...environments.at(-1), [k]: v });
        await same(environments);
      }),
      { numRuns: 40 },
    );
  });

  it('keys on every option but the environment, the file system and the caches', () => {
    const base = options({});
    expect(projectCacheKey({ ...base, environment: { OTHER: '1' }, fileSystem: memoryFileSystem({}), validityCache: { has: () => false, add: () => {} } })).toBe(projectCacheKey(base));
    expect(projectCacheKey({ ...base, interpolate: false })).not.toBe(projectCacheKey(base));
    expect(projectCacheKey({ ...base, daemonOverrides: { linuxHost: 'unix:///x.sock' } })).not.toBe(projectCacheKey(base));
  });
});

describe('the project cache on disk (the CLI)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mixcompose-project-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers from a real file system, and runs the pipeline again once the compose file changes', async () => {
    const compose = path.join(dir, 'compose.yaml');
    writeFileSync(compose, TEXT);
    const o: LoadOptions = { files: [compose], envFiles: [], profiles: [], environment: {}, cwd: dir, projectCache: fileProjectCache(path.join(dir, 'cache'), '1.0.0') };
    const first = await loadProject(o);
    const entry = path.join(dir, 'cache', PROJECT_CACHE_DIR, readdirSync(path.join(dir, 'cache', PROJECT_CACHE_DIR))[0]!);
    expect(statSync(entry).mode & 0o777).toBe(0o600);
    expect(await loadProject(o)).toEqual(first);
    writeFileSync(compose, TEXT.replace('nginx', 'httpd'));
    expect((await loadProject(o)).project.services.web!.image).toBe('httpd:1');
  });

  it('does not take an entry written by another version', () => {
    fileProjectCache(dir, '1.0.0').write('k', '{}');
    expect(fileProjectCache(dir, '1.0.0').read('k')).toBe('{}');
    expect(fileProjectCache(dir, '1.0.1').read('k')).toBeUndefined();
    expect(readFileSync(path.join(dir, PROJECT_CACHE_DIR, 'k.json'), 'utf8')).toMatch(/^mixcompose project cache 1 1\.0\.0 /);
  });

  it(`keeps at most ${MAX_PROJECT_ENTRIES} entries, the newest`, () => {
    const store = fileProjectCache(dir, '1.0.0');
    for (let i = 0; i < MAX_PROJECT_ENTRIES; i++) {
      store.write(`k${i}`, '{}');
      utimesSync(path.join(dir, PROJECT_CACHE_DIR, `k${i}.json`), 1000 + i, 1000 + i); // k0 the oldest
    }
    store.write(`k${MAX_PROJECT_ENTRIES}`, '{}');
    const kept = readdirSync(path.join(dir, PROJECT_CACHE_DIR));
    expect(kept).toHaveLength(MAX_PROJECT_ENTRIES);
    expect(kept).toContain(`k${MAX_PROJECT_ENTRIES}.json`);
    expect(kept).not.toContain('k0.json');
  });
});
