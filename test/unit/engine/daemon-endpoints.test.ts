import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contextDirectoryName,
  parseDockerHost,
  readDockerContext,
  resolveEndpoint,
} from '../../../src/engine/daemon-endpoints.js';
import { SshDialAgent } from '../../../src/engine/ssh-dial-agent.js';
import { PlanError } from '../../../src/errors.js';
import type { DaemonSettings } from '../../../src/model/project.js';

const settings = (extra: Partial<DaemonSettings>): DaemonSettings => ({ platform: 'windows', reach: 'auto', origin: 'file', ...extra });

describe('parseDockerHost', () => {
  it('reads unix sockets', () => {
    expect(parseDockerHost('unix:///run/mixcompose-rig/linux.sock')).toEqual({ scheme: 'unix', socketPath: '/run/mixcompose-rig/linux.sock' });
  });
  it('turns npipe URLs into the pipe path node dials', () => {
    expect(parseDockerHost('npipe:////./pipe/docker_engine_windows')).toEqual({ scheme: 'npipe', socketPath: '//./pipe/docker_engine_windows' });
    expect(parseDockerHost('npipe:////./pipe/docker_engine_linux')).toEqual({ scheme: 'npipe', socketPath: '//./pipe/docker_engine_linux' });
  });
  it('reads tcp with and without scheme, defaulting the port', () => {
    expect(parseDockerHost('tcp://10.0.0.5:2376')).toEqual({ scheme: 'tcp', host: '10.0.0.5', port: 2376 });
    expect(parseDockerHost('winhost:2375')).toEqual({ scheme: 'tcp', host: 'winhost', port: 2375 });
    expect(parseDockerHost('tcp://winhost')).toEqual({ scheme: 'tcp', host: 'winhost', port: 2375 });
  });
  it('reads ssh with user and port', () => {
    expect(parseDockerHost('ssh://admin@winhost:2222')).toEqual({ scheme: 'ssh', host: 'winhost', port: 2222, username: 'admin' });
    expect(parseDockerHost('ssh://winhost')).toEqual({ scheme: 'ssh', host: 'winhost', port: 22 });
  });
  it('refuses unknown schemes with the value in the message', () => {
    expect(() => parseDockerHost('fd://3')).toThrow(/"fd:\/\/3": unsupported scheme fd/);
    expect(() => parseDockerHost('unix://')).toThrow(/needs a socket path/);
  });
});

