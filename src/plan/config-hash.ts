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

/** JSON already written (a part the hash makes itself: the labels without the own ones). */
class Written {
  constructor(readonly json: string) {}
}

/**
 * JSON with object keys sorted at every level, so equal values hash equally; with `rewrite`, the
 * JSON of the value whose every string (keys too) went through it.
 */
export function stableJson(value: unknown, rewrite?: StringRewrite): string {
  if (typeof value === 'string') return JSON.stringify(rewrite ? rewrite(value) : value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Written) return value.json;
  // map + join: a hole in an array stays an empty place, as it always did.
  if (Array.isArray(value)) return `[${value.map((v: unknown) => stableJson(v, rewrite)).join(',')}]`;
  return membersJson(membersOf(value, rewrite), rewrite);
}

/** An object's keys once rewritten, and the value (not rewritten yet) under each. */
interface Members {
  readonly keys: string[];
  valueOf(key: string): unknown;
}

/** A later key rewritten into an earlier one replaces its value, as building the rewritten object would. */
function membersOf(record: object, rewrite: StringRewrite | undefined): Members {
  const keys = Object.keys(record);
  const plain = record as Record<string, unknown>;
  if (!rewrite || keys.every((key) => rewrite(key) === key)) return { keys, valueOf: (key) => plain[key] };
  const entries = new Map<string, unknown>();
  for (const key of keys) entries.set(rewrite(key), plain[key]);
  return { keys: [...entries.keys()], valueOf: (key) => entries.get(key) };
}

/** Keys sorted by UTF-16 code units (the default sort), undefined values left out as JSON does. */
function membersJson({ keys, valueOf }: Members, rewrite: StringRewrite | undefined): string {
  let out = '';
  for (const key of keys.sort()) {
    const v = valueOf(key);
    if (v === undefined) continue;
    out += `${out ? ',' : ''}${JSON.stringify(key)}:${stableJson(v, rewrite)}`;
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
  return digest(body, membersJson(membersOf(extra, undefined), rewrite), rewrite);
}

/** sha256 hex of `{"body": <the body without own labels>, "extra": <extraJson>}` (no extra: left out). */
function digest(body: EngineBody, extraJson: string | undefined, rewrite: StringRewrite | undefined): string {
  const members = membersOf(body, rewrite);
  const labels = new Written(userLabelsJson(members.valueOf('Labels'), rewrite));
  const keys = members.keys.includes('Labels') ? members.keys : [...members.keys, 'Labels'];
  const bodyJson = membersJson({ keys, valueOf: (key) => (key === 'Labels' ? labels : members.valueOf(key)) }, rewrite);
  return hash('sha256', `{"body":${bodyJson}${extraJson === undefined ? '' : `,"extra":${extraJson}`}}`, 'hex');
}

/** The JSON of the (rewritten) labels without the own ones. */
function userLabelsJson(labels: unknown, rewrite: StringRewrite | undefined): string {
  if (labels !== null && typeof labels === 'object' && !Array.isArray(labels)) {
    const members = membersOf(labels, rewrite);
    return membersJson({ keys: members.keys.filter((key) => !isOwnLabel(key)), valueOf: members.valueOf }, rewrite);
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
