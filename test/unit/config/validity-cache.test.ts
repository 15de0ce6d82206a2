import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LoadOptions } from '../../../src/config/load-project.js';
import type { ValidityCache } from '../../../src/config/schema-validity.js';
import { memoryFileSystem } from '../../../src/config/read-files.js';
import { ConfigError, formatIssue } from '../../../src/errors.js';

// Counts how often the compiled schema is taken from its module (each load that needs it takes it once).
const validatorImports = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../src/config/compose-schema-validator.js', async (importOriginal) => {
  const real = await importOriginal<Record<string, unknown>>();
  return {
    ...real,
    get validate() {
      validatorImports.count++;
      return real.validate;
    },
  };
});

const DIR = path.resolve('/proj');
const VALID = 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n';
const INVALID = 'services:\n  web:\n    image: nginx\n    restart: sometimes\n';
// `attach` is not among the loader's own casts (typed-values.ts): the schema check casts it.
const CAST = 'services:\n  web:\n    image: nginx\n    attach: "false"\n';
const RESTART_ERROR = 'compose.yaml:4:5 services.web.restart: expected no, always, unless-stopped or on-failure[:N], got the string "sometimes"';

async function loader() {
  return (await import('../../../src/config/load-project.js')).loadProject;
}

async function loadText(text: string, extra: Partial<LoadOptions> = {}) {
  const loadProject = await loader();
  return loadProject({
    files: ['compose.yaml'],
    envFiles: [],
    profiles: [],
    environment: {},
    cwd: DIR,
    fileSystem: memoryFileSystem({ [path.join(DIR, 'compose.yaml')]: text }),
    ...extra,
  });
}

async function errorsOf(text: string, extra: Partial<LoadOptions> = {}): Promise<string[]> {
  try {
    await loadText(text, extra);
  } catch (error) {
    // The module graph is fresh in each test, so the error's class is not this file's ConfigError.
    if (error instanceof Error && error.name === ConfigError.name) return (error as ConfigError).issues.filter((i) => i.severity === 'error').map(formatIssue);
    throw error;
  }
  throw new Error('expected the load to fail');
}

function memoryCache(initial: readonly string[] = []): ValidityCache & { digests: Set<string> } {
  const digests = new Set(initial);
  return { digests, has: (d) => digests.has(d), add: (d) => void digests.add(d) };
}

beforeEach(() => {
  vi.resetModules();
  validatorImports.count = 0;
});

describe('the validity cache', () => {
  it('a model known valid is not validated, and the validator is not even imported', async () => {
    const cache = memoryCache();
    const first = await loadText(VALID, { validityCache: cache });
    expect(cache.digests.size).toBe(1);
    expect(validatorImports.count).toBe(1);

    vi.resetModules();
    validatorImports.count = 0;
    const again = await loadText(VALID, { validityCache: cache });
    expect(validatorImports.count).toBe(0);
    expect(again.project).toEqual(first.project);
  });

  it('without a cache every load validates (the library API)', async () => {
    await loadText(VALID);
    expect(validatorImports.count).toBe(1);
  });

  it('a model that is not known is validated: its problems keep file, line and key, every time, and nothing is recorded', async () => {
    const cache = memoryCache();
    const expected = [RESTART_ERROR];
    expect(await errorsOf(INVALID, { validityCache: cache })).toEqual(expected);
    expect(await errorsOf(INVALID, { validityCache: cache })).toEqual(expected);
    expect(cache.digests.size).toBe(0);
  });

  it('a model valid only after text was cast to numbers is not recorded (the cast is made on every load)', async () => {
    const cache = memoryCache();
    for (let i = 0; i < 2; i++) {
      const { project } = await loadText(CAST, { validityCache: cache });
      expect((project.services.web as unknown as Record<string, unknown>).attach).toBe(false);
    }
    expect(cache.digests.size).toBe(0);
  });

  it('a load that starts again to import the validator reports each warning once', async () => {
    const cache = memoryCache();
    const { warnings } = await loadText(`version: "3"\n${VALID}`, { validityCache: cache });
    expect(warnings.map((w) => formatIssue(w))).toEqual(['compose.yaml:1:1 version: `version` is obsolete and ignored (the Compose Specification has no versions); remove it']);
  });

  it('a file that passes by the cache still gets its later checks', async () => {
    const cache = memoryCache();
    const text = `${VALID}    depends_on: [nowhere]\n`;
    const first = await errorsOf(text, { validityCache: cache });
    expect(first.length).toBeGreaterThan(0);
    expect(cache.digests.size).toBe(1);
    expect(await errorsOf(text, { validityCache: cache })).toEqual(first);
  });
});

