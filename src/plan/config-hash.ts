/**
 * The config hash: a stable digest of what a container is made from. It is computed over the
 * final create body (address references already resolved, so a changed address changes the
 * hash of every consumer) minus the labels mixcompose sets itself (so running from another
 * directory or with other -f paths does not recreate anything).
 */
import { createHash } from 'node:crypto';
import type { EngineBody } from '../model/engine-api.js';
import { LABEL_CONFIG_HASH, isOwnLabel } from './labels.js';

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  // Keys sorted by UTF-16 code units (the default sort), undefined values left out as JSON does.
  const record = value as Record<string, unknown>;
  let out = '';
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${out ? ',' : ''}${JSON.stringify(key)}:${stableJson(v)}`;
  }
  return `{${out}}`;
}

/**
 * sha256 hex of the body with own labels removed, plus anything else the container is made
 * from (`extra`: networks connected after create, files copied in).
 */
export function configHash(body: EngineBody, extra?: unknown): string {
  const labels = (body.Labels ?? {}) as Record<string, string>;
  const userLabels = Object.fromEntries(Object.entries(labels).filter(([k]) => !isOwnLabel(k)));
  return createHash('sha256')
    .update(stableJson({ body: { ...body, Labels: userLabels }, extra }))
    .digest('hex');
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
