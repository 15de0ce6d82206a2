/**
 * Parsers for compose short syntaxes (pure string → long form): ports, volumes, extra_hosts,
 * shell-like command strings. Throw SyntaxIssue with a message the loader places at the value.
 */
import * as path from 'node:path';
import type { PortConfig, ServiceVolume } from '../model/project.js';

export class SyntaxIssue extends Error {
  /** `key`: the key of a long-syntax entry the problem is about (`published`). */
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

const PORT_RE = /^\d+$/;

/** Container ports are 1-65535; a host port may also be 0 (the daemon picks one). */
function portRange(text: string, what: 'container port' | 'host port', spec?: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const where = spec === undefined ? '' : ` in port "${spec}"`;
  if (!m) throw new SyntaxIssue(`invalid ${what} "${text}"${where}: expected a number or a range like 8000-8010`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  const min = what === 'container port' ? 1 : 0;
  if (a < min || b > 65535 || b < a) throw new SyntaxIssue(`invalid ${what} "${text}"${where}: ports are ${min}-65535 and ranges ascend`);
  return [a, b];
}

/** Checks a long-syntax port entry (`target`, `published`, `protocol`); throws SyntaxIssue. */
export function checkLongPort(entry: Readonly<Record<string, unknown>>): void {
  const target = entry.target;
  if (target === undefined || target === null || target === '') throw new SyntaxIssue('missing "target" (the container port)');
  const at = <T>(key: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw error instanceof SyntaxIssue ? new SyntaxIssue(error.message, key) : error;
    }
  };
  const [t0, t1] = at('target', () => portRange(String(target), 'container port'));
  if (t0 !== t1) throw new SyntaxIssue(`invalid container port "${String(target)}": the long syntax takes one port as target`, 'target');
  const published = entry.published;
  if (published !== undefined && published !== null && published !== '') at('published', () => portRange(String(published), 'host port'));
  const protocol = entry.protocol;
  if (typeof protocol === 'string' && !['tcp', 'udp', 'sctp'].includes(protocol)) throw new SyntaxIssue(`invalid protocol "${protocol}": expected tcp, udp or sctp`, 'protocol');
}

/** `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, ranges allowed; one entry per container port. */
export function parsePortSpec(spec: string): PortConfig[] {
  let rest = spec.trim();
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
    if (!['tcp', 'udp', 'sctp'].includes(protocol)) throw new SyntaxIssue(`invalid protocol "${protocol}" in port "${spec}": expected tcp, udp or sctp`);
  }
  let hostIp: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw new SyntaxIssue(`invalid port "${spec}": unterminated [IPv6] host address`);
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  let published: string | undefined;
  let container: string;
  if (parts.length === 1) container = parts[0]!;
  else if (parts.length === 2) [published, container] = parts as [string, string];
  else if (parts.length === 3 && hostIp === undefined) [hostIp, published, container] = parts as [string, string, string];
  else if (hostIp === undefined) {
    container = parts.pop()!;
    published = parts.pop()!;
    hostIp = parts.join(':');
  } else throw new SyntaxIssue(`invalid port "${spec}"`);
  if (published === '') published = undefined;
  const [c0, c1] = portRange(container, 'container port', spec);
  const base = { protocol, mode: 'ingress', ...(hostIp ? { host_ip: hostIp } : {}) };
  if (published === undefined) {
    return range(c0, c1).map((target) => ({ ...base, target }));
  }
  const [p0, p1] = portRange(published, 'host port', spec);
  if (c0 === c1) return [{ ...base, target: c0, published: p0 === p1 ? String(p0) : `${p0}-${p1}` }];
  if (p1 - p0 !== c1 - c0 && p0 !== p1) {
    throw new SyntaxIssue(`invalid port "${spec}": the host range and the container range differ in length`);
  }
  return range(c0, c1).map((target, i) => ({ ...base, target, published: String(p0 === p1 ? p0 : p0 + i) }));
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

export function isPortNumberText(text: string): boolean {
  return PORT_RE.test(text);
}

/** A Windows drive path (`C:\x`, `c:/x`) or UNC path, kept as written whatever OS runs us. */
export function isWindowsAbsolute(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** Whether a short-syntax volume source names a host path (else a named volume). */
export function isHostPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~') || isWindowsAbsolute(source) || source.startsWith('\\') || /^\p{L}:/u.test(source);
}

/** Resolves a host path against `baseDir`; `~` against `home`. Windows absolute paths stay as written. */
export function resolveHostPath(p: string, baseDir: string, home: string | undefined): string {
  if (isWindowsAbsolute(p)) return p;
  if ((p === '~' || p.startsWith('~/')) && home) return path.join(home, p.slice(1));
  return path.resolve(baseDir, p);
}

/**
 * Splits `a:b:c` on colons as compose-go does: a single letter followed by `:` is a Windows drive
 * (`C:\data`, `d:`), and colons inside `${…}` (kept uninterpolated) do not split.
 */
function splitVolume(spec: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === '$' && spec[i + 1] === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === ':' && depth === 0 && !/^\p{L}$/u.test(cur)) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

const PROPAGATION = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);
const CONSISTENCY = new Set(['cached', 'delegated', 'consistent']);