describe('modelDigest', () => {
  it('tells apart values JSON would merge, and refuses what is not plain data', async () => {
    const { modelDigest } = await import('../../../src/config/schema-validity.js');
    const values: unknown[] = [null, Number.NaN, Infinity, -Infinity, 0, -0, '0', false, { a: undefined }, {}, [], [null], { a: 1, b: 2 }, { b: 2, a: 1 }, ['a,b'], ['a', 'b']];
    const digests = values.map((v) => modelDigest({ x: v }));
    expect(new Set(digests).size).toBe(values.length);
    expect(modelDigest({ x: 1 })).toBe(modelDigest({ x: 1 }));
    const { Tagged } = await import('../../../src/config/positions.js');
    expect(modelDigest({ x: new Tagged('override', 1) })).toBeUndefined();
    expect(modelDigest({ x: new Date(0) })).toBeUndefined();
  });

  it('depends on the schema the validator was compiled from', async () => {
    const { modelDigest } = await import('../../../src/config/schema-validity.js');
    const before = modelDigest({ services: {} });
    vi.resetModules();
    vi.doMock('../../../src/config/compose-schema.js', async (importOriginal) => {
      const real = await importOriginal<typeof import('../../../src/config/compose-schema.js')>();
      return { ...real, composeSchema: { ...real.composeSchema, title: 'another schema' } };
    });
    try {
      const other = await import('../../../src/config/schema-validity.js');
      expect(other.modelDigest({ services: {} })).not.toBe(before);
    } finally {
      vi.doUnmock('../../../src/config/compose-schema.js');
    }
  });
});

describe('the cache file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mixcompose-validity-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function fileCache(cacheDir: string, version = '1.2.3') {
    return (await import('../../../src/config/read-files.js')).fileValidityCache(cacheDir, version);
  }
  const cacheFile = () => path.join(dir, 'valid-models.txt');

  it('keeps what one process learned for the next', async () => {
    await loadText(VALID, { validityCache: await fileCache(dir) });
    expect(readFileSync(cacheFile(), 'utf8')).toMatch(/^mixcompose validity cache 1 1\.2\.3\n[0-9a-f]{64}\n$/);
    vi.resetModules();
    validatorImports.count = 0;
    await loadText(VALID, { validityCache: await fileCache(dir) });
    expect(validatorImports.count).toBe(0);
  });

  it('a corrupt file counts as empty, changes no result, and is replaced', async () => {
    writeFileSync(cacheFile(), '\u0000garbage\nnot a digest\n');
    const expected = [RESTART_ERROR];
    expect(await errorsOf(INVALID, { validityCache: await fileCache(dir) })).toEqual(expected);
    await loadText(VALID, { validityCache: await fileCache(dir) });
    expect(readFileSync(cacheFile(), 'utf8')).toMatch(/^mixcompose validity cache 1 1\.2\.3\n[0-9a-f]{64}\n$/);
  });

  it('the digests of another version are not trusted', async () => {
    await loadText(VALID, { validityCache: await fileCache(dir, '1.2.3') });
    vi.resetModules();
    validatorImports.count = 0;
    await loadText(VALID, { validityCache: await fileCache(dir, '1.2.4') });
    expect(validatorImports.count).toBe(1);
  });

  it('a directory that cannot be written changes nothing', async () => {
    const blocked = path.join(dir, 'a-file');
    writeFileSync(blocked, '');
    const { project } = await loadText(VALID, { validityCache: await fileCache(path.join(blocked, 'cache')) });
    expect(Object.keys(project.services)).toEqual(['web']);
  });

  it('holds at most MAX_VALIDITY_ENTRIES digests, the newest', async () => {
    const { fileValidityCache, MAX_VALIDITY_ENTRIES } = await import('../../../src/config/read-files.js');
    const cache = fileValidityCache(dir, '1');
    const digest = (i: number) => i.toString(16).padStart(64, '0');
    for (let i = 0; i <= MAX_VALIDITY_ENTRIES; i++) cache.add(digest(i));
    const lines = readFileSync(cacheFile(), 'utf8').trim().split('\n').slice(1);
    expect(lines.length).toBe(MAX_VALIDITY_ENTRIES);
    expect(lines).not.toContain(digest(0));
    expect(fileValidityCache(dir, '1').has(digest(MAX_VALIDITY_ENTRIES))).toBe(true);
  });

  it('lives in MIXCOMPOSE_CACHE_DIR, else the XDG cache directory, else ~/.cache; an empty override turns it off', async () => {
    const { userCacheDir: validityCacheDir } = await import('../../../src/cache-dir.js');
    expect(validityCacheDir({ MIXCOMPOSE_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }, 'linux')).toBe('/c');
    expect(validityCacheDir({ MIXCOMPOSE_CACHE_DIR: '', HOME: '/h' }, 'linux')).toBeUndefined();
    expect(validityCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }, 'linux')).toBe(path.join('/x', 'mixcompose'));
    expect(validityCacheDir({ HOME: '/h' }, 'linux')).toBe(path.join('/h', '.cache', 'mixcompose'));
    expect(validityCacheDir({}, 'linux')).toBeUndefined();
    expect(validityCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local', USERPROFILE: 'C:\\Users\\u' }, 'win32')).toBe(path.join('C:\\Users\\u\\AppData\\Local', 'mixcompose', 'cache'));
  });
});

// The directory may not exist yet: the first write makes it.
it('the cache directory is made on the first write', async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'mixcompose-validity-'));
  try {
    const nested = path.join(base, 'a', 'b');
    await loadText(VALID, { validityCache: (await import('../../../src/config/read-files.js')).fileValidityCache(nested, '1') });
    expect(readFileSync(path.join(nested, 'valid-models.txt'), 'utf8').split('\n').length).toBe(3);
    mkdirSync(nested, { recursive: true });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
