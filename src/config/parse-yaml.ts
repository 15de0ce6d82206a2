/**
 * YAML text → plain JS tree, with a position for every key and item (kept in a PositionIndex),
 * anchors/aliases expanded, `<<` merge keys applied, and `!reset` / `!override` kept as Tagged.
 */
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, isPair, visit, type Alias, type Node, type Document } from 'yaml';
import type { SourcePosition } from '../model/project.js';
import { Tagged, PositionIndex, isPlainMap } from './positions.js';
import type { IssueList } from './issues.js';

/** Guards against alias bombs ("billion laughs"): no compose file needs this many values. */
const MAX_VALUES = 2_000_000;
/**
 * The yaml library's cap on alias expansion (anchor uses × aliases nested in the anchor). 100 000
 * lets four levels of ten-fold aliasing through (10^5 values; go-yaml, as used by docker compose,
 * allows about as much) and stops a deeper "billion laughs" in milliseconds.
 */
const MAX_ALIAS_COUNT = 100_000;

export interface ParsedFile {
  /** The document's top-level mapping (empty object when the file could not be used). */
  readonly root: Record<string, unknown>;
  readonly ok: boolean;
  /** Whether the text can hold merge tags at all (so later steps may skip looking for them). */
  readonly tagged: boolean;
}

export function parseYamlFile(text: string, file: string, positions: PositionIndex, issues: IssueList): ParsedFile {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    // Duplicate keys are found below (to name the key path), not by the yaml library.
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, merge: false, strict: false });
  } catch (error) {
    issues.error(`cannot parse YAML: ${(error as Error).message}`, { file, line: 1, col: 1 });
    return { root: {}, ok: false, tagged: false };
  }
  const at = (offset: number | undefined): SourcePosition => {
    const p = lineCounter.linePos(offset ?? 0);
    return { file, line: p.line, col: p.col };
  };
  // Errors found at the end of the text (an unclosed quote) are shown on the last line with content.
  const atContent = (offset: number): SourcePosition => {
    let end = Math.min(offset, text.length);
    while (end > 0 && /\s/.test(text[end - 1]!) && /^\s*$/.test(text.slice(end))) end--;
    return at(end < offset ? Math.max(0, end - 1) : offset);
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) issues.error(`invalid YAML: ${yamlMessage(e.message)}`, atContent(e.pos[0]));
    return { root: {}, ok: false, tagged: false };
  }
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    issues.error('the file is empty: expected a mapping with `services`', { file, line: 1, col: 1 });
    return { root: {}, ok: false, tagged: false };
  }
  const contents = doc.contents as Node;
  if (!isMap(contents)) {
    issues.error('the top level must be a mapping (keys like `services:`)', at(contents.range?.[0]));
    return { root: {}, ok: false, tagged: false };
  }
  const targets = aliasTargets(doc);
  if (targets.size > 0) {
    const bomb = excessiveAlias(doc, targets);
    if (bomb) {
      issues.error(`the document expands aliases too much (like a "billion laughs" attack): *${bomb.source} here stands for about ${bomb.size.toExponential(0)} values; refusing to load it`, at(bomb.range?.[0]));
      return { root: {}, ok: false, tagged: false };
    }
  }
  let count = 0;
  let failed = false;
  let duplicates = false;
  const reportedDuplicates = new Set<Node>();
  const convert = (node: unknown, depth: number, keyPath: (string | number)[]): unknown => {
    if (failed) return null;
    if (++count > MAX_VALUES || depth > 500) {
      failed = true;
      issues.error('the document expands to too many values (alias expansion); refusing to load it', { file, line: 1, col: 1 });
      return null;
    }
    if (node === null || node === undefined) return null; // `{a}`: a key without a value
    if (isAlias(node)) {
      const target = targets.get(node);
      if (!target) {
        issues.error(`unknown alias *${node.source}`, at(node.range?.[0]));
        return null;
      }
      return convert(target, depth + 1, keyPath);
    }
    const tag = (node as { tag?: string }).tag;
    const wrap = (value: unknown) =>
      tag === '!reset' ? new Tagged('reset', value) : tag === '!override' ? new Tagged('override', value) : value;
    if (isScalar(node)) {
      if (tag === '!reset') return new Tagged('reset', null);
      let v = node.value;
      if (typeof v === 'bigint') v = Number(v);
      // Like docker compose (go-yaml), a plain `0440` is octal (file modes of secrets and configs).
      if (node.type === 'PLAIN' && typeof node.source === 'string' && /^[-+]?0[0-7]+$/.test(node.source)) v = parseInt(node.source, 8);
      return wrap(v);
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      positions.setNode(out, at(node.range?.[0]));
      node.items.forEach((item, i) => {
        out.push(convert(item, depth + 1, [...keyPath, i]));
        positions.setKey(out, i, at((item as Node)?.range?.[0]));
      });
      return wrap(out);
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      positions.setNode(out, at(node.range?.[0]));
      const explicit = new Set<string>();
      const merges: unknown[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const rawKey = isScalar(keyNode) ? keyNode.value : keyNode === null ? '' : undefined;
        if (rawKey === undefined) {
          issues.error('mapping keys must be plain values, not collections', at(keyNode?.range?.[0]));
          continue;
        }
        const key = String(rawKey);
        if (key === '__proto__') {
          issues.error('the key "__proto__" is not allowed', at(keyNode?.range?.[0]));
          continue;
        }
        if (key === '<<' && isScalar(keyNode) && keyNode.type === 'PLAIN') {
          merges.push(pair.value);
          continue;
        }
        if (explicit.has(key)) {
          // A key written twice (an anchor used many times is reported once).
          if (!reportedDuplicates.has(keyNode!)) {
            reportedDuplicates.add(keyNode!);
            issues.error(`duplicate key "${key}"`, at(keyNode?.range?.[0]), [...keyPath, key]);
          }
          duplicates = true;
          continue;
        }
        explicit.add(key);
        setOwn(out, key, convert(pair.value, depth + 1, [...keyPath, key]));
        positions.setKey(out, key, at(keyNode?.range?.[0]));
      }
      // `<<: *a` / `<<: [*a, *b]`: keys written explicitly win; earlier sources win over later ones.
      for (const source of merges) {
        const sources = isSeq(source) ? source.items : [source];
        for (const s of sources) {
          const converted = convert(s, depth + 1, keyPath);
          if (converted === null && isAlias(s)) continue; // unknown alias, already reported
          // An alias may name a list of mappings too (`x: &l [{…}]`, `<<: *l`), as in compose-go.
          const values = isSeq(source) || !Array.isArray(converted) ? [converted] : (converted as unknown[]);
          for (const value of values) {
            if (!isPlainMap(value)) {
              issues.error('`<<` merge key expects a mapping or a list of mappings', at((s as Node)?.range?.[0]));
              break;
            }
            for (const [k, v] of Object.entries(value)) {
              if (explicit.has(k) || Object.prototype.hasOwnProperty.call(out, k)) continue;
              setOwn(out, k, v);
              positions.copyKey(value, k, out);
            }
          }
        }
      }
      return wrap(out);
    }
    return null;
  };
  const root = convert(contents, 0, []);
  if (failed || duplicates || !isPlainMap(root)) return { root: {}, ok: false, tagged: false };
  return { root, ok: true, tagged: text.includes('!reset') || text.includes('!override') };
}

