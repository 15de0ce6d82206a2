// Bundles the CLI (the package's `bin`) into dist/bin/ with esbuild, after `tsc` wrote dist/.
//
// Why (issue 9): an unbundled `up` opens some 270 modules; resolving and compiling them one by one is
// most of a second `up`'s time. Two outputs:
// - dist/bin/main.js (src/cli/main.ts), ESM: the entry. `--version` and `--help` to a pipe answer from
//   it (and a small chunk) without any package; everything else imports start-cli.ts.
// - dist/bin/cli.cjs (src/cli/run-cli.ts): all the rest, one CommonJS bundle that start-cli.ts runs
//   through a V8 code cache (code-cache.ts): node 20 can hand compiled code back only for a script,
//   not for ES modules. Modules reached only by `import()` are still evaluated only when imported
//   (esbuild wraps them in lazy initialisers), so each command runs only its own modules' top level;
//   what a run never calls is never compiled. The file is one function expression (banner and
//   footer below), so the loader hands V8 the file's text as it is; it must be ASCII (checked here):
//   one other character makes node hold the whole text as two-byte characters, slower at each start.
//   It must hold no `import()` either (checked here): a vm script has no loader for it.
// The library (`exports`, dist/index.js) stays tsc's output.
//
// - Packages kept outside the bundle: ssh2 (optional native parts), docker-modem and dockerode
//   (loaded only for ssh:// endpoints and BuildKit builds), kubernetes-models (large; `convert` only).
// - Files found relative to a module (resolver/Dockerfile, package.json) stay where tsc's layout
//   puts them: each source file's `import.meta.url` becomes the URL its tsc output has in dist/.
// - commander's `require('node:child_process')` is made lazy (it is only for executable sub-commands,
//   which mixcompose has none of): loading child_process (and the dgram it loads) costs some 10 ms of
//   CPU in every command otherwise.
// - Whitespace and syntax are minified (not names); source maps sit beside the outputs (node --enable-source-maps maps stack traces to src/).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
export const BIN_DIR = join(DIST, 'bin');

/** Packages the bundle leaves to node_modules. */
export const EXTERNAL = ['ssh2', 'cpu-features', 'docker-modem', 'dockerode', 'kubernetes-models', 'kubernetes-models/*'];

/** `import.meta.url` of src/a/b.ts, as seen from a chunk in `outdir`: the URL of dist/a/b.js. */
function metaUrlPlugin(outdir) {
  return {
    name: 'tsc-layout-import-meta-url',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!args.path.startsWith(SRC + sep) || !text.includes('import.meta.url')) return undefined;
        const emitted = join(DIST, relative(SRC, args.path)).replace(/\.ts$/, '.js');
        const fromChunk = relative(outdir, emitted).split(sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/** The line of commander's command.js that loads child_process, and what it becomes: a lookup at use. */
export const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const LAZY_CHILD_PROCESS = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";

/** commander/lib/command.js without its eager child_process; fails the build if the line moved. */
function lazyCommanderChildProcess() {
  return {
    name: 'commander-lazy-child-process',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(COMMANDER_CHILD_PROCESS)) throw new Error(`${args.path}: "${COMMANDER_CHILD_PROCESS}" not found (commander changed: update bundle-cli.mjs)`);
        const uses = text.match(/childProcess\.(\w+)/g) ?? [];
        if (uses.some((u) => u !== 'childProcess.spawn')) throw new Error(`${args.path}: uses child_process beyond spawn (${[...new Set(uses)].join(', ')}): update bundle-cli.mjs`);
        return { contents: text.replace(COMMANDER_CHILD_PROCESS, LAZY_CHILD_PROCESS), loader: 'js' };
      });
    },
  };
}

/** What the bundle's function receives (code-cache.ts calls it), `import.meta.url` among them. */
const BUNDLE_PARAMETERS = 'exports, require, module, __filename, __dirname, __mixcomposeBundleUrl';

/** The options both outputs share. */
function common(outdir, write) {
  return {
    bundle: true,
    platform: 'node',
    target: 'node20.19',
    write,
    external: EXTERNAL,
    // Less text to read and pre-parse (issue 9); names are kept for stack traces and `name`s.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [metaUrlPlugin(outdir), lazyCommanderChildProcess()],
  };
}

/** Fails the build on a character beyond ASCII in a bundle (see the top of this file). */
function assertAscii(result) {
  for (const file of result.outputFiles ?? []) {
    if (!file.path.endsWith('.js') && !file.path.endsWith('.cjs')) continue;
    const at = file.text.search(/[^\x00-\x7f]/);
    if (at >= 0) throw new Error(`${file.path}: a character beyond ASCII at offset ${at} (${JSON.stringify(file.text.slice(Math.max(0, at - 40), at + 10))}): write it as an escape in the source`);
  }
}

/**
 * Fails the build on an `import()` left in the CLI bundle: it runs as a vm script (code-cache.ts),
 * where `import()` has no loader but node's experimental one. esbuild turns those of bundled modules
 * into lazy initialisers; a package left outside must be loaded with `createRequire(import.meta.url)`.
 */
function assertNoImportCall(result) {
  for (const file of result.outputFiles ?? []) {
    if (!file.path.endsWith('.cjs')) continue;
    const at = file.text.search(/(?<![\w$.])import\s*\(/);
    if (at >= 0) throw new Error(`${file.path}: an import() at offset ${at} (${JSON.stringify(file.text.slice(Math.max(0, at - 40), at + 30))}): load the package with createRequire`);
  }
}

/**
 * Bundles the entry (src/cli/main.ts) and the CLI (src/cli/run-cli.ts). With `write: false`
 * nothing is written and both results (metafiles included) are returned: the unit test reads
 * them. Returns `{ entry, cli }`.
 */
export async function bundleCli({ outdir = BIN_DIR, write = true } = {}) {
  const [entry, cli] = await Promise.all([
    build({
      ...common(outdir, false),
      entryPoints: { main: join(SRC, 'cli', 'main.ts') },
      splitting: true,
      format: 'esm',
      outdir,
      chunkNames: 'chunk-[hash]',
    }),
    build({
      ...common(outdir, false),
      entryPoints: { cli: join(SRC, 'cli', 'run-cli.ts') },
      format: 'cjs',
      outExtension: { '.js': '.cjs' },
      outdir,
      define: { 'import.meta.url': '__mixcomposeBundleUrl' },
      banner: { js: `(function (${BUNDLE_PARAMETERS}) {` },
      footer: { js: '})' },
    }),
  ]);
  assertAscii(entry);
  assertAscii(cli);
  assertNoImportCall(cli);
  if (write) {
    mkdirSync(outdir, { recursive: true });
    for (const file of [...entry.outputFiles, ...cli.outputFiles]) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.contents);
    }
  }
  return { entry, cli };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  rmSync(BIN_DIR, { recursive: true, force: true });
  mkdirSync(BIN_DIR, { recursive: true });
  await bundleCli();
}
