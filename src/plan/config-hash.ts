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
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
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
  const labels = (body.Labels ?? {}) as Record<string, string>;
  return { ...body, Labels: { ...labels, [LABEL_CONFIG_HASH]: configHash(body, extra) } };
}
