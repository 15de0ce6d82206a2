// Bundles the CLI (the package's `bin`) into dist/bin/ with esbuild, after `tsc` wrote dist/.
//
// Why (issue 9): an unbundled `up` opens some 270 modules; resolving and compiling them one by one is
// most of a second `up`'s time. The bundle is ESM with code splitting, so each command still loads
// only its own chunks (`--version` loads one small file, `config` no daemon code). The library
// (`exports`, dist/index.js) stays tsc's output.
//
// - Packages kept outside the bundle: ssh2 (optional native parts), docker-modem and dockerode
//   (loaded only for ssh:// endpoints and BuildKit builds), kubernetes-models (large; `convert` only).
// - Files found relative to a module (resolver/Dockerfile, package.json) stay where tsc's layout
//   puts them: each source file's `import.meta.url` becomes the URL its tsc output has in dist/.
// - commander's `require('node:child_process')` is made lazy (it is only for executable sub-commands,
//   which mixcompose has none of): loading child_process (and the dgram it loads) costs some 10 ms of
//   CPU in every command otherwise.
// - Whitespace and syntax are minified (not names); source maps sit beside the chunks (node --enable-source-maps maps stack traces to src/).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
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

/**
 * Bundles src/cli/main.ts. With `write: false` nothing is written and the result (metafile
 * included) is returned: the unit test reads the chunk graph from it.
 */
export async function bundleCli({ outdir = BIN_DIR, write = true } = {}) {
  return build({
    entryPoints: { main: join(SRC, 'cli', 'main.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    outdir,
    write,
    external: EXTERNAL,
    // Less text to read and pre-parse (issue 9); names are kept for stack traces and `name`s.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    chunkNames: 'chunk-[hash]',
    logLevel: 'warning',
    // CommonJS packages inside an ESM bundle call require() for node's modules.
    banner: { js: "import { createRequire as __mixcomposeCreateRequire } from 'node:module'; const require = __mixcomposeCreateRequire(import.meta.url);" },
    plugins: [metaUrlPlugin(outdir), lazyCommanderChildProcess()],
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  rmSync(BIN_DIR, { recursive: true, force: true });
  mkdirSync(BIN_DIR, { recursive: true });
  await bundleCli();
}
