/**
 * YAML text → plain JS tree, with a position for every key and item (kept in a PositionIndex),
 * anchors/aliases expanded, `<<` merge keys applied, and `!reset` / `!override` kept as Tagged.
 */
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, isPair, visit, type Alias, type Node, type Document, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
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

/**
 * Parses one compose file. Problems go to `issues` (each naming the file, line and column); a file
 * with any problem comes back as `ok: false` with an empty root, so later steps need not guard it.
 * The steps run in a fixed order: syntax, document shape, alias bombs, then conversion.
 */
export function parseYamlFile(text: string, file: string, positions: PositionIndex, issues: IssueList): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseOrReport(text, file, lineCounter, issues);
  if (!doc) return unusableFile();
  const locate = sourceLocator(text, file, lineCounter);
  const contents = topLevelMapping(doc, file, locate, issues);
  if (!contents) return unusableFile();
  const targets = aliasTargets(doc);
  if (reportedAliasBomb(doc, targets, locate.at, issues)) return unusableFile();
  const conversion: Conversion = { file, targets, positions, issues, at: locate.at, count: 0, failed: false, duplicates: false, reportedDuplicates: new Set() };
  const root = convertNode(conversion, contents, 0, []);
  if (conversion.failed || conversion.duplicates || !isPlainMap(root)) return unusableFile();
  return { root, ok: true, tagged: text.includes('!reset') || text.includes('!override') };
}

/** What a file with problems parses to: a fresh empty root (callers may fill it in). */
function unusableFile(): ParsedFile {
  return { root: {}, ok: false, tagged: false };
}

/** The yaml library's document, or undefined after reporting why it threw (line 1: it gives no position). */
function parseOrReport(text: string, file: string, lineCounter: LineCounter, issues: IssueList): Document.Parsed | undefined {
  try {
    // Duplicate keys are found while converting (to name the key path), not by the yaml library.
    return parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, merge: false, strict: false });
  } catch (error) {
    issues.error(`cannot parse YAML: ${(error as Error).message}`, { file, line: 1, col: 1 });
    return undefined;
  }
}

/** Turns text offsets into positions in `file`. */
interface SourceLocator {
  /** The position of an offset (the start of the file when the node has no range). */
  readonly at: (offset: number | undefined) => SourcePosition;
  /** Like `at`, but an offset in trailing whitespace moves back to the last line with content. */
  readonly atContent: (offset: number) => SourcePosition;
}

function sourceLocator(text: string, file: string, lineCounter: LineCounter): SourceLocator {
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
  return { at, atContent };
}

/**
 * The document's top-level mapping, or undefined after reporting why there is none: syntax errors
 * (all of them), an empty file, or a top level that is not a mapping.
 */
function topLevelMapping(doc: Document.Parsed, file: string, locate: SourceLocator, issues: IssueList): YAMLMap | undefined {
  if (doc.errors.length > 0) {
    for (const e of doc.errors) issues.error(`invalid YAML: ${yamlMessage(e.message)}`, locate.atContent(e.pos[0]));
    return undefined;
  }
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    issues.error('the file is empty: expected a mapping with `services`', { file, line: 1, col: 1 });
    return undefined;
  }
  const contents = doc.contents as Node;
  if (!isMap(contents)) {
    issues.error('the top level must be a mapping (keys like `services:`)', locate.at(contents.range?.[0]));
    return undefined;
  }
  return contents;
}

/** Reports the worst alias of a document that expands too much, before converting it; true when it did. */
function reportedAliasBomb(doc: Document.Parsed, targets: Map<Alias, Node>, at: SourceLocator['at'], issues: IssueList): boolean {
  if (targets.size === 0) return false;
  const bomb = excessiveAlias(doc, targets);
  if (!bomb) return false;
  issues.error(`the document expands aliases too much (like a "billion laughs" attack): *${bomb.source} here stands for about ${bomb.size.toExponential(0)} values; refusing to load it`, at(bomb.range?.[0]));
  return true;
}

/** The state of one file's conversion from yaml nodes to a plain tree, shared by the convert* steps. */
interface Conversion {
  readonly file: string;
  /** Each alias → the node it stands for (see aliasTargets). */
  readonly targets: Map<Alias, Node>;
  readonly positions: PositionIndex;
  readonly issues: IssueList;
  readonly at: SourceLocator['at'];
  /** Values made so far (aliases expanded), held under MAX_VALUES. */
  count: number;
  /** Set when the document expanded too far: every later step returns null at once. */
  failed: boolean;
  /** Set when a key was written twice: the file is then unusable. */
  duplicates: boolean;
  /** Key nodes already reported as duplicates (an anchor used many times is reported once). */
  readonly reportedDuplicates: Set<Node>;
}

/**
 * One yaml node → a plain value, aliases expanded. Counts every value and the depth so that an alias
 * expansion the bomb check let through still stops (once, with one error) instead of running away.
 */
function convertNode(c: Conversion, node: unknown, depth: number, keyPath: (string | number)[]): unknown {
  if (c.failed) return null;
  if (++c.count > MAX_VALUES || depth > 500) {
    c.failed = true;
    c.issues.error('the document expands to too many values (alias expansion); refusing to load it', { file: c.file, line: 1, col: 1 });
    return null;
  }
  if (node === null || node === undefined) return null; // `{a}`: a key without a value
  if (isAlias(node)) return convertAlias(c, node, depth, keyPath);
  const tag = (node as { tag?: string }).tag;
  if (isScalar(node)) return convertScalar(node, tag);
  if (isSeq(node)) return withMergeTag(tag, convertSeq(c, node, depth, keyPath));
  if (isMap(node)) return withMergeTag(tag, convertMap(c, node, depth, keyPath));
  return null;
}

