/**
 * `.env` / `env_file` parsing as docker compose v2 does it: `KEY=VALUE`, optional `export `,
 * `#` comments, single quotes literal, double quotes with escapes, `${VAR}` interpolation of
 * unquoted and double-quoted values (against earlier keys, then the given lookup), and a bare
 * `KEY` meaning "take it from the environment".
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

export function parseEnvFile(text: string, lookup: VariableLookup = () => undefined, interpolate = true): EnvFileLine[] {
  const out: EnvFileLine[] = [];
  const own = new Map<string, string>();
  const resolve: VariableLookup = (name) => own.get(name) ?? lookup(name);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!.trim();
    const lineNo = n + 1;
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trimStart();
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.\-\[\]]*$/.test(key) || key === '__proto__') throw new EnvFileError(`invalid variable name "${key}"`, lineNo);
    if (eq < 0) {
      out.push({ key, value: undefined, line: lineNo });
      continue;
    }
    let rest = line.slice(eq + 1).trimStart();
    let value: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // A quoted value may span lines.
      let body = rest.slice(1);
      let close = findClosingQuote(body, quote);
      while (close < 0 && n + 1 < lines.length) {
        n++;
        body += '\n' + lines[n]!;
        close = findClosingQuote(body, quote);
      }
      if (close < 0) throw new EnvFileError(`unterminated quoted value for ${key}`, lineNo);
      value = body.slice(0, close);
      if (quote === '"') {
        value = value.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? (c === '$' ? '$$' : c));
        if (interpolate) value = interpolateString(value, resolve);
      }
    } else {
      const hash = rest.search(/\s#/);
      if (hash >= 0) rest = rest.slice(0, hash);
      value = rest.trim();
      if (interpolate) value = interpolateString(value, resolve);
    }
    own.set(key, value);
    out.push({ key, value, line: lineNo });
  }
  return out;
}

function findClosingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === '\\') {
      i++;
      continue;
    }
    if (body[i] === quote) return i;
  }
  return -1;
}