describe('resolveEndpoint', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'endpoints-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeCerts = (where: string, tag: string) => {
    mkdirSync(where, { recursive: true });
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(where, file), `${tag}:${file}`);
  };

  it('gives npipe endpoints a socketPath and no host (no DOCKER_HOST leak)', async () => {
    const endpoint = await resolveEndpoint(settings({ host: 'npipe:////./pipe/docker_engine_windows' }), {
      env: { DOCKER_HOST: 'tcp://elsewhere:2375' },
    });
    expect(endpoint.modem.socketPath).toBe('//./pipe/docker_engine_windows');
    expect(endpoint.modem.host).toBeUndefined();
    expect('host' in endpoint.modem).toBe(true);
    expect(endpoint.label).toBe('windows (npipe:////./pipe/docker_engine_windows)');
  });

  it('uses plain http for tcp without TLS settings', async () => {
    const endpoint = await resolveEndpoint(settings({ host: 'tcp://winhost:2375' }), { env: {} });
    expect(endpoint.modem).toMatchObject({ host: 'winhost', port: 2375, protocol: 'http' });
    expect(endpoint.tls).toBeUndefined();
  });

  it('applies DOCKER_TLS_VERIFY and DOCKER_CERT_PATH like the docker CLI', async () => {
    writeCerts(join(dir, 'certs'), 'env');
    const endpoint = await resolveEndpoint(settings({ host: 'tcp://winhost:2376' }), {
      env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'certs') },
    });
    expect(endpoint.modem.protocol).toBe('https');
    expect(endpoint.modem.ca?.toString()).toBe('env:ca.pem');
    expect(endpoint.modem.cert?.toString()).toBe('env:cert.pem');
    expect(endpoint.modem.key?.toString()).toBe('env:key.pem');
    expect(endpoint.tls?.verify).toBe(true);
    expect((endpoint.modem.agent as HttpsAgent | undefined)?.options.rejectUnauthorized).toBe(true);
  });

  it("prefers the file's tls over the environment and honours verify: false", async () => {
    writeCerts(join(dir, 'env'), 'env');
    writeCerts(join(dir, 'file'), 'file');
    const endpoint = await resolveEndpoint(
      settings({
        host: 'tcp://winhost:2376',
        tls: { ca: join(dir, 'file', 'ca.pem'), cert: join(dir, 'file', 'cert.pem'), key: join(dir, 'file', 'key.pem'), verify: false },
      }),
      { env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'env') } },
    );
    expect(endpoint.modem.ca?.toString()).toBe('file:ca.pem');
    expect((endpoint.modem.agent as HttpsAgent | undefined)?.options.rejectUnauthorized).toBe(false);
  });

  it('names the unreadable TLS file', async () => {
    await expect(
      resolveEndpoint(settings({ host: 'tcp://winhost:2376', tls: { ca: join(dir, 'missing.pem') } }), { env: {} }),
    ).rejects.toThrow(/cannot read TLS CA .*missing\.pem/);
  });

  it('refuses DOCKER_TLS_VERIFY without the certificate files, naming them (as the docker CLI)', async () => {
    mkdirSync(join(dir, 'partial'));
    writeFileSync(join(dir, 'partial', 'ca.pem'), 'ca');
    const error = await resolveEndpoint(settings({ host: 'tcp://winhost:2376' }), {
      env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'partial') },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as Error).message).toBe(
      `DOCKER_TLS_VERIFY is set, but ${join(dir, 'partial', 'cert.pem')}, ${join(dir, 'partial', 'key.pem')} do not exist (set DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem)`,
    );
    // Not for unix sockets, where TLS does not apply.
    const unix = await resolveEndpoint(settings({ host: 'unix:///run/x.sock' }), { env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'partial') } });
    expect(unix.tls).toBeUndefined();
  });

  it('reports a bad address or an unknown context as invalid input (PlanError, exit 1), not an internal error', async () => {
    for (const bad of [settings({ host: 'tcp://127.0.0.1:99999' }), settings({ context: 'nope' })]) {
      const error = await resolveEndpoint(bad, { env: { DOCKER_CONFIG: dir } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PlanError);
    }
  });

  it('switches to https for port 2376 even without certificates (docker-modem rule)', async () => {
    const endpoint = await resolveEndpoint(settings({ host: 'tcp://winhost:2376' }), { env: {} });
    expect(endpoint.modem.protocol).toBe('https');
  });

  it('uses TLS for https:// addresses on any port', async () => {
    const endpoint = await resolveEndpoint(settings({ host: 'https://winhost:8443' }), { env: {} });
    expect(endpoint.modem).toMatchObject({ host: 'winhost', port: 8443, protocol: 'https' });
  });

  it('dials ssh endpoints through an ssh agent connection (dial-stdio) with the agent socket', async () => {
    const endpoint = await resolveEndpoint(settings({ host: 'ssh://admin@winhost' }), { env: { SSH_AUTH_SOCK: '/tmp/agent.sock', HOME: '/home/me' } });
    expect(endpoint.modem).toMatchObject({ protocol: 'http', host: 'winhost', port: 22, username: 'admin' });
    expect(endpoint.modem.agent).toBeInstanceOf(SshDialAgent);
    expect((endpoint.modem.agent as SshDialAgent).ssh).toEqual({
      host: 'winhost',
      port: 22,
      username: 'admin',
      agentSocket: '/tmp/agent.sock',
      knownHostsFile: join('/home/me', '.ssh', 'known_hosts'),
    });
  });

  it('reads a docker context and its TLS files from DOCKER_CONFIG', async () => {
    const name = 'win2022';
    const hash = createHash('sha256').update(name).digest('hex');
    expect(contextDirectoryName(name)).toBe(hash);
    mkdirSync(join(dir, 'contexts', 'meta', hash), { recursive: true });
    writeFileSync(
      join(dir, 'contexts', 'meta', hash, 'meta.json'),
      JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: 'tcp://10.1.2.3:2376', SkipTLSVerify: false } } }),
    );
    writeCerts(join(dir, 'contexts', 'tls', hash, 'docker'), 'ctx');
    const endpoint = await resolveEndpoint(settings({ context: name }), { env: { DOCKER_CONFIG: dir } });
    expect(endpoint.host).toBe('tcp://10.1.2.3:2376');
    expect(endpoint.context).toBe(name);
    expect(endpoint.label).toBe('windows (context win2022: tcp://10.1.2.3:2376)');
    expect(endpoint.modem).toMatchObject({ host: '10.1.2.3', port: 2376, protocol: 'https' });
    expect(endpoint.modem.cert?.toString()).toBe('ctx:cert.pem');
    expect((endpoint.modem.agent as HttpsAgent | undefined)?.options.rejectUnauthorized).toBe(true);
  });

  it('honours SkipTLSVerify of a context', async () => {
    const hash = contextDirectoryName('insecure');
    mkdirSync(join(dir, 'contexts', 'meta', hash), { recursive: true });
    writeFileSync(
      join(dir, 'contexts', 'meta', hash, 'meta.json'),
      JSON.stringify({ Name: 'insecure', Endpoints: { docker: { Host: 'tcp://h:2376', SkipTLSVerify: true } } }),
    );
    const endpoint = await resolveEndpoint(settings({ context: 'insecure' }), { env: { DOCKER_CONFIG: dir } });
    expect((endpoint.modem.agent as HttpsAgent | undefined)?.options.rejectUnauthorized).toBe(false);
  });

  it('names a missing context and where it looked', async () => {
    await expect(readDockerContext('nope', { DOCKER_CONFIG: dir })).rejects.toThrow(/docker context "nope" not found .*meta\.json/);
  });

  it('treats the "default" context as DOCKER_HOST or the standard socket', async () => {
    const endpoint = await resolveEndpoint(settings({ platform: 'linux', context: 'default' }), {
      env: { DOCKER_CONFIG: dir },
      hostPlatform: 'linux',
    });
    expect(endpoint.host).toBe('unix:///var/run/docker.sock');
  });

  it('gives the same key to two spellings of one daemon', async () => {
    const a = await resolveEndpoint(settings({ platform: 'linux', host: 'tcp://h:2375' }), { env: {} });
    const b = await resolveEndpoint(settings({ platform: 'windows', host: 'h:2375' }), { env: {} });
    expect(a.key).toBe(b.key);
  });
});
