/**
 * After interpolation, text where compose wants a number or a boolean becomes one, at the same
 * key paths docker compose (compose-go) casts: `parallelism: ${N}` is the integer N,
 * `init: yes` is true (with a warning: YAML 1.2 has no such boolean), `oom_score_adj: "-500"` a
 * number. Also:
 * - a secret or config `mode` written as text is octal (`"0440"`, `${MODE}`), as the
 *   specification says; a plain `0440` is already read as octal by the YAML reader;
 * - empty `dns` entries (`dns: ${UNSET}`) are dropped, as compose does.
 * Text that does not spell the wanted type is reported at its key.
 */
import { Tagged, isPlainMap, type KeyPath, type PositionIndex } from './positions.js';
import type { IssueList } from './issues.js';

type Kind = 'int' | 'float' | 'bool';
type Dict = Record<string, unknown>;

/** Service keys (`*` = any map key, `[]` = any list item). */
const SERVICE_CASTS: [string, Kind][] = [
  ['cpu_count', 'int'],
  ['cpu_percent', 'float'],
  ['cpu_period', 'int'],
  ['cpu_quota', 'int'],
  ['cpu_rt_period', 'int'],
  ['cpu_rt_runtime', 'int'],
  ['cpus', 'float'],
  ['cpu_shares', 'int'],
  ['init', 'bool'],
  ['depends_on.*.required', 'bool'],
  ['depends_on.*.restart', 'bool'],
  ['deploy.replicas', 'int'],
  ['deploy.update_config.parallelism', 'int'],
  ['deploy.update_config.max_failure_ratio', 'float'],
  ['deploy.rollback_config.parallelism', 'int'],
  ['deploy.rollback_config.max_failure_ratio', 'float'],
  ['deploy.restart_policy.max_attempts', 'int'],
  ['deploy.placement.max_replicas_per_node', 'int'],
  ['healthcheck.retries', 'int'],
  ['healthcheck.disable', 'bool'],
  ['oom_kill_disable', 'bool'],
  ['oom_score_adj', 'int'],
  ['pids_limit', 'int'],
  ['ports.[].target', 'int'],
  ['privileged', 'bool'],
  ['read_only', 'bool'],
  ['scale', 'int'],
  ['stdin_open', 'bool'],
  ['tty', 'bool'],
  ['ulimits.*', 'int'],
  ['ulimits.*.hard', 'int'],
  ['ulimits.*.soft', 'int'],
  ['volumes.[].read_only', 'bool'],
  ['volumes.[].volume.nocopy', 'bool'],
];
const TOP_CASTS: [string, Kind][] = [
  ...SERVICE_CASTS.map(([p, k]): [string, Kind] => [`services.*.${p}`, k]),
  ...['external', 'internal', 'attachable', 'enable_ipv4', 'enable_ipv6'].map((k): [string, Kind] => [`networks.*.${k}`, 'bool']),
  ['volumes.*.external', 'bool'],
  ['secrets.*.external', 'bool'],
  ['configs.*.external', 'bool'],
];

const WORDS: Record<Kind, string> = { int: 'an integer', float: 'a number', bool: 'true or false' };

function cast(text: string, kind: Kind): { value: number | boolean; warn?: string } | undefined {
  const t = text.trim();
  if (kind === 'int') return /^[-+]?\d+$/.test(t) ? { value: Number(t) } : undefined;
  if (kind === 'float') return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? { value: Number(t) } : undefined;
  const lower = t.toLowerCase();
  if (lower === 'true' || lower === 'false') return { value: lower === 'true' };
  if (['y', 'yes', 'on'].includes(lower)) return { value: true, warn: `"${t}" for a boolean is not YAML 1.2; write true` };
  if (['n', 'no', 'off'].includes(lower)) return { value: false, warn: `"${t}" for a boolean is not YAML 1.2; write false` };
  return undefined;
}

/**
 * Applies the casts to a file in place. `uninterpolated`: text holding `$` is left as written.
 */
export function castTypedValues(root: Dict, positions: PositionIndex, issues: IssueList, uninterpolated: boolean): void {
  const at = (path: KeyPath) => positions.locate(root, path);
  for (const [pattern, kind] of TOP_CASTS) {
    visit(root, pattern.split('.'), [], (holder, key, path) => {
      const value = holder[key];
      if (typeof value !== 'string' || (uninterpolated && value.includes('$'))) return;
      const result = cast(value, kind);
      if (!result) {
        // The schema reports the others; it does not look into `deploy`.
        if (pattern.includes('.deploy.')) issues.error(`expected ${WORDS[kind]}, got "${value}"`, at(path), path);
        return;
      }
      if (result.warn) issues.warning(result.warn, at(path), path);
      holder[key] = result.value;
    });
  }
  const services = root.services;
  if (!isPlainMap(services)) return;
  for (const svc of Object.values(services)) {
    if (!isPlainMap(svc)) continue;
    for (const refs of [svc.secrets, svc.configs, isPlainMap(svc.build) ? svc.build.secrets : undefined]) {
      if (!Array.isArray(refs)) continue;
      for (const ref of refs) {
        if (!isPlainMap(ref) || typeof ref.mode !== 'string') continue;
        const text = ref.mode.trim();
        if (uninterpolated && text.includes('$')) continue;
        if (/^(0o?)?[0-7]+$/i.test(text)) ref.mode = parseInt(text.replace(/^0o/i, ''), 8);
      }
    }
    if (Array.isArray(svc.dns)) {
      const kept = svc.dns.filter((d) => d !== '' && d !== null);
      if (kept.length !== svc.dns.length) {
        const list = svc.dns;
        const out: unknown[] = [];
        positions.inherit(list, out);
        list.forEach((d, i) => {
          if (d === '' || d === null) return;
          positions.copyKey(list, i, out, out.length);
          out.push(d);
        });
        svc.dns = out;
      }
    } else if (svc.dns === '') delete svc.dns;
  }
}

/** Calls `fn` for every place matching `pattern` (through `!reset` / `!override` tags). */
function visit(node: unknown, pattern: readonly string[], path: KeyPath, fn: (holder: Record<string | number, unknown>, key: string | number, path: KeyPath) => void): void {
  const inner = node instanceof Tagged ? node.value : node;
  const [head, ...rest] = pattern;
  if (head === undefined) return;
  const step = (holder: Record<string | number, unknown>, key: string | number) => {
    if (rest.length === 0) {
      if (holder[key] instanceof Tagged) {
        const t = holder[key] as Tagged;
        const box: Record<string, unknown> = { v: t.value };
        fn(box, 'v', [...path, key]);
        holder[key] = new Tagged(t.tag, box.v);
      } else fn(holder, key, [...path, key]);
    } else visit(holder[key], rest, [...path, key], fn);
  };
  if (head === '[]') {
    if (Array.isArray(inner)) inner.forEach((_, i) => step(inner as unknown as Record<number, unknown>, i));
  } else if (isPlainMap(inner)) {
    if (head === '*') for (const k of Object.keys(inner)) step(inner, k);
    else if (Object.prototype.hasOwnProperty.call(inner, head)) step(inner, head);
  }
}
