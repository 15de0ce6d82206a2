/**
 * Values the schema lets through as "a string or a number" but that must parse: byte sizes,
 * durations, CPU counts, integers and exposed ports. docker compose v2 rejects them when it loads
 * the file; so does mixcompose, so that no later step (the create body) meets a value it cannot
 * read. Uses the same parsers as the planner (src/model/units.ts).
 */
import { parseDuration, parseSize } from '../model/units.js';
import { checkServiceSpec } from './spec-checks.js';
import { isPlainMap } from './positions.js';

type Dict = Record<string, unknown>;
type Path = (string | number)[];
export type ValueProblem = (message: string, path: Path) => void;

const SIZE_HINT = 'expected a number of bytes or a size like 512m or 1.5g (units b, k, m, g, t, p)';
const DURATION_HINT = 'expected a duration like 30s, 1m30s or 500ms (units ns, us, ms, s, m, h)';

/** A message when `value` is not a byte size; `allowMinusOne` for "unlimited" (memswap_limit). */
export function sizeProblem(value: unknown, allowMinusOne = false): string | undefined {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && (value >= 0 || (allowMinusOne && value === -1))) return undefined;
    return `invalid size ${value}: ${SIZE_HINT}${allowMinusOne ? ', or -1 for unlimited' : ''}`;
  }
  if (typeof value !== 'string') return undefined; // the schema reports other types
  if (parseSize(value) !== undefined || (allowMinusOne && value.trim() === '-1')) return undefined;
  return `invalid size "${value}": ${SIZE_HINT}${allowMinusOne ? ', or -1 for unlimited' : ''}`;
}

/** A message when `value` is not a non-negative duration. */
export function durationProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  const ns = parseDuration(text);
  if (ns === undefined) {
    if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text)) return `invalid duration "${text}": the unit is missing (for example "${text}s")`;
    return `invalid duration "${text}": ${DURATION_HINT}`;
  }
  if (ns < 0) return `invalid duration "${text}": must not be negative`;
  return undefined;
}

/** A message when `value` is not a non-negative decimal number (cpus). */
export function cpusProblem(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? undefined : `invalid number of CPUs ${value}: expected a number >= 0 such as 0.5 or 2`;
  if (typeof value !== 'string') return undefined;
  if (/^\s*(\d+\.?\d*|\.\d+)\s*$/.test(value)) return undefined;
  return `invalid number of CPUs "${value}": expected a number >= 0 such as 0.5 or 2`;
}

/** A message when `value` is not an integer from `min` (to `max`). */
export function integerProblem(value: unknown, min: number, max?: number): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^[-+]?\d+$/.test(text) && Number(text) >= min && (max === undefined || Number(text) <= max)) return undefined;
  return `invalid value "${text}": expected a whole number ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}`;
}

const PROTOCOLS = ['tcp', 'udp', 'sctp'];

/** A message when a static address is not a dotted IPv4 address (four numbers 0-255). */
export function ipv4Problem(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined; // the schema reports other types
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (parts && parts.slice(1).every((p) => Number(p) <= 255)) return undefined;
  return `invalid IPv4 address "${value}": expected four numbers 0-255, like 172.20.0.10`;
}

/** Whether `value` is an IPv6 literal: eight hex groups, one `::` for a run of zeros, an IPv4 tail allowed. */
function isIpv6(value: string): boolean {
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const parts = halves.flatMap(groups);
  let count = parts.length;
  const last = parts[parts.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (ipv4Problem(last) !== undefined) return false;
    parts.pop();
    count += 1; // an IPv4 tail stands for two groups
  }
  if (!parts.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/**
 * A message when a daemon `address` (x-mixcompose.daemons.<p>.address) is neither a valid IP nor a
 * host name. Text that looks like an IP literal (digits and dots, or anything with a colon) must be
 * a valid one: `300.1.1.1` is a typo, not a host name to look up. No port: the published ports come
 * from each service's `ports:`.
 */
export function daemonAddressProblem(value: string): string | undefined {
  const text = value.trim();
  const expected = 'expected an IP address such as 192.0.2.10 or fd00::10, or a host name';
  if (/^[\d.]+$/.test(text)) return ipv4Problem(text) && `invalid IPv4 address "${value}": expected four numbers 0-255, like 192.0.2.10`;
  const withPort = /^(\[[^\]]*\]|[^:\s]+):(\d+)$/.exec(text);
  if (withPort) return `invalid address "${value}": give the address without a port (${withPort[1]!.replace(/^\[|\]$/g, '')}); a service's published port comes from its ports:`;
  if (/^\[.*\]$/.test(text)) return `invalid address "${value}": write an IPv6 address without brackets (${text.slice(1, -1)})`;
  if (text.includes(':')) return isIpv6(text) ? undefined : `invalid IPv6 address "${value}": ${expected}`;
  const label = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
  if (text.length <= 253 && new RegExp(`^${label}(?:\\.${label})*\\.?$`, 'i').test(text)) return undefined;
  return `invalid address "${value}": ${expected}`;
}

/** A message when an `expose` entry is not PORT[-PORT][/PROTOCOL] with ports 1-65535. */
export function exposeProblem(value: unknown): string | undefined {
  const text = String(value).trim();
  const m = /^(\d+)(?:-(\d+))?(?:\/([a-z]+))?$/i.exec(text);
  if (!m) return `invalid port "${text}" in expose: expected a port (1-65535), a range like 8000-8010, optionally with /tcp, /udp or /sctp`;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1 || a > 65535 || b < 1 || b > 65535) return `invalid port "${text}" in expose: ports are 1-65535`;
  if (b < a) return `invalid port range "${text}" in expose: the range must ascend`;
  if (m[3] !== undefined && !PROTOCOLS.includes(m[3].toLowerCase())) return `invalid protocol "${m[3]}" in expose "${text}": expected tcp, udp or sctp`;
  return undefined;
}

