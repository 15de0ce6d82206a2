/**
 * Per-file canonical form, before files are merged: short syntax → long syntax for the keys whose
 * merge depends on it (environment/labels lists → maps, ports/volumes → long entries, depends_on
 * and networks lists → maps, env_file → entries), and relative paths resolved against the file's
 * base directory (the project directory for -f files, the file's own directory for extends/include).
 */
import { Tagged, isPlainMap, type PositionIndex } from './positions.js';
import type { IssueList } from './issues.js';
import {
  SyntaxIssue,
  normalizeExtraHost,
  checkLongPort,
  parsePortSpec,
  parseVolumeSpec,
  resolveHostPath,
  isWindowsAbsolute,
} from './short-syntax.js';
import { setOwn } from './parse-yaml.js';
import { defaultedContexts } from './merge.js';
import * as path from 'node:path';

export interface CanonicalContext {
  /** Directory relative paths resolve against. */
  readonly baseDir: string;
  /** Directory of the file itself (for `extends.file`, `include`). */
  readonly fileDir: string;
  readonly home: string | undefined;
  readonly positions: PositionIndex;
  readonly issues: IssueList;
  readonly root: Record<string, unknown>;
  /** The file was not interpolated (config --no-interpolate): short syntax holding `$` stays as written. */
  readonly uninterpolated?: boolean;
}

type Dict = Record<string, unknown>;

/** Applies `fn` to the value under a Tagged wrapper, keeping the tag. */
function underTag(value: unknown, fn: (v: unknown) => unknown): unknown {
  if (value instanceof Tagged) return value.tag === 'reset' ? value : new Tagged(value.tag, fn(value.value));
  return fn(value);
}

function scalarText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** `[K=V, K]` or `{K: V}` → `{K: "V" | null}`. */
export function toStringMap(value: unknown, positions: PositionIndex, separator = '='): unknown {
  if (Array.isArray(value)) {
    const out: Dict = {};
    positions.inherit(value, out);
    value.forEach((item, i) => {
      const text = String(item);
      const at = text.indexOf(separator);
      const key = at < 0 ? text : text.slice(0, at);
      setOwn(out, key, at < 0 ? null : text.slice(at + 1));
      positions.copyKey(value, i, out, key);
    });
    return out;
  }
  if (isPlainMap(value)) {
    for (const [k, v] of Object.entries(value)) if (!(v instanceof Tagged)) value[k] = scalarText(v);
    return value;
  }
  return value;
}

const URL_CONTEXT = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)/i;

/** What every key's canonical form needs: the file's context and its ways to report and resolve. */
interface Canon {
  readonly ctx: CanonicalContext;
  /** Where a container's key (or the container) was written. */
  here(container: object, key: string | number): ReturnType<PositionIndex['node']>;
  /** `fn()`, or `fallback` with the SyntaxIssue it threw reported at `container[key]` (`path`). */
  tryIt<T>(container: object, key: string | number, path: (string | number)[], fn: () => T, fallback: T): T;
  /** A short-syntax string kept as written: uninterpolated, it may hold `${VAR}`. */
  raw(item: unknown): boolean;
  resolveFileish(p: unknown): unknown;
}

function canonOf(ctx: CanonicalContext): Canon {
  const { positions, issues } = ctx;
  const here = (container: object, key: string | number) => positions.key(container, key) ?? positions.node(container);
  return {
    ctx,
    here,
    tryIt(container, key, path, fn, fallback) {
      try {
        return fn();
      } catch (error) {
        if (!(error instanceof SyntaxIssue)) throw error;
        // A problem with one key of a long-syntax entry is reported at that key.
        const inner = error.key !== undefined ? (container as Record<string | number, unknown>)[key] : undefined;
        const keyPos = error.key !== undefined && inner !== null && typeof inner === 'object' ? positions.key(inner, error.key) : undefined;
        if (keyPos) issues.error(error.message, keyPos, [...path, error.key!]);
        else issues.error(error.message, here(container, key), path);
        return fallback;
      }
    },
    raw: (item) => ctx.uninterpolated === true && typeof item === 'string' && item.includes('$'),
    resolveFileish: (p) => (typeof p === 'string' && p !== '' ? resolveHostPath(p, ctx.baseDir, ctx.home) : p),
  };
}

