/**
 * Start-up cost is mostly module loading (issue 9): every module a command's static import graph
 * reaches is read and compiled before the command does anything. These tests walk the static
 * imports of src/ (type-only imports and `import()` excluded: those cost nothing until used) from a
 * command's entry and hold the heavy packages out of the paths that do not need them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const src = join(import.meta.dirname, '..', '..', '..', 'src');

/** The specifiers a file loads when it is evaluated: value imports and re-exports, not types. */
export function staticImports(text: string, fileName = 'file.ts'): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      // `import { type A, type B } from 'x'` is elided by tsc unless something is a value.
      const onlyTypes = clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (onlyTypes) continue;
      out.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      out.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out;
}

const parsed = new Map<string, string[]>();
const importsOfFile = (file: string): string[] => {
  let specs = parsed.get(file);
  if (!specs) parsed.set(file, (specs = staticImports(readFileSync(file, 'utf8'), file)));
  return specs;
};

/** Every package (bare specifier, node: builtins aside) the static graph from `entry` reaches, with the path to it. */
function packagesReached(entry: string): Map<string, string[]> {
  const parent = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  const packages = new Map<string, string[]>();
  const chain = (file: string | undefined): string[] => {
    const out: string[] = [];
    for (let f = file; f; f = parent.get(f)) out.unshift(relative(src, f));
    return out;
  };
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const spec of importsOfFile(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (!existsSync(target)) throw new Error(`${relative(src, file)} imports ${spec}, which is not in src/`);
        if (!parent.has(target)) {
          parent.set(target, file);
          queue.push(target);
        }
      } else if (!spec.startsWith('node:')) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!packages.has(name)) packages.set(name, chain(file));
      }
    }
  }
  return packages;
}

/** Loaded only by the operations that need them (a build, a credential helper, ssh, BuildKit, the live tty view). */
const HEAVY = ['execa', 'ssh2', 'tar-fs', 'tar-stream', '@balena/dockerignore', 'dockerode', 'kubernetes-models', 'ajv', 'listr2'];

describe('static module graph', () => {
  test('staticImports skips type-only imports and keeps value imports and re-exports', () => {
    const text = [
      "import type { A } from 'a';",
      "import { type B, type C } from 'b';",
      "import { type D, e } from 'c';",
      "import f from 'd';",
      "import 'e';",
      "export { g } from 'f';",
      "export type { H } from 'g';",
      "const later = () => import('h');",
    ].join('\n');
    expect(staticImports(text)).toEqual(['c', 'd', 'e', 'f']);
  });

  test('main.ts (--version, --help) loads no package at all', () => {
    expect([...packagesReached(join(src, 'cli', 'main.ts')).keys()]).toEqual([]);
  });

  test.each(['up', 'down', 'ps', 'config', 'plan', 'start', 'stop'])('`%s` loads none of the heavy packages statically', (command) => {
    const reached = packagesReached(join(src, 'cli', 'commands', `${command}.ts`));
    const heavy = HEAVY.filter((name) => reached.has(name)).map((name) => `${name} via ${reached.get(name)!.join(' > ')}`);
    expect(heavy).toEqual([]);
  });

  test('the walk does find packages (up loads commander, the load pipeline yaml)', () => {
    const reached = packagesReached(join(src, 'cli', 'commands', 'up.ts'));
    expect(reached.has('commander')).toBe(true);
    expect(packagesReached(join(src, 'config', 'load-pipeline.ts')).has('yaml')).toBe(true);
  });

  // The yaml package loads with the pipeline, when the project cache cannot answer (load-project.ts).
  test.each(['up', 'down', 'ps', 'config'])('`%s` does not load yaml statically', (command) => {
    expect(packagesReached(join(src, 'cli', 'commands', `${command}.ts`)).get('yaml')).toBeUndefined();
  });
});
