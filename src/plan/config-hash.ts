/**
 * The config hash: a stable digest of what a container is made from. It is computed over the
 * final create body (address references already resolved, so a changed address changes the
 * hash of every consumer) minus the labels mixcompose sets itself (so running from another
 * directory or with other -f paths does not recreate anything).
 *
 * The digest is written straight from the body: no copy of it without the own labels, and the
 * substitutions of materialize.ts applied to each string as it is written (no substituted copy).
 * A second `up` hashes the body of every service with a container, so copies add up.
 */
import { hash } from 'node:crypto';
import type { EngineBody } from '../model/engine-api.js';
import { rewriteStrings } from './addresses.js';
import { LABEL_CONFIG_HASH, isOwnLabel } from './labels.js';

/** What every string (object keys too) becomes before it is written: the substitutions of materialize.ts. */
export type StringRewrite = (text: string) => string;

/**
 * JSON with object keys sorted at every level, so equal values hash equally; with `rewrite`, the
 * JSON of the value whose every string (keys too) went through it.
 */
export function stableJson(value: unknown, rewrite?: StringRewrite): string {
  if (typeof value === 'string') return JSON.stringify(rewrite ? rewrite(value) : value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // map + join: a hole in an array stays an empty place, as it always did.
  if (Array.isArray(value)) return `[${value.map((v: unknown) => stableJson(v, rewrite)).join(',')}]`;
  const record = rekeyed(value, rewrite);
  return membersJson(record, Object.keys(record), rewrite);
}

/**
 * The object under its rewritten keys, values not rewritten yet (the object itself when no key
 * changes). A later key rewritten into an earlier one replaces its value, as building the rewritten
 * object would; the copy has no prototype, so any key is an own property.
 */
function rekeyed(record: object, rewrite: StringRewrite | undefined): Record<string, unknown> {
  const plain = record as Record<string, unknown>;
  if (!rewrite) return plain;
  const keys = Object.keys(plain);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const to = rewrite(key);
    if (to !== key && !copy) {
      copy = Object.create(null) as Record<string, unknown>;
      for (let j = 0; j < i; j++) copy[keys[j]!] = plain[keys[j]!];
    }
    if (copy) copy[to] = plain[key];
  }
  return copy ?? plain;
}

/**
 * `{…}` of the given keys of `record`, sorted by UTF-16 code units (the default sort), undefined
 * values left out as JSON does; `written` is a member whose JSON is made already.
 */
function membersJson(record: Record<string, unknown>, keys: string[], rewrite: StringRewrite | undefined, written?: { key: string; json: string }): string {
  let out = '';
  keys.sort();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const json = key === written?.key ? written.json : record[key] === undefined ? undefined : stableJson(record[key], rewrite);
    if (json === undefined) continue;
    out += `${out ? ',' : ''}${JSON.stringify(key)}:${json}`;
  }
  return `{${out}}`;
}

/**
 * sha256 hex of the body with own labels removed, plus anything else the container is made
 * from (`extra`: networks connected after create, files copied in).
 */
export function configHash(body: EngineBody, extra?: unknown): string {
  return digest(body, extra === undefined ? undefined : stableJson(extra), undefined);
}

/**
 * configHash(rewritten body, { connect: rewritten connect, files: rewritten files }), where
 * rewritten means every string (object keys too) went through `rewrite`, without making the
 * rewritten copies: the hash materialize.ts stamps.
 */
export function rewrittenConfigHash(body: EngineBody, extra: { readonly connect: unknown; readonly files: unknown }, rewrite: StringRewrite): string {
  return digest(body, membersJson(extra, Object.keys(extra), rewrite), rewrite);
}

/** sha256 hex of `{"body": <the body without own labels>, "extra": <extraJson>}` (no extra: left out). */
function digest(body: EngineBody, extraJson: string | undefined, rewrite: StringRewrite | undefined): string {
  const record = rekeyed(body, rewrite);
  const keys = Object.keys(record);
  if (!keys.includes('Labels')) keys.push('Labels');
  const bodyJson = membersJson(record, keys, rewrite, { key: 'Labels', json: userLabelsJson(record.Labels, rewrite) });
  return hash('sha256', `{"body":${bodyJson}${extraJson === undefined ? '' : `,"extra":${extraJson}`}}`, 'hex');
}

/** The JSON of the (rewritten) labels without the own ones. */
function userLabelsJson(labels: unknown, rewrite: StringRewrite | undefined): string {
  if (labels !== null && typeof labels === 'object' && !Array.isArray(labels)) {
    const record = rekeyed(labels, rewrite);
    return membersJson(record, Object.keys(record).filter((key) => !isOwnLabel(key)), rewrite);
  }
  // Labels that are not an object (never so in a body the planner makes): their entries, as a copy has them.
  const value: unknown = rewrite ? rewriteStrings(labels, rewrite) : labels;
  return stableJson(Object.fromEntries(Object.entries(value ?? {}).filter(([k]) => !isOwnLabel(k))));
}

/** The body with its config-hash label set. */
export function withConfigHash(body: EngineBody, extra?: unknown): EngineBody {
  return withHashLabel(body, configHash(body, extra));
}

/** The body with a config hash computed already set as its label (hashing a body is not free). */
export function withHashLabel(body: EngineBody, hash: string): EngineBody {
  const labels = (body.Labels ?? {}) as Record<string, string>;
  return { ...body, Labels: { ...labels, [LABEL_CONFIG_HASH]: hash } };
}
