import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authKeyFor, RegistryAuthResolver, registryOf } from '../../../src/engine/registry-auth.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'registry-auth-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeConfig = (config: unknown) => writeFileSync(join(dir, 'config.json'), JSON.stringify(config));

describe('registryOf / authKeyFor', () => {
  it('finds the registry host like the docker CLI', () => {
    expect(registryOf('busybox')).toBe('docker.io');
    expect(registryOf('library/busybox:1.36')).toBe('docker.io');
    expect(registryOf('127.0.0.1:5555/busybox:latest')).toBe('127.0.0.1:5555');
    expect(registryOf('mcr.microsoft.com/windows/nanoserver:ltsc2022')).toBe('mcr.microsoft.com');
    expect(registryOf('localhost/x')).toBe('localhost');
    expect(authKeyFor('docker.io')).toBe('https://index.docker.io/v1/');
  });
});

describe('RegistryAuthResolver', () => {
  it('decodes auths entries (base64 auth, identity token) and is anonymous otherwise', async () => {
    writeConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
        'registry.example.com': { identitytoken: 'tok' },
      },
    });
    const resolver = new RegistryAuthResolver({ env: { DOCKER_CONFIG: dir } });
    expect(await resolver.forImage('busybox')).toEqual({ serveraddress: 'https://index.docker.io/v1/', username: 'hubuser', password: 'hub:pass' });
    expect(await resolver.forImage('registry.example.com/app:1')).toEqual({ serveraddress: 'registry.example.com', identitytoken: 'tok' });
    expect(await resolver.forImage('127.0.0.1:5555/busybox')).toBeUndefined();
  });

  it('matches an auths key written as a URL against the bare host', async () => {
    writeConfig({ auths: { 'https://registry.example.com/v2/': { username: 'u', password: 'p' } } });
    const resolver = new RegistryAuthResolver({ env: { DOCKER_CONFIG: dir } });
    expect(await resolver.forImage('registry.example.com/app')).toMatchObject({ username: 'u', password: 'p' });
  });

  it('asks credHelpers per registry and credsStore otherwise, by running docker-credential-* (execa)', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // A helper that answers per server on stdin, like docker-credential-pass would.
    const script = `#!/bin/sh
read server
case "$server" in
  registry.example.com) echo '{"ServerURL":"registry.example.com","Username":"helper-user","Secret":"s3cret"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"hub","Username":"<token>","Secret":"refresh-token"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;
    for (const name of ['docker-credential-fakehelper', 'docker-credential-fakestore']) {
      writeFileSync(join(bin, name), script);
      chmodSync(join(bin, name), 0o755);
    }
    writeConfig({ credHelpers: { 'registry.example.com': 'fakehelper' }, credsStore: 'fakestore' });
    const resolver = new RegistryAuthResolver({ env: { DOCKER_CONFIG: dir, PATH: `${bin}:/usr/bin:/bin` } });
    expect(await resolver.forImage('registry.example.com/app')).toEqual({ serveraddress: 'registry.example.com', username: 'helper-user', password: 's3cret' });
    expect(await resolver.forImage('busybox')).toEqual({ serveraddress: 'https://index.docker.io/v1/', identitytoken: 'refresh-token' });
    expect(await resolver.forImage('other.example.org/x')).toBeUndefined();
  });

  it('names a credential helper that cannot be run', async () => {
    writeConfig({ credsStore: 'missing-helper' });
    const resolver = new RegistryAuthResolver({ env: { DOCKER_CONFIG: dir, PATH: dir } });
    await expect(resolver.forImage('busybox')).rejects.toThrow(/docker-credential-missing-helper/);
  });

  it('works without a config.json', async () => {
    const resolver = new RegistryAuthResolver({ env: { DOCKER_CONFIG: join(dir, 'none') } });
    expect(await resolver.forImage('busybox')).toBeUndefined();
    expect(await resolver.all()).toEqual({});
  });
});