export function canonicalizeFile(ctx: CanonicalContext): void {
  const { root } = ctx;
  const c = canonOf(ctx);
  const services = root.services;
  if (isPlainMap(services)) {
    for (const [name, raw] of Object.entries(services)) {
      if (!isPlainMap(raw)) continue;
      canonicalizeService(c, name, raw);
    }
  }
  for (const kind of ['secrets', 'configs'] as const) {
    const section = root[kind];
    if (!isPlainMap(section)) continue;
    for (const def of Object.values(section)) {
      if (isPlainMap(def) && typeof def.file === 'string') def.file = c.resolveFileish(def.file);
    }
  }
  const ext = root['x-mixcompose'];
  if (isPlainMap(ext) && isPlainMap(ext.daemons)) {
    for (const d of Object.values(ext.daemons)) {
      if (isPlainMap(d) && isPlainMap(d.tls)) {
        for (const k of ['ca', 'cert', 'key']) if (typeof d.tls[k] === 'string') d.tls[k] = c.resolveFileish(d.tls[k]);
      }
    }
  }
}

type KeyPathOf = (...rest: (string | number)[]) => (string | number)[];

function canonicalizeService(c: Canon, name: string, svc: Dict): void {
  const { positions } = c.ctx;
  const p: KeyPathOf = (...rest) => ['services', name, ...rest];
  for (const key of ['environment', 'labels', 'sysctls', 'annotations']) {
    if (key in svc) svc[key] = underTag(svc[key], (v) => toStringMap(v, positions));
  }
  if ('extra_hosts' in svc) svc.extra_hosts = underTag(svc.extra_hosts, (v) => extraHostsList(c, v, p));
  for (const key of ['dns', 'dns_search', 'tmpfs', 'env_file', 'label_file']) {
    if (typeof svc[key] === 'string') svc[key] = [svc[key]];
  }
  if ('ports' in svc) svc.ports = underTag(svc.ports, (v) => longPorts(c, v, p));
  if ('expose' in svc && Array.isArray(svc.expose)) svc.expose.forEach((e, i, list) => (list[i] = String(e)));
  if ('volumes' in svc) svc.volumes = underTag(svc.volumes, (v) => longVolumes(c, v, p));
  if ('depends_on' in svc) svc.depends_on = underTag(svc.depends_on, (v) => dependsOnMap(positions, v));
  if ('networks' in svc) svc.networks = underTag(svc.networks, (v) => networksMap(positions, v));
  fileLists(c, svc);
  if ('build' in svc) svc.build = underTag(svc.build, (b) => longBuild(c, svc, b));
  for (const kind of ['secrets', 'configs']) {
    const refs = svc[kind];
    if (!Array.isArray(refs)) continue;
    svc[kind] = refs.map((r, i) => {
      const out = typeof r === 'string' ? { source: r } : r;
      if (isPlainMap(out)) positions.inherit(r, out, positions.key(refs, i));
      return out;
    });
    positions.inherit(refs, svc[kind] as object);
    refs.forEach((_, i) => positions.copyKey(refs, i, svc[kind] as object, i));
  }
  const ext = svc.extends;
  if (typeof ext === 'string') svc.extends = { service: ext };
  if (isPlainMap(svc.extends)) {
    positions.inherit(ext, svc.extends, positions.key(svc, 'extends'));
    if (typeof svc.extends.file === 'string') svc.extends.file = path.resolve(c.ctx.fileDir, svc.extends.file);
  }
}

/** `extra_hosts` as a list of `host=ip`, one entry per address (`host=ip1,ip2` is two, as in compose). */
function extraHostsList(c: Canon, v: unknown, p: KeyPathOf): unknown {
  const { positions } = c.ctx;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    positions.inherit(v, out);
    v.forEach((e, i) => {
      const one = c.tryIt(v, i, p('extra_hosts', i), () => normalizeExtraHost(String(e)), e);
      const eq = typeof one === 'string' ? one.indexOf('=') : -1;
      const addresses = eq >= 0 ? (one as string).slice(eq + 1).split(',') : [one];
      for (const address of addresses) {
        positions.copyKey(v, i, out, out.length);
        out.push(eq >= 0 ? `${(one as string).slice(0, eq)}=${String(address).trim()}` : address);
      }
    });
    return out;
  }
  if (isPlainMap(v)) {
    const out: string[] = [];
    positions.inherit(v, out);
    for (const [h, ip] of Object.entries(v)) {
      for (const one of Array.isArray(ip) ? ip : [ip]) {
        positions.copyKey(v, h, out, out.length);
        out.push(`${h}=${String(one)}`);
      }
    }
    return out;
  }
  return v;
}

/** The long form of one `ports` entry (a short one may give several). */
function portEntries(c: Canon, v: unknown[], i: number, p: KeyPathOf): (Dict | string)[] {
  const item = v[i];
  if (c.raw(item)) return [item as string];
  if (typeof item === 'number' || typeof item === 'string') return c.tryIt(v, i, p('ports', i), () => parsePortSpec(String(item)) as unknown as Dict[], []);
  if (!isPlainMap(item)) return [];
  const long: Dict = { ...item };
  if (long.published !== undefined && long.published !== null) long.published = String(long.published);
  if (typeof long.target === 'string' && /^\d+$/.test(long.target)) long.target = Number(long.target);
  long.protocol ??= 'tcp';
  long.mode ??= 'ingress';
  const held = Object.values(item).some(c.raw);
  return held ? [long] : c.tryIt(v, i, p('ports', i), () => (checkLongPort(long), [long]), []);
}