/**
 * `[SOURCE:]TARGET[:MODE]` → long syntax, bind sources resolved to absolute paths. A mode option
 * compose does not know is ignored as compose ignores it, and passed to `onIgnored` (a warning).
 */
export function parseVolumeSpec(spec: string, baseDir: string, home: string | undefined, onIgnored?: (option: string) => void): ServiceVolume {
  if (spec === '') throw new SyntaxIssue('invalid empty volume spec: expected [SOURCE:]TARGET[:MODE]');
  const parts = splitVolume(spec);
  if (parts.some((p) => p === '')) throw new SyntaxIssue(`invalid volume "${spec}": empty section between colons; expected [SOURCE:]TARGET[:MODE]`);
  if (parts.length > 3) throw new SyntaxIssue(`invalid volume "${spec}": too many colons; expected [SOURCE:]TARGET[:MODE]`);
  if (parts.length === 1) return { type: 'volume', target: parts[0]! };
  const [source, target, mode] = parts as [string, string, string | undefined];
  const options = mode ? mode.split(',') : [];
  const bind = isHostPath(source);
  let readOnly = false;
  const bindOpts: { propagation?: string; create_host_path?: boolean; selinux?: 'z' | 'Z' } = {};
  const volumeOpts: { nocopy?: boolean } = {};
  for (const o of options) {
    if (o === 'ro') readOnly = true;
    else if (o === 'rw') readOnly = false;
    else if (o === 'z' || o === 'Z') bindOpts.selinux = o;
    else if (o === 'nocopy') volumeOpts.nocopy = true;
    else if (PROPAGATION.has(o)) bindOpts.propagation = o;
    else if (!CONSISTENCY.has(o)) onIgnored?.(o);
  }
  if (/^\\\\[.]\\pipe\\/i.test(source)) {
    // A Windows named pipe (`\\.\pipe\docker_engine:\\.\pipe\docker_engine`).
    return { type: 'npipe', source, target, ...(readOnly ? { read_only: true } : {}) };
  }
  if (bind) {
    return {
      type: 'bind',
      source: resolveHostPath(source, baseDir, home),
      target,
      ...(readOnly ? { read_only: true } : {}),
      bind: { create_host_path: true, ...bindOpts },
    };
  }
  return {
    type: 'volume',
    source,
    target,
    ...(readOnly ? { read_only: true } : {}),
    ...(volumeOpts.nocopy ? { volume: { nocopy: true } } : {}),
  };
}

/** Splits a command string the way a POSIX shell would tokenize it (quotes, backslashes; no expansion). */
export function shellSplit(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inToken = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inToken = true;
    } else if (/\s/.test(c)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += c;
      inToken = true;
    }
  }
  if (quote) throw new SyntaxIssue(`unterminated ${quote === '"' ? 'double' : 'single'} quote in "${text}"`);
  if (inToken) out.push(cur);
  return out;
}

/** `host:ip` or `host=ip` → `host=ip` (compose v2's canonical form). */
export function normalizeExtraHost(entry: string): string {
  const eq = entry.indexOf('=');
  if (eq >= 0) return entry;
  const colon = entry.indexOf(':');
  if (colon < 0) throw new SyntaxIssue(`invalid extra_hosts entry "${entry}": expected host:ip or host=ip`);
  return `${entry.slice(0, colon)}=${entry.slice(colon + 1)}`;
}
