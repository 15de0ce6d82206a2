/**
 * Constraints of the Compose Specification that a JSON Schema does not say (or that our schema
 * leaves open, such as `deploy` and `develop`), checked as docker compose (compose-go) checks them:
 * - an environment key with a trailing blank;
 * - a bind mount without a source;
 * - device requests (`deploy.resources.reservations.devices`, `gpus`): `count` is a number or
 *   "all", and `count` and `device_ids` exclude each other; deploy's need `capabilities`;
 * - `develop.watch` entries: `action` and `path` are required, and `target` for the sync actions;
 * - a top-level volume that is `external` sets nothing but `name` (and `x-*`).
 */
import { isPlainMap, type KeyPath } from './positions.js';

type Dict = Record<string, unknown>;
type Problem = (message: string, path: (string | number)[]) => void;

const SYNC_ACTIONS = new Set(['sync', 'sync+restart', 'sync+exec']);

export function checkServiceSpec(raw: Dict, problem: Problem, uninterpolated: boolean): void {
  if (isPlainMap(raw.environment)) {
    for (const key of Object.keys(raw.environment)) {
      if (/\s$/.test(key)) problem(`environment variable "${key}" is declared with a trailing space`, ['environment', key]);
    }
  }
  if (Array.isArray(raw.volumes)) {
    raw.volumes.forEach((v, i) => {
      if (isPlainMap(v) && v.type === 'bind' && (v.source === undefined || v.source === null || v.source === '')) {
        problem('a bind mount needs a source (the host path to mount)', ['volumes', i]);
      }
    });
  }
  const reservations = at(raw, ['deploy', 'resources', 'reservations', 'devices']);
  if (Array.isArray(reservations)) reservations.forEach((d, i) => checkDeviceRequest(d, ['deploy', 'resources', 'reservations', 'devices', i], problem, true, uninterpolated));
  if (Array.isArray(raw.gpus)) raw.gpus.forEach((d, i) => checkDeviceRequest(d, ['gpus', i], problem, false, uninterpolated));
  const watch = at(raw, ['develop', 'watch']);
  if (Array.isArray(watch)) {
    watch.forEach((w, i) => {
      const p = ['develop', 'watch', i];
      if (!isPlainMap(w)) return;
      if (w.action === undefined) problem("missing property 'action' (one of rebuild, restart, sync, sync+restart, sync+exec)", p);
      if (w.path === undefined || w.path === '') problem("missing property 'path' (the files to watch)", p);
      if (typeof w.action === 'string' && SYNC_ACTIONS.has(w.action) && (w.target === undefined || w.target === '')) {
        problem(`target is required for the ${w.action} action (where in the container to sync)`, p);
      }
    });
  }
}

function checkDeviceRequest(d: unknown, path: (string | number)[], problem: Problem, needsCapabilities: boolean, uninterpolated: boolean): void {
  if (!isPlainMap(d)) return;
  const count = d.count;
  if (typeof count === 'string' && count !== 'all' && !/^\d+$/.test(count) && !(uninterpolated && count.includes('$'))) {
    problem(`invalid value "${count}", the only value allowed is 'all' or a number`, [...path, 'count']);
  }
  if (count !== undefined && d.device_ids !== undefined) problem('"count" and "device_ids" attributes are exclusive', path);
  if (needsCapabilities && d.capabilities === undefined) problem("missing property 'capabilities' (as in [gpu])", path);
}

/** Top-level volumes marked external that also say how to create them (compose checks volumes only). */
export function checkExternalResources(root: Dict, problem: (message: string, path: KeyPath) => void): void {
  for (const section of ['volumes']) {
    const defs = root[section];
    if (!isPlainMap(defs)) continue;
    for (const [key, def] of Object.entries(defs)) {
      if (!isPlainMap(def) || (def.external !== true && !isPlainMap(def.external))) continue;
      for (const other of Object.keys(def)) {
        if (other === 'name' || other === 'external' || other.startsWith('x-')) continue;
        problem(`conflicting parameters "external" and "${other}" specified: an external ${section.slice(0, -1)} exists already, so mixcompose does not create it`, [section, key, other]);
      }
    }
  }
}

function at(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const k of path) node = isPlainMap(node) ? node[k] : undefined;
  return node;
}
