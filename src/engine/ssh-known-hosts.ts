/**
 * Host keys of ssh:// endpoints, checked against OpenSSH's known_hosts (~/.ssh/known_hosts).
 * ssh2 accepts any host key unless told otherwise; the docker CLI's ssh refuses a changed one.
 *
 * The rule: a host key is refused when known_hosts lists keys of the same type for the host and none
 * of them is the key offered (a changed key: what OpenSSH calls "REMOTE HOST IDENTIFICATION HAS
 * CHANGED"), or when it is listed as @revoked. A host with no entry of that type is accepted and
 * nothing is written, as OpenSSH's `StrictHostKeyChecking accept-new` would, minus the write.
 * Patterns: plain and `[host]:port` names, `*`/`?` wildcards, `!` negation and hashed names
 * (`|1|salt|hash`, HMAC-SHA1). @cert-authority lines are ignored.
 */
import { createHmac } from 'node:crypto';

/** The name known_hosts uses for a host and port: "host" on 22, else "[host]:port". */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type written inside an ssh public key blob (its first string), e.g. "ssh-ed25519". */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || 4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

function wildcardMatch(pattern: string, name: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** True when a known_hosts host field (comma-separated patterns) names `name`. */
export function hostFieldMatches(field: string, name: string): boolean {
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('|')) {
      if (hashedMatch(pattern, name)) matched = true;
    } else if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** What known_hosts says about an offered host key. */
export type HostKeyVerdict =
  | { readonly ok: true; readonly known: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks `blob` (the server's host key, ssh wire format) for host:port against the text of a
 * known_hosts file (`source` names it in reasons).
 */
export function checkHostKey(knownHosts: string, source: string, host: string, port: number, blob: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const type = keyTypeOfBlob(blob);
  const offered = blob.toString('base64');
  let sameType = 0;
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key || marker === '@cert-authority') continue;
    if (!hostFieldMatches(hosts, name)) continue;
    if (marker === '@revoked') {
      if (key === offered) return { ok: false, reason: `the host key of ${name} is marked @revoked in ${source}` };
      continue;
    }
    if (keyType !== type) continue;
    if (key === offered) return { ok: true, known: true };
    sameType += 1;
  }
  if (sameType > 0) {
    return {
      ok: false,
      reason: `the ${type} host key of ${name} is not the one ${source} lists (it changed, or someone is in between); if the change is expected, remove the old entry (ssh-keygen -R "${name}")`,
    };
  }
  return { ok: true, known: false };
}
