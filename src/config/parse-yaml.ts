/**
 * YAML text → plain JS tree, with a position for every key and item (kept in a PositionIndex),
 * anchors/aliases expanded, `<<` merge keys applied, and `!reset` / `!override` kept as Tagged.
 */
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, isPair, type Node, type Document } from 'yaml';
import type { SourcePosition } from '../model/project.js';
import { Tagged, PositionIndex, isPlainMap } from './positions.js';
import type { IssueList } from './issues.js';

/** Guards against alias bombs ("billion laughs"): no compose file needs this many values. */
const MAX_VALUES = 2_000_000;

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
      const target = node.resolve(doc);
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
          const value = convert(s, depth + 1, keyPath);
          if (value === null && isAlias(s)) continue; // unknown alias, already reported
          if (!isPlainMap(value)) {
            issues.error('`<<` merge key expects a mapping or a list of mappings', at((s as Node)?.range?.[0]));
            continue;
          }
          for (const [k, v] of Object.entries(value)) {
            if (explicit.has(k) || Object.prototype.hasOwnProperty.call(out, k)) continue;
            setOwn(out, k, v);
            positions.copyKey(value, k, out);
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
