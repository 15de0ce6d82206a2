/**
 * Hostile input, as properties (fast-check): over generated compose documents, mutations of real
 * ones (the bad-input fixtures and the awesome-compose corpus) and arbitrary text, the loader
 * returns a model or a ConfigError with problems; it never throws anything else, never hangs, and
 * stays under a bound of CPU work per document (process CPU time, not wall clock: other processes
 * on the machine do not count). The seed is fixed so a failure is reproducible (FC_SEED=n to
 * explore others); a failure prints the shrunk document.
 *
 * Hostile values (newlines, NULs, very long strings, non-UTF-8 bytes in files) must give clear
 * errors with lines; the cases the loader does not handle yet are written down as `it.fails` at
 * the end (each flips to a failure once the loader is fixed: then drop the `.fails`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';

import { loadProject } from '../../../src/config/load-project.js';
import { memoryFileSystem } from '../../../src/config/read-files.js';
import { ConfigError } from '../../../src/errors.js';
import { corpusDir } from '../../support/corpus.js';

const SEED = Number(process.env.FC_SEED ?? 20261202);
/** CPU milliseconds one document may cost (a 500-service file loads in about 300 ms). */
const CPU_BOUND_MS = 2000;
/** A load that has not settled by then is a hang (generous: the machine is shared). */
const HANG_MS = 30_000;

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Real compose files: the bad-input fixtures and the corpus in the repository (each project's compose file). */
function realDocuments(): string[] {
  const bad = join(FIXTURES, 'config', 'bad');
  const out = readdirSync(bad).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(bad, f), 'utf8'));
  const corpus = corpusDir();
  for (const d of readdirSync(corpus).sort()) {
    const file = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'].map((f) => join(corpus, d, f)).find((f) => existsSync(f));
    if (file) out.push(readFileSync(file, 'utf8'));
  }
  return out;
}

type Outcome = { kind: 'model' } | { kind: 'problems'; error: ConfigError };

