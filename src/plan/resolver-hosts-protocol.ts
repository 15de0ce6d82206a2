/**
 * How the project resolver's hosts files are written: lines on the resolver container's stdin, read
 * by a small POSIX sh loop beside dnsmasq (hostsReaderScript), which answers each batch on stdout.
 *
 * Why not PUT /containers/{id}/archive, as before: on Docker 20.10 each archive write re-executes a
 * chrooted untar helper in dockerd (~200 ms of CPU per write, ~14 writes in a first `up` of a 20
 * service stack), while a line through an attached stdin costs the daemon a few milliseconds.
 *
 * The protocol (one record per line, fields separated by one tab, taken literally: the loop never
 * evaluates a field):
 *   begin                 forget any half batch a broken connection left
 *   file <dir> <name>     start the file <dir>/<name>, empty
 *   line <text>           append "<text>\n" to it
 *   write                 write it: a temp file in <dir> (a dotfile, which dnsmasq and observe
 *                         ignore), then mv over <name>, so dnsmasq never reads half a file and the
 *                         directory's mtime changes (engine/resolver-hosts-cache.ts relies on it)
 *   ack <token>           answer "ok <token>", or "failed <token> <why>" for the first refusal
 *                         since `begin`, on stdout
 *   ping <token> <ip> <seconds> <attempts>
 *                         the reach probe (engine/reach-probe.ts): ping the IPv4 <ip> from the
 *                         resolver, at most <attempts> times, each waiting <seconds>; in the
 *                         background (a batch never waits behind it), answered "ok <token>" on the
 *                         first reply, else "failed <token> <ping's last line>". Instead of an
 *                         exec, which costs the daemon ~200 ms of CPU where the attach costs a few.
 *                         A malformed record is answered "failed <token> ..." at once.
 * The loop refuses a <dir> it was not started with and a <name> that is empty, starts with a dot or
 * holds a slash; encodeHostsBatch refuses them (and any control character) before anything is sent.
 *
 * Pure: no I/O; engine/execute-ops.ts sends the batch through the adapter.
 */
import { PlanError } from '../errors.js';

/** One hosts file to write: `content` is `ip name` lines, each ending in a newline (empty: answers nothing). */
export interface HostsFileWrite {
  readonly dir: string;
  readonly file: string;
  readonly content: string;
}

/** The resolver's answer to a batch, from one stdout line. */
export type HostsBatchAnswer = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const TAB = '\t';
/** A hosts file name as the planner makes them (`<service>-<n>`, mixcompose-host-gateway): no dot first (dnsmasq skips dotfiles), no slash. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
/** Control characters (tab and newline among them) would break the line protocol. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function describeControl(text: string): string {
  const c = CONTROL.exec(text)![0];
  return c === '\n' ? 'a newline' : c === '\t' ? 'a tab' : c === '\r' ? 'a carriage return' : `the control character U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** The content's lines, without their newlines ("" → none). */
