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

/** Where an `extends` key is: its position and key path, for the problems reported there. */
interface ExtendsSite {
  readonly at: ReturnType<LoadContext['positions']['locate']>;
  readonly keyPath: string[];
}

/** One file's `extends` resolution: its services, and which are resolved or reported. */
interface ExtendsRun {
  readonly ctx: LoadContext;
  readonly file: string;
  readonly root: Dict;
  readonly services: Dict;
  readonly lookup: VariableLookup;
  readonly state: ReturnType<typeof stateOf>;
  /** Services resolved (with their bases merged in), by name. */
  readonly done: Map<string, Dict>;
  /** Services already reported (a cycle is reported once, at its first member). */
  readonly failed: Set<string>;
}

/**
 * Replaces, in `root`, each service with `extends` by its base with its own keys merged on top;
 * problems (cycles, missing services or files) are reported at the `extends` key.
 */
export function resolveExtends(ctx: LoadContext, file: string, root: Dict, lookup: VariableLookup): void {
  const services = root.services;
  if (!isPlainMap(services)) return;
  const state = stateOf(ctx);
  state.loading.add(file);
  const run: ExtendsRun = { ctx, file, root, services, lookup, state, done: new Map(), failed: new Set() };
  try {
    // Only services with `extends` change; others are resolved (copied) only when used as a base.
    for (const [name, svc] of Object.entries(services)) if (isPlainMap(svc) && svc.extends !== undefined) resolveService(run, name, []);
  } finally {
    state.loading.delete(file);
  }
}

/**
 * Service `name` with its `extends` chain resolved (and written back into the file's services),
 * or undefined when it cannot be (reported). `stack` is the chain of services extending it, for
 * cycle detection.
 */
function resolveService(run: ExtendsRun, name: string, stack: readonly string[]): Dict | undefined {
  const { ctx, root, services, done, failed } = run;
  const { positions, issues } = ctx;
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
  const site: ExtendsSite = { at: positions.locate(root, ['services', name, 'extends']), keyPath: ['services', name, 'extends'] };
  if (stack.includes(name)) {
    reportCycle(run, stack, name);
    return undefined;
  }
  const baseName = typeof ext.service === 'string' ? ext.service : undefined;
  if (!baseName) {
    issues.error('extends needs `service:` (the name of the service to extend)', site.at, site.keyPath);
    return undefined;
  }
  const base =
    typeof ext.file === 'string' && path.resolve(ext.file) !== run.file
      ? baseFromOtherFile(run, ext.file, baseName, site)
      : baseFromThisFile(run, typeof ext.file === 'string' ? ext.file : undefined, baseName, [...stack, name], site);
  if (!base) return undefined;
  const merged = mergeValues(base, withoutExtends(svc, positions), ['services', name], positions) as Dict;
  services[name] = merged;
  done.set(name, merged);
  return merged;
}

/** Reports an `extends` cycle once, at its first member, and marks every member as reported. */
function reportCycle({ ctx, root, failed }: ExtendsRun, stack: readonly string[], name: string): void {
  const cycle = stack.slice(stack.indexOf(name));
  const first = cycle[0]!;
  ctx.issues.error(`extends cycle: ${[...cycle, name].join(' -> ')}`, ctx.positions.locate(root, ['services', first, 'extends']), ['services', first, 'extends']);
  for (const member of cycle) failed.add(member);
}

/** A copy of service `baseName` of another file (loaded with its own paths), without tags. */
function baseFromOtherFile(run: ExtendsRun, other: string, baseName: string, site: ExtendsSite): Dict | undefined {
  const { ctx } = run;
  const loaded = loadOther(run, other, site);
  if (!loaded) return undefined;
  const otherServices = isPlainMap(loaded.root.services) ? loaded.root.services : {};
  const found = own(otherServices, baseName);
  if (!isPlainMap(found)) {
    ctx.issues.error(`extends: service "${baseName}" not found in ${ctx.display(other)}`, site.at, site.keyPath);
    return undefined;
  }
  return stripTags(cloneValue(found, ctx.positions), ctx.positions) as Dict;
}

/**
 * A copy of service `baseName` of this file, itself resolved first (it may extend another).
 * `file` is the `extends.file` when it names this same file, for the message.
 */
function baseFromThisFile(run: ExtendsRun, file: string | undefined, baseName: string, stack: readonly string[], site: ExtendsSite): Dict | undefined {
  const { ctx } = run;
  if (!isPlainMap(own(run.services, baseName))) {
    ctx.issues.error(`extends: service "${baseName}" not found${file !== undefined ? ` in ${ctx.display(file)}` : ''}`, site.at, site.keyPath);
    return undefined;
  }
  const resolved = resolveService(run, baseName, stack);
  if (!resolved) return undefined;
  return cloneValue(resolved, ctx.positions) as Dict;
}

/** The service's own keys but `extends`, positions kept, to merge on top of its base. */
function withoutExtends(svc: Dict, positions: LoadContext['positions']): Dict {
  const local: Dict = {};
  positions.inherit(svc, local);
  for (const [k, v] of Object.entries(svc)) {
    if (k === 'extends') continue;
    local[k] = v;
    positions.copyKey(svc, k, local);
  }
  return local;
}

/**
 * Another file named by `extends.file`, loaded once per load (with its own directory for relative
 * paths); undefined (reported) when it is missing, failed, or is being loaded (a cycle of files).
 */
function loadOther({ ctx, file, lookup, state }: ExtendsRun, other: string, site: ExtendsSite): LoadedFile | undefined {
  const { issues } = ctx;
  const cached = state.cache.get(other);
  if (cached) return cached.ok ? cached : undefined;
  if (state.loading.has(other)) {
    issues.error(`extends cycle between files: ${ctx.display(file)} -> ${ctx.display(other)}`, site.at, site.keyPath);
    return undefined;
  }
  if (ctx.fs.kind(other) !== 'file') {
    issues.error(`extends: file ${ctx.display(other)} not found`, site.at, site.keyPath);
    ctx.failedFiles.add(other);
    return undefined;
  }
  const loaded = loadFile(ctx, other, path.dirname(other), lookup, [], { forExtends: true });
  state.cache.set(other, loaded);
  return loaded.ok ? loaded : undefined;
}