/** Loads one document from memory; measures its CPU work; fails on a hang or a non-ConfigError throw. */
async function loadOnce(text: string, extra: Readonly<Record<string, string>> = {}): Promise<Outcome & { cpuMs: number }> {
  const before = process.cpuUsage();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the loader did not settle within ${HANG_MS} ms`)), HANG_MS);
  });
  let outcome: Outcome;
  try {
    await Promise.race([
      loadProject({
        files: ['compose.yaml'],
        cwd: '/fuzz',
        envFiles: [],
        profiles: [],
        environment: { HOME: '/home/fuzz' },
        fileSystem: memoryFileSystem({ '/fuzz/compose.yaml': text, ...extra }),
      }),
      hang,
    ]);
    outcome = { kind: 'model' };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    outcome = { kind: 'problems', error };
  } finally {
    clearTimeout(timer);
  }
  const used = process.cpuUsage(before);
  return { ...outcome, cpuMs: (used.user + used.system) / 1000 };
}

/** The property every document must have. */
async function holds(text: string): Promise<void> {
  const result = await loadOnce(text);
  expect(result.cpuMs, 'CPU work for one document').toBeLessThan(CPU_BOUND_MS);
  if (result.kind === 'problems') {
    expect(result.error.issues.length).toBeGreaterThan(0);
    for (const issue of result.error.issues) {
      expect(issue.message.trim()).not.toBe('');
      expect(issue.message).not.toMatch(/\n\s+at /); // no stack traces in problems
    }
  }
}

// --- generated documents -------------------------------------------------------------------

/** Strings an attacker or a careless generator would write. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\n', 'a\nb', 'a\0b', '\0', '\r\n', '\u2028', '\uFEFF', '\uD800', '${', '${A', '${A:?err}', '$$', '{{ x.host }}', '{{', '~', '..', '../../etc/passwd', 'C:\\x', '\\\\.\\pipe\\x'),
  fc.integer({ min: 1, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const SERVICE_KEYS = [
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'labels', 'ports', 'expose', 'volumes', 'networks',
  'depends_on', 'healthcheck', 'platform', 'profiles', 'extends', 'secrets', 'configs', 'container_name', 'restart',
  'deploy', 'dns', 'extra_hosts', 'user', 'working_dir', 'stop_grace_period', 'ulimits', 'x-mixcompose', 'scale', 'init',
] as const;

/** Any small YAML value: scalars, lists and maps of hostile strings. */
const yamlValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileString, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(hostileString.map(String), tie('value'), { maxKeys: 4 })),
})).value;

const service = fc.dictionary(fc.constantFrom(...SERVICE_KEYS), yamlValue, { maxKeys: 8 });
const composeDocument = fc.record(
  {
    name: hostileString,
    services: fc.dictionary(fc.oneof(fc.constantFrom('web', 'db', 'api'), fc.string({ maxLength: 12 })), service, { maxKeys: 4 }),
    networks: fc.dictionary(fc.string({ maxLength: 8 }), yamlValue, { maxKeys: 2 }),
    volumes: fc.dictionary(fc.string({ maxLength: 8 }), yamlValue, { maxKeys: 2 }),
    secrets: fc.dictionary(fc.string({ maxLength: 8 }), yamlValue, { maxKeys: 2 }),
    'x-mixcompose': yamlValue,
  },
  { requiredKeys: ['services'] },
);

/** Environment and label values of a well-formed service: only the values are hostile. */
const hostileValuesDocument = fc.record({
  environment: fc.dictionary(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/), hostileString, { maxKeys: 4 }),
  labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9.]{0,10}$/), hostileString, { maxKeys: 4 }),
});

// --- mutations of real documents -----------------------------------------------------------

const PUNCTUATION = [':', '{', '}', '[', ']', '"', "'", '&a', '*a', '*nope', '!reset', '!override', '!!binary', '|', '>', '- ', '#', '${', '${X:?}', '{{', '}}', '<<: *a', '\t', '\0', '\uFFFD', '\r', '? ', '%YAML 1.1', '---', '...', 'x'.repeat(5000)];

const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), from: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), col: fc.nat(), text: fc.oneof(fc.constantFrom(...PUNCTUATION), fc.string({ maxLength: 6 })) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('value' as const), at: fc.nat(), text: hostileString.map((v) => JSON.stringify(v) ?? 'null') }),
);

type Step = { op: string; at: number; from?: number; by?: number; col?: number; text?: string };

function mutate(text: string, steps: readonly Step[]): string {
  const lines = text.split('\n');
  for (const step of steps) {
    const i = step.at % Math.max(1, lines.length);
    const line = lines[i] ?? '';
    switch (step.op) {
      case 'delete':
        lines.splice(i, 1);
        break;
      case 'duplicate':
        lines.splice(i, 0, lines[(step.from as number) % Math.max(1, lines.length)] ?? '');
        break;
      case 'indent': {
        const by = step.by as number;
        lines[i] = by >= 0 ? ' '.repeat(by) + line : line.replace(new RegExp(`^ {0,${-by}}`), '');
        break;
      }
      case 'insert': {
        const col = (step.col as number) % (line.length + 1);
        lines[i] = line.slice(0, col) + (step.text as string) + line.slice(col);
        break;
      }
      case 'truncate':
        lines.length = Math.max(1, i);
        break;
      default:
        lines[i] = /:\s/.test(line) ? line.replace(/:\s.*/, `: ${step.text as string}`) : line;
    }
  }
  return lines.join('\n');
}

// --- the properties ------------------------------------------------------------------------

const RUNS = { seed: SEED, numRuns: 60, endOnFailure: true } as const;

describe('hostile input: the loader returns a model or problems, never throws, never hangs, bounded CPU work', () => {
  it('generated compose documents', { timeout: 600_000 }, async () => {
    await fc.assert(fc.asyncProperty(composeDocument, async (doc) => holds(stringify(doc))), RUNS);
  });

  it('generated documents written as JSON (also YAML) and as flow YAML', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(composeDocument, fc.boolean(), async (doc, json) => holds(json ? JSON.stringify(doc) : stringify(doc, { collectionStyle: 'flow' }))),
      { ...RUNS, numRuns: 25 },
    );
  });

  it('mutations of real compose files', { timeout: 600_000 }, async () => {
    const real = realDocuments();
    expect(real.length).toBeGreaterThan(50);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: real.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 5 }), async (which, steps) =>
        holds(mutate(real[which]!, steps)),
      ),
      { ...RUNS, numRuns: 200 },
    );
  });

  it('arbitrary text, including control characters and lone surrogates', { timeout: 600_000 }, async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 400 }), async (text) => holds(text)), RUNS);
  });

  it('environment and label values with newlines, NULs and very long strings: a model or problems with a line', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileValuesDocument, async ({ environment, labels }) => {
        const text = stringify({ services: { web: { image: 'busybox', environment, labels } } });
        const result = await loadOnce(text);
        expect(result.cpuMs).toBeLessThan(CPU_BOUND_MS);
        if (result.kind === 'problems') {
          for (const issue of result.error.issues) expect(issue.position?.line, issue.message).toBeGreaterThanOrEqual(1);
        }
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  it('a 1 MB environment value and a 1 MB label value load within the bound', async () => {
    const long = 'y'.repeat(1_000_000);
    await holds(stringify({ services: { web: { image: 'busybox', environment: { LONG: long }, labels: { long } } } }));
  });

  it('the alias bomb is rejected with a problem', { timeout: 600_000 }, async () => {
    const result = await bombOutcome();
    expect(result.kind, result.message).toBe('problems');
    expect(result.message).toMatch(/the document expands .*alias/);
    expect(result.cpuMs).toBeLessThan(CPU_BOUND_MS);
  });

  it('an env_file with a NUL or non-UTF-8 bytes, and a compose file with non-UTF-8 bytes, on disk: model or problems, never a throw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-hostile-'));
    writeFileSync(join(dir, 'nul.env'), Buffer.concat([Buffer.from('A=x'), Buffer.from([0]), Buffer.from('y\n')]));
    writeFileSync(join(dir, 'latin1.env'), Buffer.concat([Buffer.from('A=caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\n')]));
    writeFileSync(join(dir, 'compose.yaml'), Buffer.concat([Buffer.from('services:\n  a:\n    image: busybox\n    env_file: [nul.env, latin1.env]\n    labels:\n      x: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const load = () => loadProject({ files: ['compose.yaml'], cwd: dir, envFiles: [], profiles: [], environment: {} });
    await load().catch((error: unknown) => expect(error).toBeInstanceOf(ConfigError));
  });
});

/** The "billion laughs": `levels` levels of nine aliases each (9^levels values once expanded). */
function aliasBomb(levels: number): string {
  const lines = ['x-l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let l = 1; l <= levels; l++) lines.push(`x-l${l}: &l${l} [${Array(9).fill(`*l${l - 1}`).join(',')}]`);
  lines.push('services:', '  a:', '    image: busybox', `    labels: { bomb: *l${levels} }`);
  return lines.join('\n');
}

let bomb: Promise<{ kind: string; message?: string; cpuMs: number }> | undefined;
/**
 * The bomb, loaded in a child process: should the alias cap ever fail, it would keep a CPU busy for
 * seconds, which in the test worker would block vitest's own messages.
 */
function bombOutcome(): Promise<{ kind: string; message?: string; cpuMs: number }> {
  bomb ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-bomb-'));
    writeFileSync(join(dir, 'compose.yaml'), aliasBomb(7));
    const child = fileURLToPath(new URL('./load-in-child.ts', import.meta.url));
    const viteNode = fileURLToPath(new URL('../../../node_modules/.bin/vite-node', import.meta.url));
    const { stdout } = await promisify(execFile)(viteNode, [child, '--', dir], { timeout: 300_000 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as { kind: string; message?: string; cpuMs: number };
  })();
  return bomb;
}

/** NULs and bytes that are not UTF-8 are problems naming the file and the line (issue 12). */
describe('NULs and non-UTF-8 bytes', () => {
  const onDisk = (files: Record<string, Buffer | string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-bytes-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return loadProject({ files: ['compose.yaml'], cwd: dir, envFiles: [], profiles: [], environment: {} }).then(
      () => undefined,
      (e: unknown) => e as ConfigError,
    );
  };
  const latin1 = (text: string) => Buffer.concat([Buffer.from(text), Buffer.from([0xe9]), Buffer.from('\n')]);

  it('a NUL in an environment value is a problem with its line', async () => {
    const result = await loadOnce('services:\n  a:\n    image: busybox\n    environment:\n      X: "a\\0b"\n');
    expect(result.kind).toBe('problems');
    expect(result.kind === 'problems' && result.error.issues[0]?.position?.line).toBe(5);
    expect(result.kind === 'problems' && result.error.issues[0]?.message).toMatch(/environment variable X: a NUL character/);
  });

  it('a NUL in a label value is a problem with its line', async () => {
    const result = await loadOnce('services:\n  a:\n    image: busybox\n    labels:\n      - "x=a\\0b"\n');
    expect(result.kind).toBe('problems');
    expect(result.kind === 'problems' && result.error.issues[0]?.position?.line).toBe(5);
  });

  it('non-UTF-8 bytes in a compose file are a problem with its file, line and column', async () => {
    const error = await onDisk({ 'compose.yaml': latin1('services:\n  a:\n    image: busybox\n    labels:\n      x: caf') });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.issues[0]?.position).toMatchObject({ line: 5, col: 13 });
    expect(error!.issues[0]?.position?.file).toMatch(/compose\.yaml$/);
    expect(error!.message).toMatch(/byte 0xE9 at line 5, column 13 is not UTF-8/);
  });

  it('an env_file with a NUL, or with non-UTF-8 bytes: a problem naming the env file and its line', async () => {
    const compose = 'services:\n  a:\n    image: busybox\n    env_file: [one.env, two.env]\n';
    const error = await onDisk({
      'compose.yaml': compose,
      'one.env': Buffer.concat([Buffer.from('A=1\nB=x'), Buffer.from([0]), Buffer.from('y\n')]),
      'two.env': latin1('A=1\nB=2\nC=caf'),
    });
    expect(error).toBeInstanceOf(ConfigError);
    const messages = error!.issues.map((i) => i.message).join('\n');
    expect(messages).toMatch(/invalid env file \S*one\.env: line 2: a NUL byte/);
    expect(messages).toMatch(/invalid env file \S*two\.env: line 3: byte 0xE9 at line 3, column 6 is not UTF-8/);
  });

  it('a .env with non-UTF-8 bytes is a problem at its own line', async () => {
    const error = await onDisk({ 'compose.yaml': 'services:\n  a:\n    image: busybox\n', '.env': latin1('TAG=caf') });
    expect(error!.issues[0]?.position).toMatchObject({ line: 1, col: 8 });
    expect(error!.issues[0]?.position?.file).toMatch(/\.env$/);
  });

  it('valid UTF-8 (accents, emoji, a U+FFFD written on purpose) loads', async () => {
    const error = await onDisk({ 'compose.yaml': 'services:\n  a:\n    image: busybox\n    labels:\n      x: "café 🐳 \uFFFD"\n' });
    expect(error).toBeUndefined();
  });
});