function longPorts(c: Canon, v: unknown, p: KeyPathOf): unknown {
  if (!Array.isArray(v)) return v;
  const { positions } = c.ctx;
  const out: unknown[] = [];
  positions.inherit(v, out);
  v.forEach((item, i) => {
    for (const e of portEntries(c, v, i, p)) {
      if (typeof e === 'object') positions.inherit(item, e, positions.key(v, i));
      positions.copyKey(v, i, out, out.length);
      out.push(e);
    }
  });
  return out;
}

function longVolumes(c: Canon, v: unknown, p: KeyPathOf): unknown {
  if (!Array.isArray(v)) return v;
  const { positions, issues, baseDir, home } = c.ctx;
  const out: unknown[] = [];
  positions.inherit(v, out);
  v.forEach((item, i) => {
    let vol: Dict | string | undefined;
    if (c.raw(item)) vol = item as string;
    else if (typeof item === 'string') {
      const ignored = (o: string): void => issues.warning(`volume mode "${o}" in "${item}" is ignored (compose ignores it too): expected ro, rw, z, Z, nocopy, a propagation or cached/delegated/consistent`, c.here(v, i), p('volumes', i));
      vol = c.tryIt(v, i, p('volumes', i), () => parseVolumeSpec(item, baseDir, home, ignored) as unknown as Dict, undefined);
    } else if (isPlainMap(item)) {
      vol = { ...item };
      if (vol.type === 'bind' && typeof vol.source === 'string') vol.source = resolveHostPath(vol.source, baseDir, home);
    }
    if (!vol) return;
    if (typeof vol === 'object') positions.inherit(item, vol, positions.key(v, i));
    positions.copyKey(v, i, out, out.length);
    out.push(vol);
  });
  return out;
}

function dependsOnMap(positions: PositionIndex, v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: Dict = {};
    positions.inherit(v, out);
    v.forEach((dep, i) => {
      const entry = { condition: 'service_started', required: true };
      positions.inherit(undefined, entry, positions.key(v, i));
      setOwn(out, String(dep), entry);
      positions.copyKey(v, i, out, String(dep));
    });
    return out;
  }
  if (isPlainMap(v)) {
    for (const [dep, spec] of Object.entries(v)) {
      if (isPlainMap(spec)) {
        spec.condition ??= 'service_started';
        spec.required ??= true;
      } else if (spec === null) v[dep] = { condition: 'service_started', required: true };
    }
  }
  return v;
}

function networksMap(positions: PositionIndex, v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  const out: Dict = {};
  positions.inherit(v, out);
  v.forEach((n, i) => {
    setOwn(out, String(n), null);
    positions.copyKey(v, i, out, String(n));
  });
  return out;
}

/** `env_file` as entries with resolved paths, `label_file` as resolved paths. */
function fileLists(c: Canon, svc: Dict): void {
  const { positions } = c.ctx;
  if (Array.isArray(svc.env_file)) {
    const list = svc.env_file;
    svc.env_file = list.map((e, i) => {
      const entry: Dict = isPlainMap(e) ? { ...e } : { path: e };
      entry.path = c.resolveFileish(entry.path);
      entry.required ??= true;
      positions.inherit(e, entry, positions.key(list, i));
      return entry;
    });
    positions.inherit(list, svc.env_file as object);
    list.forEach((_, i) => positions.copyKey(list, i, svc.env_file as object, i));
  }
  if (Array.isArray(svc.label_file)) {
    const list = svc.label_file;
    svc.label_file = list.map(c.resolveFileish);
    positions.inherit(list, svc.label_file as object);
    list.forEach((_, i) => positions.copyKey(list, i, svc.label_file as object, i));
  }
}

function longBuild(c: Canon, svc: Dict, b: unknown): unknown {
  const { positions, baseDir } = c.ctx;
  const build: Dict | undefined = typeof b === 'string' ? { context: b } : isPlainMap(b) ? b : undefined;
  if (!build) return b;
  positions.inherit(b, build, positions.key(svc, 'build'));
  if (typeof build.context !== 'string') defaultedContexts.add(build);
  const context = typeof build.context === 'string' ? build.context : '.';
  build.context = URL_CONTEXT.test(context) || isWindowsAbsolute(context) ? context : path.resolve(baseDir, context);
  if (isPlainMap(build.args) || Array.isArray(build.args)) build.args = toStringMap(build.args, positions);
  if (isPlainMap(build.labels) || Array.isArray(build.labels)) build.labels = toStringMap(build.labels, positions);
  return build;
}
