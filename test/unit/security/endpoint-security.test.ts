/**
 * Plain tcp:// to a daemon beyond loopback is refused unless --insecure-daemon (then warned); TLS
 * is verified by default; TLS without verification is warned about. connectDaemons applies the
 * rule before any request leaves (the client factory records what would have been dialled).
 */
import { describe, expect, it } from 'vitest';

import { connectDaemons } from '../../../src/engine/connect-daemons.js';
import { resolveEndpoint, parseDockerHost } from '../../../src/engine/daemon-endpoints.js';
import { checkEndpointSecurity, isLoopbackHost } from '../../../src/engine/endpoint-security.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import { PlanError } from '../../../src/errors.js';
import { recorded } from '../../support/fake-engine.js';
import { stubProject, stubService } from '../engine/project-stub.js';

const tcp = (host: string, tls?: { verify: boolean }) => ({ platform: 'windows' as const, host, parsed: parseDockerHost(host), ...(tls ? { tls } : {}) });

describe('endpoint security rules', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['192.0.2.1', '10.0.0.1', '0.0.0.0', 'winbuild.example.internal', '::', '::2', 'localhost.example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses plain tcp:// beyond loopback, says what to do; --insecure-daemon turns it into a warning', () => {
    const verdict = checkEndpointSecurity(tcp('tcp://192.0.2.1:2375'), false);
    expect(verdict.refuse).toBe(
      'windows daemon tcp://192.0.2.1:2375: plain tcp:// without TLS on a non-loopback address: anyone who can reach 192.0.2.1 controls the daemon (root on its host). Refused. ' +
        'Use TLS (port 2376 with x-mixcompose.daemons.windows.tls, or DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH), or ssh://user@host; ' +
        'or, on a network you trust, pass --insecure-daemon (or set MIXCOMPOSE_INSECURE_DAEMON=1)',
    );
    const allowed = checkEndpointSecurity(tcp('tcp://192.0.2.1:2375'), true);
    expect(allowed.refuse).toBeUndefined();
    expect(allowed.warning).toMatch(/plain tcp:\/\/ without TLS .* used anyway because of --insecure-daemon$/);
  });

  it('accepts loopback tcp://, unix sockets, npipes and ssh without a word; warns about TLS that does not verify', () => {
    expect(checkEndpointSecurity(tcp('tcp://127.0.0.1:2375'), false)).toEqual({});
    expect(checkEndpointSecurity(tcp('tcp://localhost:2375'), false)).toEqual({});
    for (const host of ['unix:///var/run/docker.sock', 'npipe:////./pipe/docker_engine', 'ssh://ci@build.example:22']) {
      expect(checkEndpointSecurity({ platform: 'linux', host, parsed: parseDockerHost(host) }, false), host).toEqual({});
    }
    expect(checkEndpointSecurity(tcp('tcp://192.0.2.1:2376', { verify: true }), false)).toEqual({});
    expect(checkEndpointSecurity(tcp('tcp://192.0.2.1:2376', { verify: false }), false).warning).toMatch(/TLS without verifying the daemon's certificate/);
  });

  it('TLS is verified by default: port 2376 and tls settings without `verify` verify', async () => {
    const bare = await resolveEndpoint({ platform: 'windows', reach: 'auto', origin: 'file', host: 'tcp://192.0.2.1:2376' } as never, { env: {} });
    expect(bare.tls?.verify).toBe(true);
    expect(bare.modem.protocol).toBe('https');
    expect((bare.modem.agent as unknown as { options: { rejectUnauthorized?: boolean } }).options.rejectUnauthorized).toBe(true);
  });
});

describe('connectDaemons applies the rule before dialling', () => {
  const project = (windowsHost: string) =>
    stubProject([stubService('db', 'linux'), stubService('web', 'windows')], { linux: { host: 'unix:///nonexistent.sock' }, windows: { host: windowsHost } });

  it('a refused endpoint: a PlanError naming it, and no client is ever made', async () => {
    const dialled: string[] = [];
    const error = await connectDaemons(project('tcp://192.0.2.1:2375'), {
      allowOsMismatch: false,
      env: {},
      createClient: (endpoint) => (dialled.push(endpoint.host), {} as DaemonClient),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as Error).message).toMatch(/^windows daemon tcp:\/\/192\.0\.2\.1:2375: plain tcp:\/\/ without TLS/);
    expect(dialled).toEqual([]);
  });

  it('with insecureDaemon (or MIXCOMPOSE_INSECURE_DAEMON=1) it connects, with the warning; loopback tcp:// needs neither', async () => {
    const answering = (daemon: 'linux' | 'windows-server-2022', label: string) =>
      ({ label, version: async () => recorded(daemon, 'version'), info: async () => recorded(daemon, 'info'), close: () => undefined }) as unknown as DaemonClient;
    const createClient = (endpoint: { platform: string }, label: string) => answering(endpoint.platform === 'windows' ? 'windows-server-2022' : 'linux', label);
    for (const options of [{ insecureDaemon: true, env: {} }, { env: { MIXCOMPOSE_INSECURE_DAEMON: '1' } }]) {
      const result = await connectDaemons(project('tcp://192.0.2.1:2375'), { allowOsMismatch: false, createClient, ...options });
      expect(result.warnings.filter((w) => /plain tcp:\/\/ without TLS/.test(w))).toHaveLength(1);
      expect(Object.keys(result.clients).sort()).toEqual(['linux', 'windows']);
    }
    const loopback = await connectDaemons(project('tcp://127.0.0.1:2375'), { allowOsMismatch: false, env: {}, createClient });
    expect(loopback.warnings).toEqual([]);
  });
});
