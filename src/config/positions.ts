/**
 * Source positions for values of the loaded (plain JS) tree. The YAML is turned into plain
 * objects early, so positions are kept beside them: for each object/array, where each of its
 * keys (or items) was written. Merging and normalizing copy these entries, so an error found
 * late (a semantic check on the merged model) can still name the file, line and column.
 */
import type { SourcePosition } from '../model/project.js';

export type KeyPath = readonly (string | number)[];

export class PositionIndex {
  private readonly keys = new WeakMap<object, Map<string | number, SourcePosition>>();
  private readonly nodes = new WeakMap<object, SourcePosition>();

  setKey(container: object, key: string | number, position: SourcePosition): void {
    let map = this.keys.get(container);
    if (!map) this.keys.set(container, (map = new Map()));
    map.set(key, position);
  }

  key(container: object, key: string | number): SourcePosition | undefined {
    return this.keys.get(container)?.get(key);
  }

  setNode(node: object, position: SourcePosition): void {
    this.nodes.set(node, position);
  }

  node(node: object): SourcePosition | undefined {
    return this.nodes.get(node);
  }

  /** Copies the position of `from[fromKey]` (and of the value itself) onto `to[toKey]`. */
  copyKey(from: object, fromKey: string | number, to: object, toKey: string | number = fromKey): void {
    const pos = this.key(from, fromKey);
    if (pos) this.setKey(to, toKey, pos);
  }

  /** Gives `target` (a rebuilt value) the node position of `source`, and every key of it too. */
  inherit(source: unknown, target: object, fallback?: SourcePosition): void {
    const pos = (isObject(source) ? this.node(source) : undefined) ?? fallback;
    if (!pos) return;
    this.setNode(target, pos);
    for (const k of Object.keys(target)) if (!this.key(target, k)) this.setKey(target, k, pos);
  }

  /**
   * The most specific known position for `path` under `root`: walks down as far as the
   * tree and the index allow. Array items may also be found by their string value.
   */
  locate(root: unknown, path: KeyPath): SourcePosition | undefined {
    let node: unknown = root;
    let best = isObject(root) ? this.node(root) : undefined;
    for (const step of path) {
      if (!isObject(node)) break;
      let key: string | number | undefined = step;
      if (Array.isArray(node) && typeof step === 'string') {
        const i = node.findIndex((item) => item === step || (typeof item === 'string' && item.split(/[:=]/)[0] === step));
        key = i >= 0 ? i : undefined;
      }
      if (key === undefined) break;
      const pos = this.key(node, key);
      if (pos) best = pos;
      node = (node as Record<string | number, unknown>)[key];
      if (isObject(node)) {
        const np = this.node(node);
        if (np && !pos) best = np;
      }
    }
    return best;
  }
}

export function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** `record[key]` only when it is the record's own entry (so names like `constructor` are safe). */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Tagged);
}

/** A value written with a compose merge tag: `!reset` (drop the inherited value) or `!override` (replace, do not merge). */
export class Tagged {
  constructor(
    readonly tag: 'reset' | 'override',
    readonly value: unknown,
  ) {}
}
