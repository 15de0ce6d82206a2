/**
 * Compose interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, nesting inside defaults (`${A:-${B:-x}}`), and `$$`
 * for a literal `$`. Runs on values only (never keys), before address references (`{{ … }}`).
 */
import { Tagged, isObject, type KeyPath, type PositionIndex } from './positions.js';
import type { IssueList } from './issues.js';

export type VariableLookup = (name: string) => string | undefined;

export class InterpolationError extends Error {}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Interpolates one string. Throws InterpolationError; calls `onUnset` for unset variables used bare. */
export function interpolateString(input: string, lookup: VariableLookup, onUnset: (name: string) => void = () => {}): string {
  if (!input.includes('$')) return input;
  const [out, end] = parseText(input, 0, false, true, lookup, onUnset);
  if (end !== input.length) throw new InterpolationError(`invalid interpolation format in "${input}": unexpected "}"`);
  return out;
}

/** Parses text up to the end (or up to an unmatched `}` when `inBraces`). */
function parseText(
  s: string,
  start: number,
  inBraces: boolean,
  evaluate: boolean,
  lookup: VariableLookup,
  onUnset: (name: string) => void,
): [string, number] {
  let out = '';
  let i = start;
  // Inside `${VAR:-word}`, braces of the word pair up (`${JSON:-{"a":1}}`), as in compose.
  let depth = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (inBraces && c === '}') {
      if (depth === 0) return [out, i];
      depth--;
    } else if (inBraces && c === '{') depth++;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const [value, end] = parseBraced(s, i, evaluate, lookup, onUnset);
      out += value;
      i = end;
    } else if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
      const name = s.slice(i + 1, j);
      const value = lookup(name);
      if (value === undefined && evaluate) onUnset(name);
      out += value ?? '';
      i = j;
    } else {
      out += '$';
      i++;
    }
  }
  if (inBraces) throw new InterpolationError(`invalid interpolation format in "${s}": missing closing "}"`);
  return [out, i];
}

/** `${…}` starting at s[at] === '$'. Returns the value and the index after the closing brace. */
function parseBraced(
  s: string,
  at: number,
  evaluate: boolean,
  lookup: VariableLookup,
  onUnset: (name: string) => void,
): [string, number] {
  let j = at + 2;
  if (j >= s.length || !NAME_START.test(s[j]!)) {
    throw new InterpolationError(`invalid interpolation format in "${s}": expected a variable name after "\${"`);
  }
  while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
  const name = s.slice(at + 2, j);
  const value = lookup(name);
  if (s[j] === '}') {
    if (value === undefined && evaluate) onUnset(name);
    return [value ?? '', j + 1];
  }
  if (j >= s.length) throw new InterpolationError(`invalid interpolation format in "${s}": missing closing "}"`);
  const op = s[j] === ':' ? s.slice(j, j + 2) : s.slice(j, j + 1);
  if (![':-', '-', ':?', '?', ':+', '+'].includes(op)) {
    throw new InterpolationError(`invalid interpolation format in "${s}": unexpected "${s[j] ?? 'end'}" after \${${name}`);
  }
  const colon = op.startsWith(':');
  const isSet = colon ? value !== undefined && value !== '' : value !== undefined;
  const kind = op[op.length - 1];
  // The word is only evaluated when it is used, so `${A:-${B:?x}}` with A set is fine.
  const useWord = kind === '-' ? !isSet : kind === '+' ? isSet : !isSet;
  const [word, end] = parseText(s, j + op.length, true, evaluate && useWord, lookup, onUnset);
  const after = end + 1;
  if (!evaluate) return ['', after];
  if (kind === '-') return [isSet ? value! : word, after];
  if (kind === '+') return [isSet ? word : '', after];
  if (!isSet) {
    const why = word || (colon ? 'empty or unset' : 'unset');
    throw new InterpolationError(`required variable ${name} is missing a value: ${why}`);
  }
  return [value!, after];
}

/**
 * Interpolates every string value of a parsed file in place (keys stay as written).
 * Errors and unset-variable warnings are reported at the value's position.
 */
export function interpolateTree(
  root: Record<string, unknown>,
  lookup: VariableLookup,
  positions: PositionIndex,
  issues: IssueList,
): void {
  const warned = new Set<string>();
  const visit = (container: Record<string | number, unknown>, key: string | number, path: KeyPath, value: unknown): unknown => {
    if (typeof value === 'string') {
      try {
        return interpolateString(value, lookup, (name) => {
          if (warned.has(name)) return;
          warned.add(name);
          issues.warning(`the ${name} variable is not set; defaulting to a blank string`, positions.locate(root, path), path);
        });
      } catch (error) {
        if (!(error instanceof InterpolationError)) throw error;
        issues.error(error.message, positions.key(container, key) ?? positions.locate(root, path), path);
        return value;
      }
    }
    if (value instanceof Tagged) {
      const holder = { v: value.value } as Record<string, unknown>;
      const inner = visit(holder, 'v', path, value.value);
      return new Tagged(value.tag, inner);
    }
    if (isObject(value)) walk(value as Record<string | number, unknown>, path);
    return value;
  };
  const walk = (node: Record<string | number, unknown>, path: KeyPath) => {
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const k of keys) node[k] = visit(node, k, [...path, k], node[k]);
  };
  walk(root, []);
}