function at(root: unknown, path: Path): unknown {
  let node = root;
  for (const k of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[k] : undefined;
  return node;
}

type Check = (value: unknown) => string | undefined;
const size: Check = (v) => sizeProblem(v);
const duration: Check = durationProblem;
const cpus: Check = cpusProblem;
const int =
  (min: number, max?: number): Check =>
  (v) =>
    integerProblem(v, min, max);
const intOrDuration: Check = (v) => (integerProblem(v, 0) === undefined ? undefined : durationProblem(v) && `invalid value "${String(v)}": expected microseconds (a whole number) or a duration like 400ms`);

/** Service keys (paths below the service) and how their values must parse. */
const CHECKS: [Path, Check][] = [
  [['mem_limit'], size],
  [['mem_reservation'], size],
  [['memswap_limit'], (v) => sizeProblem(v, true)],
  [['shm_size'], size],
  [['build', 'shm_size'], size],
  [['cpus'], cpus],
  [['cpu_shares'], int(0)],
  [['cpu_quota'], int(-1)],
  [['cpu_period'], int(0)],
  [['cpu_rt_period'], intOrDuration],
  [['cpu_rt_runtime'], intOrDuration],
  [['pids_limit'], int(-1)],
  [['mem_swappiness'], int(0, 100)],
  [['stop_grace_period'], duration],
  [['healthcheck', 'interval'], duration],
  [['healthcheck', 'timeout'], duration],
  [['healthcheck', 'start_period'], duration],
  [['healthcheck', 'start_interval'], duration],
  [['healthcheck', 'retries'], int(0)],
  [['deploy', 'replicas'], int(0)],
  [['deploy', 'resources', 'limits', 'cpus'], cpus],
  [['deploy', 'resources', 'limits', 'memory'], size],
  [['deploy', 'resources', 'limits', 'pids'], int(-1)],
  [['deploy', 'resources', 'reservations', 'cpus'], cpus],
  [['deploy', 'resources', 'reservations', 'memory'], size],
  [['deploy', 'restart_policy', 'delay'], duration],
  [['deploy', 'restart_policy', 'window'], duration],
  [['deploy', 'update_config', 'delay'], duration],
  [['deploy', 'update_config', 'monitor'], duration],
  [['deploy', 'rollback_config', 'delay'], duration],
  [['deploy', 'rollback_config', 'monitor'], duration],
];

/**
 * The value problem of the service key at `path` (below the service), for keys whose values must
 * parse (sizes, durations, CPU counts, whole numbers); undefined when the value is fine or the key
 * is not one of them. The schema check uses it to say more than "expected a string" about a value
 * of the wrong type (`timeout: 10` lacks its unit).
 */
export function serviceValueProblem(path: readonly (string | number)[], value: unknown): string | undefined {
  const entry = CHECKS.find(([p]) => p.length === path.length && p.every((k, i) => k === path[i]));
  return entry && value !== undefined && value !== null ? entry[1](value) : undefined;
}

/**
 * Checks one (merged, canonical) service. `uninterpolated`: values holding a `$` are left alone
 * (config --no-interpolate prints them as written).
 */
export function checkServiceValues(raw: Dict, problem: ValueProblem, uninterpolated: boolean): void {
  const check = (value: unknown, path: Path, fn: Check) => {
    if (value === undefined || value === null) return;
    if (uninterpolated && typeof value === 'string' && value.includes('$')) return;
    const message = fn(value);
    if (message) problem(message, path);
  };
  for (const [path, fn] of CHECKS) check(at(raw, path), path, fn);
  if (Array.isArray(raw.expose)) raw.expose.forEach((e, i) => check(e, ['expose', i], exposeProblem));
  if (isPlainMap(raw.networks)) {
    for (const [network, settings] of Object.entries(raw.networks)) {
      if (isPlainMap(settings)) check(settings.ipv4_address, ['networks', network, 'ipv4_address'], ipv4Problem);
    }
  }
  // `environment: ["=value"]` names no variable; the daemon would refuse the container later.
  if (isPlainMap(raw.environment) && Object.prototype.hasOwnProperty.call(raw.environment, '')) {
    problem('a variable needs a name: an entry "=value" has none', ['environment']);
  }
  checkNoNul(raw, problem);
  if (Array.isArray(raw.volumes)) {
    raw.volumes.forEach((v, i) => {
      if (isPlainMap(v) && isPlainMap(v.tmpfs)) check(v.tmpfs.size, ['volumes', i, 'tmpfs', 'size'], size);
    });
  }
  // `tmpfs: ["/run:size=64m,mode=1777"]`: the daemon gets the options as written; the size must parse.
  if (Array.isArray(raw.tmpfs)) {
    raw.tmpfs.forEach((t, i) => {
      if (typeof t !== 'string') return;
      const size = /(?:^[^:]*:|,)size=([^,]*)/.exec(t)?.[1];
      if (size !== undefined) check(size, ['tmpfs', i], (v) => sizeProblem(v) && `${sizeProblem(v)!} (in tmpfs "${t}")`);
    });
  }
  checkServiceSpec(raw, problem, uninterpolated);
  const blkio = raw.blkio_config;
  if (isPlainMap(blkio)) {
    for (const key of ['device_read_bps', 'device_write_bps', 'device_read_iops', 'device_write_iops']) {
      const list = blkio[key];
      if (!Array.isArray(list)) continue;
      list.forEach((entry, i) => {
        if (isPlainMap(entry)) check(entry.rate, ['blkio_config', key, i, 'rate'], key.endsWith('_bps') ? size : int(0));
      });
    }
  }
}

/**
 * A NUL in an environment or label value: a process environment cannot carry it (the runtime cuts
 * or refuses it), so it is a problem at the value, not a surprise inside the container.
 */
function checkNoNul(raw: Dict, problem: ValueProblem): void {
  for (const key of ['environment', 'labels'] as const) {
    const values = raw[key];
    const entries: [string | number, unknown][] = isPlainMap(values) ? Object.entries(values) : Array.isArray(values) ? values.map((v, i) => [i, v]) : [];
    for (const [name, value] of entries) {
      if (typeof value === 'string' && value.includes('\0')) {
        problem(`${key === 'environment' ? 'environment variable' : 'label'} ${String(name)}: a NUL character (\\0) is not allowed in its value`, [key, name]);
      }
      if (typeof name === 'string' && name.includes('\0')) problem(`${key}: a NUL character (\\0) is not allowed in a name`, [key]);
    }
  }
}

/** The schemes a daemon endpoint may use (src/engine/daemon-endpoints.ts dials these). */
export const DAEMON_HOST_SCHEMES = ['unix', 'npipe', 'tcp', 'ssh', 'https'] as const;

/**
 * A message when `host` is not a daemon address mixcompose can dial. `bare`: a scheme-less
 * `host:port` means tcp (allowed on the command line and in the environment, like DOCKER_HOST).
 */
export function daemonHostProblem(host: string, bare = false): string | undefined {
  const expected = `expected ${DAEMON_HOST_SCHEMES.slice(0, -1).map((s) => `${s}://`).join(', ')} or https://`;
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(host.trim());
  if (!m) return bare && /^[^\s/:]+(:\d+)?$/.test(host.trim()) ? undefined : `invalid daemon host "${host}": ${expected}, such as unix:///var/run/docker.sock or tcp://host:2376`;
  const scheme = m[1]!.toLowerCase();
  if (!(DAEMON_HOST_SCHEMES as readonly string[]).includes(scheme)) {
    const hint = scheme === 'http' ? ' (plain-text TCP is tcp://)' : '';
    return `unsupported scheme "${scheme}" in daemon host "${host}": ${expected}${hint}`;
  }
  if (m[2] === '') return `invalid daemon host "${host}": the address after ${scheme}:// is missing`;
  if (scheme === 'tcp' || scheme === 'https' || scheme === 'ssh') {
    // [user@]host[:port][/path]; the port must be one.
    const port = /^(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/]*)(?::([^/]*))?/.exec(m[2]!)?.[1];
    if (port !== undefined && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
      return `invalid daemon host "${host}": the port "${port}" is not a number from 1 to 65535`;
    }
  }
  return undefined;
}