function contentLines(content: string): string[] {
  if (content === '') return [];
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The stdin text of one batch: every file, then `ack <token>`. PlanError naming the file when a
 * path would leave the known hostsdirs or a field holds a character the line protocol cannot carry.
 */
export function encodeHostsBatch(files: readonly HostsFileWrite[], token: string, knownDirs: readonly string[]): string {
  if (!TOKEN.test(token)) throw new Error(`internal: the hosts batch token "${token}" is not [A-Za-z0-9_-]`);
  const out = ['begin'];
  for (const f of files) {
    const where = `names across daemons: the resolver's hosts file ${f.dir}/${f.file}`;
    if (!knownDirs.includes(f.dir)) throw new PlanError(`${where} is outside its hostsdirs (${knownDirs.join(', ')})`);
    if (!FILE_NAME.test(f.file)) throw new PlanError(`${where}: a hosts file name is letters, digits, '_', '.' and '-', not starting with '.'`);
    for (const line of contentLines(f.content)) {
      if (CONTROL.test(line)) throw new PlanError(`${where}: the entry "${line.replace(CONTROL, '?')}" holds ${describeControl(line)} (a service name or alias?)`);
    }
    out.push(`file${TAB}${f.dir}${TAB}${f.file}`, ...contentLines(f.content).map((l) => `line${TAB}${l}`), 'write');
  }
  out.push(`ack${TAB}${token}`);
  return `${out.join('\n')}\n`;
}

/**
 * The stdin text of one ping record (see the module comment). Throws on values the loop would
 * refuse: the planner and the probe make them, so that is a bug, not a user problem.
 */
export function encodePingRecord(token: string, ip: string, seconds: number, attempts: number): string {
  if (!TOKEN.test(token)) throw new Error(`internal: the ping token "${token}" is not [A-Za-z0-9_-]`);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new Error(`internal: the probe pings IPv4 addresses only, not "${ip}"`);
  for (const n of [seconds, attempts]) if (!Number.isInteger(n) || n < 1 || n > 99) throw new Error(`internal: ping seconds and attempts are 1..99, not ${n}`);
  return `ping${TAB}${token}${TAB}${ip}${TAB}${seconds}${TAB}${attempts}\n`;
}

/**
 * The resolver's answer to the batch or ping record `token` when `line` is one ("ok <token>" or
 * "failed <token> <why>"); undefined for any other line.
 */
export function hostsBatchAnswer(line: string, token: string): HostsBatchAnswer | undefined {
  if (line === `ok ${token}`) return { ok: true };
  const failed = `failed ${token} `;
  if (line.startsWith(failed)) return { ok: false, reason: line.slice(failed.length) };
  return undefined;
}

/**
 * The files a batch's stdin text writes, in order, as the loop applies them (a file left without
 * `write` is not written). For the record of what a run wrote (engine/resolver-hosts-written.ts)
 * and for in-memory daemons.
 */
export function decodeHostsBatch(input: string): HostsFileWrite[] {
  const files: HostsFileWrite[] = [];
  let open: { dir: string; file: string; lines: string[] } | undefined;
  for (const line of input.split('\n')) {
    const tab = line.indexOf(TAB);
    const tag = tab < 0 ? line : line.slice(0, tab);
    const arg = tab < 0 ? line : line.slice(tab + 1);
    if (tag === 'begin') open = undefined;
    else if (tag === 'file') {
      const split = arg.indexOf(TAB);
      open = { dir: arg.slice(0, split), file: arg.slice(split + 1), lines: [] };
    } else if (tag === 'line') open?.lines.push(arg);
    else if (tag === 'write' && open) {
      files.push({ dir: open.dir, file: open.file, content: open.lines.map((l) => `${l}\n`).join('') });
      open = undefined;
    }
  }
  return files;
}

/** Shell function name of the loop. */
const READER = 'mixcompose_hosts_reader';

/**
 * The `ping` record, run in the background by the loop: fields split by parameter expansion (never
 * evaluated), each checked against a plain pattern before it reaches ping's command line.
 */
const PING_FUNCTION = [
  'mixcompose_ping() {',
  `  tab=$(printf '\\t') nl='`,
  `'`,
  '  token=${1%%"$tab"*} rest=${1#*"$tab"}',
  '  ip=${rest%%"$tab"*} rest=${rest#*"$tab"}',
  '  secs=${rest%%"$tab"*} tries=${rest#*"$tab"}',
  '  case $token in \'\'|*[!A-Za-z0-9_-]*) return ;; esac',
  '  case $ip in \'\'|*[!0-9.]*) printf \'failed %s %s\\n\' "$token" "not an IPv4 address"; return ;; esac',
  '  case $secs in \'\'|*[!0-9]*) printf \'failed %s %s\\n\' "$token" "not a number of seconds"; return ;; esac',
  '  case $tries in \'\'|*[!0-9]*) printf \'failed %s %s\\n\' "$token" "not a number of attempts"; return ;; esac',
  '  n=0 out=',
  '  while [ "$n" -lt "$tries" ]; do',
  '    n=$((n + 1))',
  '    if out=$(ping -c 1 -W "$secs" "$ip" 2>&1); then printf \'ok %s\\n\' "$token"; return; fi',
  '  done',
  '  printf \'failed %s %s\\n\' "$token" "${out##*"$nl"}"',
  '}',
];

/**
 * The loop as a POSIX sh function (busybox ash, dash): only `read`, `case`, parameter expansion,
 * printf and mv, all in every resolver base. `dirs` are the hostsdirs it may write (plain paths:
 * they become `case` patterns, so no glob characters).
 */
export function hostsReaderFunction(dirs: readonly string[]): string {
  for (const d of dirs) if (!/^\/[A-Za-z0-9/_.-]+$/.test(d)) throw new Error(`internal: hostsdir ${d} is not a plain path`);
  return [
    ...PING_FUNCTION,
    `${READER}() {`,
    `  tab=$(printf '\\t')`,
    '  bad= target= content=',
    '  while IFS= read -r line; do',
    '    tag=${line%%"$tab"*} arg=${line#*"$tab"}',
    '    case $tag in',
    '    begin) bad= target= content= ;;',
    '    file)',
    '      dir=${arg%%"$tab"*} name=${arg#*"$tab"} target= content=',
    `      case $dir in ${dirs.join('|')}) ;; *) [ -n "$bad" ] || bad="not a hostsdir: $dir"; continue ;; esac`,
    '      case $name in \'\'|.*|*/*) [ -n "$bad" ] || bad="not a file name: $name"; continue ;; esac',
    '      target=$dir/$name ;;',
    '    line) content="$content$arg',
    '" ;;',
    '    write)',
    '      [ -n "$target" ] || continue',
    '      tmp=$dir/.$name.tmp',
    '      { printf \'%s\' "$content" >"$tmp" && mv -f "$tmp" "$target"; } || { [ -n "$bad" ] || bad="cannot write $target"; }',
    '      target= ;;',
    '    ack)',
    '      if [ -n "$bad" ]; then printf \'failed %s %s\\n\' "$arg" "$bad"; else printf \'ok %s\\n\' "$arg"; fi',
    '      bad= ;;',
    '    ping) mixcompose_ping "$arg" & ;;',
    '    *) [ -n "$bad" ] || bad="unknown record: $tag" ;;',
    '    esac',
    '  done',
    '}',
  ].join('\n');
}

/**
 * Starts the loop in the background on the container's stdin. A background command's stdin is
 * /dev/null unless redirected (POSIX, without job control), so stdin is kept on fd 3 first and the
 * loop reads that; what runs next (dnsmasq, exec'd as PID 1) gets neither (`daemonRedirects`).
 */
export const HOSTS_READER_START = `exec 3<&0\n${READER} <&3 &`;
/** Redirections for the commands after HOSTS_READER_START: the loop alone holds the stdin pipe. */
export const DAEMON_REDIRECTS = '3<&- </dev/null';
