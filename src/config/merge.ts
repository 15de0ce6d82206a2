/**
 * Compose merge rules, for repeated -f files and for `extends` (both operate on the per-file
 * canonical form, see canonical.ts):
 * - mappings merge key by key, recursively;
 * - `command`, `entrypoint`, `healthcheck.test` are replaced, never merged;
 * - sequences are appended, with entries that identify the same thing replaced by the later one:
 *   ports (by host ip + published + target + protocol), volumes (by target), secrets and configs
 *   (by target, else source), anything else by equal value;
 * - `!reset` drops the inherited value, `!override` replaces it without merging.
 * Positions of the winning keys are carried over, so errors point at the file that set the value.
 */
import { Tagged, isPlainMap, type PositionIndex } from './positions.js';
import { setOwn } from './parse-yaml.js';

type Dict = Record<string, unknown>;
type Path = readonly string[];

const REPLACED = new Set(['services.*.command', 'services.*.entrypoint', 'services.*.healthcheck.test']);

function pattern(path: Path): string {
  return path.map((p, i) => (i === 1 && (path[0] === 'services' || path[0] === 'networks' || path[0] === 'volumes') ? '*' : p)).join('.');
}

/** Lists or mappings of `key=value` that merge key by key (the later value wins), whatever form each file uses. */
const KEY_VALUE = new Set([
  'services.*.deploy.labels',
  'networks.*.labels',
  'volumes.*.labels',
  'secrets.*.labels',
  'configs.*.labels',
  'services.*.build.args',
  'services.*.build.labels',
  'services.*.annotations',
  'services.*.sysctls',
]);

/** `[K=V, K]` → `{K: V, K: null}`; a mapping stays as it is. */
function asKeyValueMap(value: unknown, positions: PositionIndex): unknown {
  if (!Array.isArray(value)) return value;
  const out: Dict = {};
  positions.inherit(value, out);
  value.forEach((item, i) => {
    const text = String(item);
    const eq = text.indexOf('=');
    setOwn(out, eq < 0 ? text : text.slice(0, eq), eq < 0 ? null : text.slice(eq + 1));
    positions.copyKey(value, i, out, eq < 0 ? text : text.slice(0, eq));
  });
  return out;
}

/** The container path of a `devices` entry (`src:dst[:perm]` or `{source, target}`). */
function deviceTarget(item: unknown): string {
  if (isPlainMap(item)) return String(item.target);
  const parts = String(item).split(':');
  return parts[1] ?? parts[0]!;
}

function identity(path: Path, item: unknown): string {
  const pat = pattern(path);
  if (pat === 'services.*.devices') return `device:${deviceTarget(item)}`;
  if (isPlainMap(item)) {
    if (pat === 'services.*.volumes') return `target:${String(item.target)}`;
    // As compose: by target, a secret without one at /run/secrets/<source>, a config at /<source>.
    if (pat === 'services.*.secrets') return `ref:${typeof item.target === 'string' ? item.target : `/run/secrets/${String(item.source)}`}`;
    if (pat === 'services.*.configs') return `ref:${typeof item.target === 'string' ? item.target : `/${String(item.source)}`}`;
    if (pat === 'networks.*.ipam.config' && item.subnet !== undefined) return `subnet:${String(item.subnet)}`;
    if (pat === 'services.*.ports') {
      return `port:${String(item.host_ip ?? '')}|${String(item.published ?? '')}|${String(item.target)}|${String(item.protocol ?? 'tcp')}`;
    }
    if (pat === 'services.*.env_file') return `env:${String(item.path)}`;
  }
  return JSON.stringify(item);
}

/**
 * `build` mappings whose `context` was not written (canonical form set it to the file's directory):
 * merged onto a build that has one, they keep that one, as in compose (`build: {target: x}` in an
 * override or an extending service does not move the context).
 */
export const defaultedContexts = new WeakSet<object>();

/** Removes merge tags from a value that has nothing to merge with (`!reset` keys disappear). */
export function stripTags(value: unknown, positions: PositionIndex): unknown {
  if (value instanceof Tagged) return value.tag === 'reset' ? undefined : stripTags(value.value, positions);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = stripTags(value[i], positions);
    return value;
  }
  if (isPlainMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      const s = stripTags(v, positions);
      if (s === undefined && v instanceof Tagged) delete value[k];
      else value[k] = s;
    }
    return value;
  }
  return value;
}

/** Merges `over` onto `base` (both canonical, tags allowed in `over`), returning a new value. */
export function mergeValues(base: unknown, over: unknown, path: Path, positions: PositionIndex): unknown {
  if (over instanceof Tagged) return over.tag === 'reset' ? undefined : stripTags(over.value, positions);
  if (base === undefined || base instanceof Tagged) return stripTags(over, positions);
  if (REPLACED.has(pattern(path))) return stripTags(over, positions);
  if (KEY_VALUE.has(pattern(path))) {
    base = asKeyValueMap(base, positions);
    over = asKeyValueMap(over, positions);
  }
  if (isPlainMap(base) && isPlainMap(over)) {
    const out: Dict = {};
    const bp = positions.node(base);
    const op = positions.node(over);
    if (op ?? bp) positions.setNode(out, (op ?? bp)!);
    for (const [k, v] of Object.entries(base)) {
      setOwn(out, k, v);
      positions.copyKey(base, k, out);
    }
    const keepContext = defaultedContexts.has(over) && pattern(path) === 'services.*.build' && base.context !== undefined;
    for (const [k, v] of Object.entries(over)) {
      if (k === 'context' && keepContext) continue;
      const merged = mergeValues(base[k], v, [...path, k], positions);
      if (merged === undefined) delete out[k];
      else setOwn(out, k, merged);
      positions.copyKey(over, k, out);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    const out: unknown[] = [];
    positions.inherit(over, out);
    const index = new Map<string, number>();
    const add = (item: unknown, from: unknown[], i: number) => {
      const id = identity(path, item);
      const at = index.get(id);
      if (at !== undefined) {
        // Two IPAM pools of one subnet are one pool, their settings merged.
        out[at] = id.startsWith('subnet:') && from === over ? mergeValues(out[at], item, [...path, String(at)], positions) : item;
        positions.copyKey(from, i, out, at);
      } else {
        index.set(id, out.length);
        positions.copyKey(from, i, out, out.length);
        out.push(item);
      }
    };
    base.forEach((item, i) => add(item, base, i));
    over.forEach((item, i) => add(stripTags(item, positions), over, i));
    return out;
  }
  return stripTags(over, positions);
}

/** Deep copy that keeps positions (so a base service can be reused by several `extends`). */
export function cloneValue(value: unknown, positions: PositionIndex): unknown {
  if (value instanceof Tagged) return new Tagged(value.tag, cloneValue(value.value, positions));
  if (Array.isArray(value)) {
    const out = value.map((v) => cloneValue(v, positions));
    const np = positions.node(value);
    if (np) positions.setNode(out, np);
    value.forEach((_, i) => positions.copyKey(value, i, out));
    return out;
  }
  if (isPlainMap(value)) {
    const out: Dict = {};
    const np = positions.node(value);
    if (np) positions.setNode(out, np);
    if (defaultedContexts.has(value)) defaultedContexts.add(out);
    for (const [k, v] of Object.entries(value)) {
      setOwn(out, k, cloneValue(v, positions));
      positions.copyKey(value, k, out);
    }
    return out;
  }
  return value;
}
