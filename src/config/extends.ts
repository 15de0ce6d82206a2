/**
 * `extends: name` / `extends: {service, file}`: the service is its base (resolved recursively,
 * possibly from another file whose relative paths point at that file's directory) with its own
 * keys merged on top by the compose merge rules (`!reset` / `!override` included).
 * Like docker compose v2 (compose-go), everything is inherited, `depends_on` and `volumes_from`
 * included (older Compose documentation said they were not); `!override` / `!reset` replace them.
 */
import * as path from 'node:path';
import { isPlainMap, own } from './positions.js';
import { cloneValue, mergeValues, stripTags } from './merge.js';
import type { LoadContext, LoadedFile } from './load-pipeline.js';
import { loadFile } from './load-pipeline.js';
import type { VariableLookup } from './interpolate.js';

type Dict = Record<string, unknown>;

/** Per load: other files loaded for `extends`, and those being loaded (cycle detection). */
const otherFiles = new WeakMap<LoadContext, { cache: Map<string, LoadedFile>; loading: Set<string> }>();

function stateOf(ctx: LoadContext) {
  let s = otherFiles.get(ctx);
  if (!s) otherFiles.set(ctx, (s = { cache: new Map(), loading: new Set() }));
  return s;
}

export function resolveExtends(ctx: LoadContext, file: string, root: Dict, lookup: VariableLookup): void {
  const services = root.services;
  if (!isPlainMap(services)) return;
  const { positions, issues } = ctx;
  const state = stateOf(ctx);
  state.loading.add(file);
  const done = new Map<string, Dict>();
  /** Services already reported (a cycle is reported once, at its first member). */
  const failed = new Set<string>();

  const resolve = (name: string, stack: readonly string[]): Dict | undefined => {
    const cached = done.get(name);
    if (cached) return cached;
    if (failed.has(name)) return undefined;
    const svc = own(services, name);
    if (!isPlainMap(svc)) return undefined;
    const ext = svc.extends;
    if (!isPlainMap(ext)) {
      const plain = stripTags(cloneValue(svc, positions), positions) as Dict;
      done.set(name, plain);
      return plain;
    }
    const at = positions.locate(root, ['services', name, 'extends']);
    const keyPath = ['services', name, 'extends'];
    if (stack.includes(name)) {
      const cycle = stack.slice(stack.indexOf(name));
      const first = cycle[0]!;
      issues.error(`extends cycle: ${[...cycle, name].join(' -> ')}`, positions.locate(root, ['services', first, 'extends']), ['services', first, 'extends']);
      for (const member of cycle) failed.add(member);
      return undefined;
    }
    const baseName = typeof ext.service === 'string' ? ext.service : undefined;
    if (!baseName) {
      issues.error('extends needs `service:` (the name of the service to extend)', at, keyPath);
      return undefined;
    }
    let base: Dict | undefined;
    if (typeof ext.file === 'string' && path.resolve(ext.file) !== file) {
      const other = loadOther(ext.file, at, keyPath);
      if (!other) return undefined;
      const otherServices = isPlainMap(other.root.services) ? other.root.services : {};
      const found = own(otherServices, baseName);
      if (!isPlainMap(found)) {
        issues.error(`extends: service "${baseName}" not found in ${ctx.display(ext.file)}`, at, keyPath);
        return undefined;
      }
      base = stripTags(cloneValue(found, positions), positions) as Dict;
    } else {
      if (!isPlainMap(own(services, baseName))) {
        issues.error(`extends: service "${baseName}" not found${typeof ext.file === 'string' ? ` in ${ctx.display(ext.file)}` : ''}`, at, keyPath);
        return undefined;
      }
      const resolved = resolve(baseName, [...stack, name]);
      if (!resolved) return undefined;
      base = cloneValue(resolved, positions) as Dict;
    }
    const local: Dict = {};
    positions.inherit(svc, local);
    for (const [k, v] of Object.entries(svc)) {
      if (k === 'extends') continue;
      local[k] = v;
      positions.copyKey(svc, k, local);
    }
    const merged = mergeValues(base, local, ['services', name], positions) as Dict;
    services[name] = merged;
    done.set(name, merged);
    return merged;
  };

  const loadOther = (other: string, at: ReturnType<typeof positions.locate>, keyPath: string[]): LoadedFile | undefined => {
    const cached = state.cache.get(other);
    if (cached) return cached.ok ? cached : undefined;
    if (state.loading.has(other)) {
      issues.error(`extends cycle between files: ${ctx.display(file)} -> ${ctx.display(other)}`, at, keyPath);
      return undefined;
    }
    if (ctx.fs.kind(other) !== 'file') {
      issues.error(`extends: file ${ctx.display(other)} not found`, at, keyPath);
      ctx.failedFiles.add(other);
      return undefined;
    }
    const loaded = loadFile(ctx, other, path.dirname(other), lookup, [], { forExtends: true });
    state.cache.set(other, loaded);
    return loaded.ok ? loaded : undefined;
  };

  try {
    // Only services with `extends` change; others are resolved (copied) only when used as a base.
    for (const [name, svc] of Object.entries(services)) if (isPlainMap(svc) && svc.extends !== undefined) resolve(name, []);
  } finally {
    state.loading.delete(file);
  }
}
