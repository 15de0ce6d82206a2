/**
 * The package's `bin` is two esbuild outputs (scripts/bundle-cli.mjs): the ESM entry dist/bin/main.js
 * (its fast paths) and the CommonJS bundle dist/bin/cli.cjs with everything else, run through the
 * code cache. These tests bundle in memory. The entry's chunk graph is read from esbuild's
 * metafile; what a command evaluates when it starts is read by running the bundle with its module
 * initialisers counted (esbuild's `__esm` and `__commonJS` helpers, instrumented) and its
 * `require` calls recorded, in a child process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { bundleCli, EXTERNAL } from '../../../scripts/bundle-cli.mjs';

interface MetaOutput {
  readonly imports: readonly { readonly path: string; readonly kind: string; readonly external?: boolean }[];
  readonly inputs: Readonly<Record<string, unknown>>;
}
interface BuildResult {
  readonly metafile: { readonly outputs: Readonly<Record<string, MetaOutput>> };
  readonly outputFiles: readonly { readonly path: string; readonly text: string }[];
}

const outdir = join(import.meta.dirname, '..', '..', '..', 'dist', 'bin');
const { entry, cli } = (await bundleCli({ outdir, write: false })) as { entry: BuildResult; cli: BuildResult };
const cliText = cli.outputFiles.find((f) => f.path.endsWith('cli.cjs'))!.text;

/** Inputs and external imports loaded when the entry's chunk `chunk` is imported (static edges only). */
function staticClosure(chunk: string): { inputs: Set<string>; externals: Set<string> } {
  const outputs = entry.metafile.outputs;
  const inputs = new Set<string>();
  const externals = new Set<string>();
  const queue = [chunk];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const input of Object.keys(outputs[path]!.inputs)) inputs.add(input);
    for (const edge of outputs[path]!.imports) {
      if (edge.kind !== 'import-statement') continue;
      if (edge.external) externals.add(edge.path);
      else queue.push(edge.path);
    }
  }
  return { inputs, externals };
}

const packageOf = (input: string) => {
  const parts = input.split('node_modules/').at(-1)!.split('/');
  return parts.slice(0, parts[0]!.startsWith('@') ? 2 : 1).join('/');
};

/** The bundle with each module initialiser noting its module's path in `globalThis.__inits`. */
function countingBundle(): string {
  const esm = 'var __esm=(fn,res,err)=>function(){';
  const commonJs = 'var __commonJS=(cb,mod)=>function(){';
  if (!cliText.includes(esm) || !cliText.includes(commonJs)) throw new Error("esbuild's module helpers changed: update countingBundle");
  return cliText
    .replace(esm, `${esm}fn&&globalThis.__inits.push(__getOwnPropNames(fn)[0]);`)
    .replace(commonJs, `${commonJs}mod||globalThis.__inits.push(__getOwnPropNames(cb)[0]);`);
}

