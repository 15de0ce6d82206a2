/**
 * Top-level `include:`: each entry is loaded as its own little project (its relative paths point
 * at its `project_directory`, default the directory of its first file; its `env_file`s, default
 * that directory's `.env`, add variables the including environment does not set), and its
 * services, networks, volumes, secrets and configs are added to the including file. Defining the
 * same resource differently in both is an error, as in compose.
 */
import * as path from 'node:path';
import { isPlainMap, own } from './positions.js';
import { mergeValues, stripTags } from './merge.js';
import { encodingProblem, loadFile, type LoadContext } from './load-pipeline.js';
import { parseEnvFile } from './env-file.js';
import type { VariableLookup } from './interpolate.js';

type Dict = Record<string, unknown>;
const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

export function applyIncludes(ctx: LoadContext, file: string, root: Dict, lookup: VariableLookup, stack: readonly string[]): void {
  const list = root.include;
  delete root.include;
  if (!Array.isArray(list)) return;
  const { positions, issues, fs } = ctx;
  const fileDir = path.dirname(file);
  list.forEach((entry, i) => {
    const keyPath = ['include', i];
    const at = positions.key(list, i);
    const spec: Dict = typeof entry === 'string' ? { path: entry } : isPlainMap(entry) ? entry : {};
    const paths = (Array.isArray(spec.path) ? spec.path : [spec.path]).filter((p): p is string => typeof p === 'string').map((p) => path.resolve(fileDir, p));
    if (paths.length === 0) {
      issues.error('include entry needs a path', at, keyPath);
      return;
    }
    const projectDir = typeof spec.project_directory === 'string' ? path.resolve(fileDir, spec.project_directory) : path.dirname(paths[0]!);
    const envFiles = (Array.isArray(spec.env_file) ? spec.env_file : spec.env_file !== undefined ? [spec.env_file] : [path.join(projectDir, '.env')])
      .map((p) => path.resolve(fileDir, String(p)));
    const fromEnvFiles: Record<string, string> = {};
    for (const envFile of envFiles) {
      const text = fs.readText(envFile);
      if (text === undefined) {
        if (spec.env_file !== undefined) issues.error(`include: env file ${ctx.display(envFile)} not found`, at, keyPath);
        continue;
      }
      const notUtf8 = encodingProblem(ctx, envFile);
      if (notUtf8) {
        issues.error(`include: invalid env file ${ctx.display(envFile)}: line ${notUtf8.line}: ${notUtf8.message}`, at, keyPath);
        continue;
      }
      try {
        for (const line of parseEnvFile(text, lookup)) if (line.value !== undefined) fromEnvFiles[line.key] = line.value;
      } catch (error) {
        issues.error(`include: invalid env file ${ctx.display(envFile)}: ${(error as Error).message}`, at, keyPath);
      }
    }
    const includedLookup: VariableLookup = (name) => lookup(name) ?? own(fromEnvFiles, name);
    let merged: Dict | undefined;
    for (const p of paths) {
      if (stack.includes(p) || p === file) {
        issues.error(`include cycle: ${[...stack, file, p].map(ctx.display).join(' -> ')}`, at, keyPath);
        return;
      }
      if (fs.kind(p) !== 'file') {
        issues.error(`include: file ${ctx.display(p)} not found`, at, keyPath);
        ctx.failedFiles.add(p);
        return;
      }
      const loaded = loadFile(ctx, p, projectDir, includedLookup, [...stack, file], { extendsFromBase: true });
      if (!loaded.ok) return;
      merged = merged === undefined ? (stripTags(loaded.root, positions) as Dict) : (mergeValues(merged, loaded.root, [], positions) as Dict);
    }
    if (!merged) return;
    passThroughFromEnvFiles(merged, includedLookup);
    for (const section of SECTIONS) {
      const incoming = merged[section];
      if (!isPlainMap(incoming)) continue;
      if (!isPlainMap(root[section])) {
        root[section] = {};
        if (at) positions.setNode(root[section] as object, at);
      }
      const target = root[section] as Dict;
      for (const [key, value] of Object.entries(incoming)) {
        if (own(target, key) !== undefined) {
          if (JSON.stringify(stripTags(own(target, key), positions)) !== JSON.stringify(value)) {
            issues.error(`${section}.${key} is defined here and in the included ${ctx.display(paths[0]!)}: rename one of them`, positions.key(target, key) ?? at, [section, key]);
          }
          continue;
        }
        target[key] = value;
        positions.copyKey(incoming, key, target);
      }
    }
  });
}

/**
 * `environment: [VAR]` in an included file takes VAR from the include's env files too (they are
 * that file's environment), as in compose; the including file's services do not see them.
 */
function passThroughFromEnvFiles(included: Dict, lookup: VariableLookup): void {
  if (!isPlainMap(included.services)) return;
  for (const svc of Object.values(included.services)) {
    if (!isPlainMap(svc) || !isPlainMap(svc.environment)) continue;
    for (const [key, value] of Object.entries(svc.environment)) {
      if (value !== null) continue;
      const found = lookup(key);
      if (found !== undefined) svc.environment[key] = found;
    }
  }
}
