/**
 * `.env` / `env_file` parsing as docker compose v2 (compose-go's dotenv) does it:
 * - statements `KEY=VALUE` or `KEY: VALUE`, optionally after `export` and any blank (`export<TAB>K=v`);
 *   blanks around the key and the separator are ignored, a blank inside the key is an error;
 * - key characters: letters and digits (any script), `_ . - [ ]`;
 * - `#` starts a comment line; in an unquoted value, ` #` starts a comment;
 * - single quotes are literal except `\'`; double quotes decode `\a \b \f \n \r \t \v \\ \" \$`
 *   and octal `\0NNN`; quoted values may span lines; an unterminated quote is an error;
 * - unquoted and double-quoted values are interpolated (`${VAR}`), the given lookup (the
 *   environment) first, then the keys set earlier in the file;
 * - a bare `KEY` takes the value from the environment, if it has one.
 */
import { interpolateString, type VariableLookup } from './interpolate.js';

export interface EnvFileLine {
  readonly key: string;
  /** undefined: a bare `KEY` with no `=` (value taken from the environment, if any). */
  readonly value: string | undefined;
  readonly line: number;
}

export class EnvFileError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Go's unicode.IsSpace minus the newline, as the dotenv parser's blank. */
const BLANK = new Set(['\t', '\v', '\f', '\r', ' ', '\u0085', '\u00a0']);
const KEY_CHAR = /^[\p{L}\p{N}_.\-[\]]$/u;
const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

export function parseEnvFile(text: string, lookup: VariableLookup = () => undefined, interpolate = true): EnvFileLine[] {
  const src = text.replace(/^\uFEFF/, '');
  // A process environment (and a label) cannot carry a NUL: refuse the file at the line that has one.
  const nul = src.indexOf('\0');
  if (nul >= 0) throw new EnvFileError('a NUL byte (\\0) is not allowed: a process environment cannot hold it', src.slice(0, nul).split('\n').length);
  const own = new Map<string, string>();
  const resolve: VariableLookup = (name) => lookup(name) ?? own.get(name);
  const expand = (value: string) => (interpolate ? interpolateString(value, resolve) : value);
  const out: EnvFileLine[] = [];
  let i = 0;
  let line = 1;
  const advance = (to: number) => {
    for (; i < to; i++) if (src[i] === '\n') line++;
  };
  const skipBlanks = () => {
    let j = i;
    while (j < src.length && BLANK.has(src[j]!)) j++;
    advance(j);
  };
  for (;;) {
    // The next statement: skip blank lines and comment lines.
    let j = i;
    while (j < src.length && (BLANK.has(src[j]!) || src[j] === '\n')) j++;
    advance(j);
    if (i >= src.length) break;
    if (src[i] === '#') {
      const nl = src.indexOf('\n', i);
      advance(nl < 0 ? src.length : nl);
      continue;
    }
    const keyLine = line;
    const exported = /^export[\t\v\f\r \u0085\u00a0]+/.exec(src.slice(i, i + 64));
    if (exported) advance(i + exported[0].length);
    const { key, separator } = readKey(src, i, keyLine);
    advance(separator);
    const inherited = separator >= src.length || src[separator] === '\n';
    if (key === '__proto__') throw new EnvFileError(`invalid variable name "${key}"`, keyLine);
    if (inherited) {
      out.push({ key, value: undefined, line: keyLine });
      continue;
    }
    advance(separator + 1);
    skipBlanks();
    const quote = src[i];
    let value: string;
    if (quote === '"' || quote === "'") {
      const end = closingQuote(src, i + 1, quote);
      if (end < 0) {
        const nl = src.indexOf('\n', i);
        throw new EnvFileError(`unterminated quoted value ${src.slice(i, nl < 0 ? undefined : nl)}`, line);
      }
      const body = unescapeQuoted(src.slice(i + 1, end), quote);
      value = quote === '"' ? expand(decodeEscapes(body, interpolate)) : body;
      advance(end + 1);
    } else {
      const nl = src.indexOf('\n', i);
      let raw = src.slice(i, nl < 0 ? src.length : nl);
      advance(nl < 0 ? src.length : nl);
      const comment = raw.indexOf(' #');
      if (comment >= 0) raw = raw.slice(0, comment);
      value = expand(raw.replace(/[\s\u0085\u00a0]+$/u, ''));
    }
    own.set(key, value);
    out.push({ key, value, line: keyLine });
  }
  return out;
}

/** The key starting at `from`, and the index of its separator (`=`, `:`, a newline or the end). */
function readKey(src: string, from: number, line: number): { key: string; separator: number } {
  let j = from;
  for (; j < src.length; j++) {
    const c = src[j]!;
    if (c === '=' || c === ':' || c === '\n') break;
    if (BLANK.has(c) || KEY_CHAR.test(c)) continue;
    const statement = src.slice(from, src.indexOf('\n', from) < 0 ? undefined : src.indexOf('\n', from));
    throw new EnvFileError(`unexpected character "${c}" in variable name "${statement}"`, line);
  }
  const key = src.slice(from, j).replace(/[\s\u0085\u00a0]+$/u, '');
  if (/[\s\u0085\u00a0]/u.test(key)) throw new EnvFileError(`key cannot contain a space ("${key}")`, line);
  return { key, separator: j };
}

/** Index of the quote closing a value whose text starts at `from`; a backslash escapes the next character. */
function closingQuote(src: string, from: number, quote: string): number {
  for (let j = from; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === quote) return j;
  }
  return -1;
}

/** Inside quotes, `\<quote>` is the quote; every other backslash stays for decodeEscapes. */
function unescapeQuoted(body: string, quote: string): string {
  return body.replace(/\\([\s\S])/g, (all, c: string) => (c === quote ? c : all));
}

/** Double-quoted escapes; `\$` stays a literal dollar (kept as `$$` for interpolation). */
function decodeEscapes(body: string, interpolate: boolean): string {
  return body.replace(/\\([abcfnrtv$"\\]|0\d{0,3})/g, (all, c: string) => {
    if (c === '$') return interpolate ? '$$' : '$';
    if (c.startsWith('0')) return /^0[0-7]{3}$/.test(c) && parseInt(c.slice(1), 8) < 256 ? String.fromCharCode(parseInt(c.slice(1), 8)) : all;
    return ESCAPES[c] ?? all;
  });
}
