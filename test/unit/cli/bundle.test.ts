/**
 * The package's `bin` is the esbuild bundle of src/cli/main.ts (scripts/bundle-cli.mjs). These tests
 * bundle in memory and read the chunk graph from esbuild's metafile: what each command's chunks load
 * statically when it starts, and that files found relative to a module are still found.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { bundleCli, EXTERNAL } from '../../../scripts/bundle-cli.mjs';

interface MetaOutput {
  readonly imports: readonly { readonly path: string; readonly kind: string; readonly external?: boolean }[];
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly entryPoint?: string;
}
interface BuildResult {
  readonly metafile: { readonly outputs: Readonly<Record<string, MetaOutput>> };
  readonly outputFiles: readonly { readonly path: string; readonly text: string }[];
}

const outdir = join(import.meta.dirname, '..', '..', '..', 'dist', 'bin');
const result = (await bundleCli({ outdir, write: false })) as BuildResult;
const outputs = result.metafile.outputs;
const chunkOf = (input: string): string => {
  const found = Object.keys(outputs).find((path) => path.endsWith('.js') && input in outputs[path]!.inputs);
  if (!found) throw new Error(`no chunk holds ${input}`);
  return found;
};

/** Inputs (source files and package files) and external packages loaded when `chunk` is imported. */
function staticClosure(chunk: string): { inputs: Set<string>; externals: Set<string> } {
  const inputs = new Set<string>();
  const externals = new Set<string>();
  const seen = new Set<string>();
  const queue = [chunk];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const input of Object.keys(outputs[path]!.inputs)) inputs.add(input);
    for (const edge of outputs[path]!.imports) {
      if (edge.kind !== 'import-statement' && edge.kind !== 'require-call') continue;
      if (edge.external) externals.add(edge.path);
      else queue.push(edge.path);
    }
  }
  return { inputs, externals };
}

const packagesIn = (inputs: Set<string>) =>
  new Set([...inputs].filter((i) => i.startsWith('node_modules/')).map((i) => i.split('/').slice(1, i.split('/')[1]!.startsWith('@') ? 3 : 2).join('/')));

describe('the CLI bundle', () => {
  it('keeps the shebang on the entry', () => {
    const main = result.outputFiles.find((f) => f.path.endsWith(`${join('bin', 'main.js')}`))!;
    expect(main.text.startsWith('#!/usr/bin/env -S node --\n')).toBe(true);
  });

  it('answers --version and --help from the entry chunk without any package', () => {
    const { inputs, externals } = staticClosure(chunkOf('src/cli/main.ts'));
    expect([...packagesIn(inputs)]).toEqual([]);
    expect([...externals].filter((e) => !e.startsWith('node:'))).toEqual([]);
  });

  it.each(['up', 'down', 'ps', 'config'])('`%s` starts without execa, ssh2, docker-modem, dockerode, tar, listr2 or kubernetes-models', (command) => {
    const { inputs, externals } = staticClosure(chunkOf(`src/cli/commands/${command}.ts`));
    const loaded = [...packagesIn(inputs), ...[...externals].filter((e) => !e.startsWith('node:'))];
    const heavy = loaded.filter((name) => ['execa', 'tar-fs', 'tar-stream', '@balena/dockerignore', 'ajv', 'listr2', ...EXTERNAL].includes(name));
    expect(heavy).toEqual([]);
  });

  it.each(['up', 'config'])('`%s` starts without the compiled schema (it loads only for a model not known valid)', (command) => {
    const { inputs } = staticClosure(chunkOf(`src/cli/commands/${command}.ts`));
    expect(staticClosure(chunkOf('src/config/load-pipeline.ts')).inputs.has('src/config/schema.ts')).toBe(true);
    expect(inputs.has('src/config/compose-schema-validator.ts')).toBe(false);
  });

  // Each costs every command some CPU at start (https brings tls; ~3 ms together): only a TLS daemon
  // or a daemon address given as a host name needs them, and they load there.
  it.each(['up', 'down', 'ps'])('`%s` starts without node:https, node:tls or node:dns', (command) => {
    const { externals } = staticClosure(chunkOf(`src/cli/commands/${command}.ts`));
    expect([...externals].filter((e) => /^node:(https|tls|dns)/.test(e))).toEqual([]);
  });

  it('loads child_process only when commander spawns (never, for mixcompose)', () => {
    const commander = result.outputFiles.find((f) => f.path === join(outdir, chunkOf('node_modules/commander/lib/command.js').replace(/^dist\/bin\//, '')))!;
    expect(commander.text).toMatch(/childProcess=\{spawn:\(\.\.\.args\)=>__require\("node:child_process"\)\.spawn\(\.\.\.args\)\}/);
    expect(commander.text.match(/__require\("node:child_process"\)/g)).toHaveLength(1);
  });

  it('still bundles what `up` needs (the walk sees packages)', () => {
    const packages = packagesIn(staticClosure(chunkOf('src/cli/commands/up.ts')).inputs);
    expect(packages.has('commander')).toBe(true);
    expect(packagesIn(staticClosure(chunkOf('src/config/load-pipeline.ts')).inputs).has('yaml')).toBe(true);
  });

  // A load the project cache answers (a second `up`, `config`) needs no parser: the pipeline and the
  // yaml package (~160 KB of the ~680 KB `up` read) load only when the cache cannot answer.
  it.each(['up', 'config'])('`%s` starts without the yaml package or the load pipeline', (command) => {
    const { inputs } = staticClosure(chunkOf(`src/cli/commands/${command}.ts`));
    expect(packagesIn(inputs).has('yaml')).toBe(false);
    expect(inputs.has('src/config/load-pipeline.ts')).toBe(false);
    expect(inputs.has('src/config/project-cache.ts')).toBe(true);
  });

  it("finds files relative to a module where tsc's layout has them (resolver/Dockerfile, package.json)", () => {
    const helper = result.outputFiles.find((f) => f.path === join(outdir, chunkOf('src/engine/helper-images.ts').replace(/^dist\/bin\//, '')))!;
    expect(helper.text).toMatch(/new URL\("\.\.\/engine\/helper-images\.js",\s*import\.meta\.url\)/);
    expect(result.outputFiles.some((f) => f.text.includes('import.meta.url') && /new URL\("\.\.\/cli\/commands\/version\.js"/.test(f.text))).toBe(true);
  });

  // `config` loads the yaml writer with import() (yaml-output.ts): a bare import('yaml') of the
  // CommonJS package has no named exports in the bundle, which only running the bundle shows.
  it('prints `config` as YAML when run from a written bundle, from the files and then from the project cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-bundle-'));
    try {
      await bundleCli({ outdir: join(dir, 'bin') });
      writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n');
      const env = { ...process.env, MIXCOMPOSE_CACHE_DIR: join(dir, 'cache') };
      const run = () => execFileSync(process.execPath, [join(dir, 'bin', 'main.js'), '-f', join(dir, 'compose.yaml'), 'config'], { env, encoding: 'utf8' });
      const first = run();
      expect(first).toMatch(/^name: mixcompose-bundle-/);
      expect(first).toContain('image: nginx');
      expect(run()).toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