/** Assigns even keys like `__proto__` as own data properties. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** The yaml library's message without its trailing code frame. */
function yamlMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Each alias → the node it stands for (the last anchor of its name before it), found in one pass. */
function aliasTargets(doc: Document.Parsed): Map<Alias, Node> {
  const anchors = new Map<string, Node>();
  const out = new Map<Alias, Node>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) out.set(node, target);
      } else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return out;
}

/**
 * The alias whose expansion makes the yaml library refuse the document (its maxAliasCount), with
 * the number of values it stands for; undefined when the document is fine.
 */
function excessiveAlias(doc: Document.Parsed, targets: Map<Alias, Node>): { source: string; range: Alias['range']; size: number } | undefined {
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return undefined;
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias count/i.test(error.message)) return undefined;
  }
  // Values per node, each anchor counted once (memoized), to name the worst alias and its line.
  const sizes = new Map<Node, number>();
  const sizeOf = (node: unknown): number => {
    if (node === null || typeof node !== 'object') return 1;
    const n = node as Node;
    const known = sizes.get(n);
    if (known !== undefined) return known;
    sizes.set(n, 1); // a cycle counts once
    let size = 1;
    if (isAlias(n)) size = sizeOf(targets.get(n));
    else if (isSeq(n)) for (const item of n.items) size += sizeOf(item);
    else if (isMap(n)) for (const pair of n.items) size += sizeOf(pair.key) + sizeOf(pair.value);
    sizes.set(n, Math.min(size, Number.MAX_SAFE_INTEGER));
    return size;
  };
  let worst: { source: string; range: Alias['range']; size: number } | undefined;
  for (const alias of targets.keys()) {
    const size = sizeOf(alias);
    if (!worst || size > worst.size) worst = { source: alias.source, range: alias.range, size };
  }
  return worst;
}