/** `!reset` / `!override` on a value → Tagged, so merging can honour them; other tags are dropped. */
function withMergeTag(tag: string | undefined, value: unknown): unknown {
  return tag === '!reset' ? new Tagged('reset', value) : tag === '!override' ? new Tagged('override', value) : value;
}

/** The value an alias stands for (converted anew at each use); null after reporting an unknown alias. */
function convertAlias(c: Conversion, node: Alias, depth: number, keyPath: (string | number)[]): unknown {
  const target = c.targets.get(node);
  if (!target) {
    c.issues.error(`unknown alias *${node.source}`, c.at(node.range?.[0]));
    return null;
  }
  return convertNode(c, target, depth + 1, keyPath);
}

/** A scalar's value: bigints as numbers, plain `0440` as octal; `!reset` drops the value. */
function convertScalar(node: Scalar, tag: string | undefined): unknown {
  if (tag === '!reset') return new Tagged('reset', null);
  let v = node.value;
  if (typeof v === 'bigint') v = Number(v);
  // Like docker compose (go-yaml), a plain `0440` is octal (file modes of secrets and configs).
  if (node.type === 'PLAIN' && typeof node.source === 'string' && /^[-+]?0[0-7]+$/.test(node.source)) v = parseInt(node.source, 8);
  return withMergeTag(tag, v);
}

/** A sequence → an array, with the position of the list and of each item. */
function convertSeq(c: Conversion, node: YAMLSeq, depth: number, keyPath: (string | number)[]): unknown[] {
  const out: unknown[] = [];
  c.positions.setNode(out, c.at(node.range?.[0]));
  node.items.forEach((item, i) => {
    out.push(convertNode(c, item, depth + 1, [...keyPath, i]));
    c.positions.setKey(out, i, c.at((item as Node)?.range?.[0]));
  });
  return out;
}

/**
 * A mapping → an object, with the position of the mapping and of each key. Keys written in the
 * mapping go in first, in order; `<<` merge keys are applied after them (see applyMergeKey).
 */
function convertMap(c: Conversion, node: YAMLMap, depth: number, keyPath: (string | number)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  c.positions.setNode(out, c.at(node.range?.[0]));
  const explicit = new Set<string>();
  const merges: unknown[] = [];
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const keyNode = pair.key as Node | null;
    const key = mappingKey(c, keyNode);
    if (key === undefined) continue;
    if (key === '<<' && isScalar(keyNode) && keyNode.type === 'PLAIN') {
      merges.push(pair.value);
      continue;
    }
    if (explicit.has(key)) {
      reportDuplicateKey(c, keyNode!, key, keyPath);
      continue;
    }
    explicit.add(key);
    setOwn(out, key, convertNode(c, pair.value, depth + 1, [...keyPath, key]));
    c.positions.setKey(out, key, c.at(keyNode?.range?.[0]));
  }
  for (const source of merges) applyMergeKey(c, out, explicit, source, depth, keyPath);
  return out;
}

/** A mapping key as text; undefined after reporting a key that is a collection or `__proto__`. */
function mappingKey(c: Conversion, keyNode: Node | null): string | undefined {
  const rawKey = isScalar(keyNode) ? keyNode.value : keyNode === null ? '' : undefined;
  if (rawKey === undefined) {
    c.issues.error('mapping keys must be plain values, not collections', c.at(keyNode?.range?.[0]));
    return undefined;
  }
  const key = String(rawKey);
  if (key === '__proto__') {
    c.issues.error('the key "__proto__" is not allowed', c.at(keyNode?.range?.[0]));
    return undefined;
  }
  return key;
}

/** A key written twice in one mapping: reported once per key node (an anchor used many times), and the file fails. */
function reportDuplicateKey(c: Conversion, keyNode: Node, key: string, keyPath: (string | number)[]): void {
  if (!c.reportedDuplicates.has(keyNode)) {
    c.reportedDuplicates.add(keyNode);
    c.issues.error(`duplicate key "${key}"`, c.at(keyNode?.range?.[0]), [...keyPath, key]);
  }
  c.duplicates = true;
}

/**
 * `<<: *a` / `<<: [*a, *b]`: copies the keys of the merged mappings that `out` does not have yet,
 * so keys written explicitly win and earlier sources win over later ones.
 */
function applyMergeKey(c: Conversion, out: Record<string, unknown>, explicit: ReadonlySet<string>, source: unknown, depth: number, keyPath: (string | number)[]): void {
  const sources = isSeq(source) ? source.items : [source];
  for (const s of sources) {
    const converted = convertNode(c, s, depth + 1, keyPath);
    if (converted === null && isAlias(s)) continue; // unknown alias, already reported
    // An alias may name a list of mappings too (`x: &l [{…}]`, `<<: *l`), as in compose-go.
    const values = isSeq(source) || !Array.isArray(converted) ? [converted] : (converted as unknown[]);
    for (const value of values) {
      if (!isPlainMap(value)) {
        c.issues.error('`<<` merge key expects a mapping or a list of mappings', c.at((s as Node)?.range?.[0]));
        break;
      }
      for (const [k, v] of Object.entries(value)) {
        if (explicit.has(k) || Object.prototype.hasOwnProperty.call(out, k)) continue;
        setOwn(out, k, v);
        c.positions.copyKey(value, k, out);
      }
    }
  }
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
