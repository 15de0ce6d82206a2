/**
 * Security rules for daemon endpoints, checked before anything is sent to a daemon.
 *
 * A Docker daemon's API is root on its host. Over plain `tcp://` (no TLS) anyone who can reach
 * the port, or sit on the path, controls the daemon, so a `tcp://` endpoint without TLS on an
 * address that is not loopback is refused unless the user says `--insecure-daemon` (or
 * MIXCOMPOSE_INSECURE_DAEMON=1), and then it is used with a warning. TLS is verified by default
 * (daemon-endpoints.ts); TLS with verification turned off (`tls.verify: false`, a context with
 * SkipTLSVerify, DOCKER_CERT_PATH without DOCKER_TLS_VERIFY) is used with a warning.
 */
import { isIP } from 'node:net';

import { EndpointError, type ResolvedEndpoint } from './daemon-endpoints.js';
import type { PlatformOs } from '../model/project.js';

/** Loopback: 127.0.0.0/8, ::1 (also as an IPv4-mapped address) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return isIP(h) === 6 && /^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(h);
}

export interface EndpointVerdict {
  /** Set when the endpoint must not be used: the message says why and what to do. */
  readonly refuse?: string;
  readonly warning?: string;
}

/** Pure: what the rules say about one resolved endpoint. */
export function checkEndpointSecurity(endpoint: Pick<ResolvedEndpoint, 'platform' | 'host' | 'parsed' | 'tls'>, insecureDaemon: boolean): EndpointVerdict {
  if (endpoint.parsed.scheme !== 'tcp') return {};
  const host = endpoint.parsed.host;
  if (!endpoint.tls) {
    if (isLoopbackHost(host)) return {};
    const risk = `${endpoint.platform} daemon ${endpoint.host}: plain tcp:// without TLS on a non-loopback address: anyone who can reach ${host} controls the daemon (root on its host)`;
    if (insecureDaemon) return { warning: `${risk}; used anyway because of --insecure-daemon` };
    return {
      refuse:
        `${risk}. Refused. Use TLS (port 2376 with x-mixcompose.daemons.${endpoint.platform}.tls, or DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH), ` +
        `or ssh://user@host; or, on a network you trust, pass --insecure-daemon (or set MIXCOMPOSE_INSECURE_DAEMON=1)`,
    };
  }
  if (!endpoint.tls.verify) {
    return { warning: `${endpoint.platform} daemon ${endpoint.host}: TLS without verifying the daemon's certificate: anyone on the path can impersonate it (set tls.verify: true with its CA)` };
  }
  return {};
}

/** Throws an EndpointError for the first refused endpoint; returns the warnings of the others. */
export function enforceEndpointSecurity(endpoints: Readonly<Partial<Record<PlatformOs, ResolvedEndpoint>>>, insecureDaemon: boolean): string[] {
  const warnings: string[] = [];
  for (const endpoint of Object.values(endpoints)) {
    const verdict = checkEndpointSecurity(endpoint, insecureDaemon);
    if (verdict.refuse) throw new EndpointError(verdict.refuse);
    if (verdict.warning && !warnings.includes(verdict.warning)) warnings.push(verdict.warning);
  }
  return warnings;
}
