/**
 * Holds the layering line of DESIGN.md: the pure core (config except file reading, model, graph,
 * plan) imports no fs, no dockerode, no listr2/execa and never reads `process`; only
 * the Engine API adapter (engine/docker/, and daemon-endpoints.ts for its modem options) imports
 * dockerode; only cli/ and ui/ print.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const all = files(root).map((full) => ({ path: relative(root, full).split('\\').join('/'), text: readFileSync(full, 'utf8') }));
const importsOf = (text: string) => [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);

/** The file through which the loader reads the disk; everything else in config/ is pure. */
const CONFIG_IO = new Set(['config/read-files.ts', 'config/load-project.ts']);
const pure = all.filter((f) => /^(config|model|graph|plan)\//.test(f.path) && !CONFIG_IO.has(f.path));

describe('layering', () => {
  test('there is a pure core to check', () => {
    expect(pure.length).toBeGreaterThan(0);
  });

  test.each(pure.map((f) => [f.path, f] as const))('%s imports no I/O modules and does not read process', (_path, file) => {
    const bad = importsOf(file.text).filter((m) => /^(node:)?(fs|fs\/promises|child_process|net|http|https|os)$|^(dockerode|docker-modem|listr2|execa|tar-fs)$/.test(m));
    expect(bad).toEqual([]);
    expect(file.text).not.toMatch(/\bprocess\.(env|exit|stdout|stderr|cwd|argv)\b/);
    expect(file.text).not.toMatch(/\bconsole\.(log|error|warn)\(/);
  });

  // config → model → plan: the loader and the planner share only the model (and the graph).
  const mayImport: Record<string, readonly string[]> = {
    model: [],
    graph: ['model'],
    config: ['model', 'graph'],
    plan: ['model', 'graph'],
  };
  test.each(pure.map((f) => [f.path, f] as const))('%s imports only the layers below it', (path, file) => {
    const layer = path.split('/')[0]!;
    const crossings = importsOf(file.text)
      .map((m) => /^\.\.\/([a-z-]+)\//.exec(m)?.[1])
      .filter((target): target is string => target !== undefined && target !== layer);
    expect(crossings.filter((target) => !mayImport[layer]!.includes(target))).toEqual([]);
  });

  test('only the dockerode adapter imports dockerode', () => {
    const importers = all.filter((f) => importsOf(f.text).some((m) => m === 'dockerode' || m === 'docker-modem')).map((f) => f.path);
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((p) => !p.startsWith('engine/docker/') && p !== 'engine/daemon-endpoints.ts')).toEqual([]);
  });

  test('only cli/ and ui/ print or exit', () => {
    const printers = all
      .filter((f) => !/^(cli|ui)\//.test(f.path))
      .filter((f) => /\bprocess\.(exit|stdout\.write|stderr\.write)\b|\bconsole\.(log|error|warn)\(/.test(f.text))
      .map((f) => f.path);
    expect(printers).toEqual([]);
  });
});