const work = mkdtempSync(join(tmpdir(), 'mixcompose-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
mkdirSync(join(work, 'bin'));
writeFileSync(join(work, 'bin', 'cli.cjs'), countingBundle());
writeFileSync(join(work, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n');
// Runs the counting bundle's runCli on its arguments; prints the modules initialised and the packages required.
writeFileSync(
  join(work, 'count.cjs'),
  `const { Script, constants } = require('node:vm'); const { readFileSync } = require('node:fs'); const { createRequire } = require('node:module');
const file = ${JSON.stringify(join(work, 'bin', 'cli.cjs'))}; const required = []; const real = createRequire(file);
const recording = Object.assign((id) => (required.push(id), real(id)), real);
globalThis.__inits = [];
const run = new Script(readFileSync(file, 'latin1'), { filename: file, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }).runInThisContext();
const bundle = { exports: {} }; run(bundle.exports, recording, bundle, file, ${JSON.stringify(join(work, 'bin'))}, require('node:url').pathToFileURL(file).href);
bundle.exports.runCli(['node', 'main.js', ...process.argv.slice(2)]).then(() => process.stderr.write('@@' + JSON.stringify({ inits: globalThis.__inits, required }) + '\\n'));`,
);

/** What running the bundle with `args` initialised (source files and packages) and required. */
function started(args: readonly string[]): { inputs: Set<string>; packages: Set<string>; required: Set<string> } {
  const env = { ...process.env, MIXCOMPOSE_CACHE_DIR: '' };
  const { stderr } = spawnSync(process.execPath, [join(work, 'count.cjs'), ...args], { env, cwd: work, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const line = stderr.split('\n').find((l) => l.startsWith('@@'));
  if (!line) throw new Error(`no report from the bundle:\n${stderr}`);
  const { inits, required } = JSON.parse(line.slice(2)) as { inits: string[]; required: string[] };
  return {
    inputs: new Set(inits),
    packages: new Set(inits.filter((i) => i.includes('node_modules/')).map(packageOf)),
    required: new Set(required),
  };
}

/** What `<command> --help` evaluates: the command's module and all it imports, no action. */
const startedBy = new Map<string, ReturnType<typeof started>>();
const commandStart = (command: string) => {
  if (!startedBy.has(command)) startedBy.set(command, started([command, '--help']));
  return startedBy.get(command)!;
};

describe('the CLI entry', () => {
  it('keeps the shebang', () => {
    const main = entry.outputFiles.find((f) => f.path.endsWith(join('bin', 'main.js')))!;
    expect(main.text.startsWith('#!/usr/bin/env -S node --\n')).toBe(true);
  });

  it('answers --version and --help without any package, the bundle or the code cache', () => {
    const { inputs, externals } = staticClosure('dist/bin/main.js');
    expect([...inputs].filter((i) => i.includes('node_modules/'))).toEqual([]);
    expect([...inputs].filter((i) => /start-cli|code-cache/.test(i))).toEqual([]);
    expect([...externals].filter((e) => !e.startsWith('node:'))).toEqual([]);
  });
});

describe('the CLI bundle', () => {
  it('is ASCII text: node then holds it as one-byte characters', () => {
    expect(cliText.search(/[^\x00-\x7f]/)).toBe(-1);
  });

  it('is one function expression of what the code cache hands it', () => {
    expect(cliText.startsWith('(function (exports, require, module, __filename, __dirname, __mixcomposeBundleUrl) {\n')).toBe(true);
    expect(cliText).not.toContain('import.meta');
    // A vm script has no loader for import() but node's experimental one (it warns on stderr).
    expect(cliText.search(/(?<![\w$.])import\s*\(/)).toBe(-1);
  });

  it.each(['up', 'down', 'ps', 'config'])('`%s` starts without execa, ssh2, docker-modem, dockerode, tar, listr2, ajv or kubernetes-models', (command) => {
    const { packages, required } = commandStart(command);
    const heavy = ['execa', 'tar-fs', 'tar-stream', '@balena/dockerignore', 'ajv', 'listr2', ...EXTERNAL];
    expect([...packages, ...required].filter((name) => heavy.some((h) => name === h || name.startsWith(`${h}/`)))).toEqual([]);
    expect(packages.has('commander')).toBe(true); // the count sees packages
    expect(commandStart(command).inputs.has(`src/cli/commands/${command}.ts`)).toBe(true);
  });

  it.each(['up', 'config'])('`%s` starts without the yaml package, the load pipeline or the compiled schema', (command) => {
    const { inputs, packages } = commandStart(command);
    expect(packages.has('yaml')).toBe(false);
    expect(inputs.has('src/config/load-pipeline.ts')).toBe(false);
    expect(inputs.has('src/config/compose-schema-validator.ts')).toBe(false);
    expect(inputs.has('src/config/project-cache.ts')).toBe(true);
  });

  it('loads the pipeline and the yaml package when a load is not cached', () => {
    const { inputs, packages } = started(['-f', join(work, 'compose.yaml'), 'config', '-q']);
    expect(inputs.has('src/config/load-pipeline.ts')).toBe(true);
    expect(packages.has('yaml')).toBe(true);
  });

  // Each costs every command some CPU at start (https brings tls; ~3 ms together): only a TLS daemon
  // or a daemon address given as a host name needs them, and they load there.
  it.each(['up', 'down', 'ps'])('`%s` starts without node:https, node:tls or node:dns', (command) => {
    expect([...commandStart(command).required].filter((e) => /^node:(https|tls|dns)/.test(e))).toEqual([]);
  });

  it('loads child_process only when commander spawns (never, for mixcompose)', () => {
    expect(cliText).toContain('childProcess={spawn:(...args)=>require("node:child_process").spawn(...args)}');
    expect(commandStart('up').required.has('node:child_process')).toBe(false);
  });

  it("finds files relative to a module where tsc's layout has them (resolver/Dockerfile, package.json)", () => {
    expect(cliText).toMatch(/new URL\("\.\.\/engine\/helper-images\.js",\s*__mixcomposeBundleUrl\)/);
    expect(cliText).toMatch(/new URL\("\.\.\/cli\/commands\/version\.js",\s*__mixcomposeBundleUrl\)/);
  });
});

// `config` loads the yaml writer with import() (yaml-output.ts): a bare import('yaml') of the
// CommonJS package has no named exports in the bundle, which only running the bundle shows.
describe('the written bin', () => {
  const dir = join(work, 'written');
  const compose = join(work, 'compose.yaml');
  const config = (cacheDir: string) =>
    execFileSync(process.execPath, [join(dir, 'bin', 'main.js'), '-f', compose, 'config'], { env: { ...process.env, MIXCOMPOSE_CACHE_DIR: cacheDir }, encoding: 'utf8' });

  it('prints `config` as YAML from the files, then from the project and code caches', async () => {
    await bundleCli({ outdir: join(dir, 'bin') });
    const cache = join(dir, 'cache');
    const first = config(cache);
    expect(first).toMatch(/^name: mixcompose-bundle-/);
    expect(first).toContain('image: nginx');
    expect(readdirSync(join(cache, 'code-cache'))).toHaveLength(1);
    expect(config(cache)).toBe(first);
  });

  it('runs with a cache directory it cannot create, and writes nothing', () => {
    writeFileSync(join(dir, 'a-file'), '');
    const blocked = join(dir, 'a-file', 'cache');
    expect(config(blocked)).toContain('image: nginx');
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'bin', 'cache']);
  });
});
