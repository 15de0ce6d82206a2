import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { normalizeExtraHost, parsePortSpec, parseVolumeSpec, shellSplit } from '../../../src/config/short-syntax.js';
import { parseAddressReferences } from '../../../src/config/address-references.js';
import { parsePlatform } from '../../../src/config/platform.js';

describe('ports', () => {
  it('parses every short form', () => {
    expect(parsePortSpec('80')).toEqual([{ mode: 'ingress', protocol: 'tcp', target: 80 }]);
    expect(parsePortSpec('8080:80/udp')).toEqual([{ mode: 'ingress', protocol: 'udp', target: 80, published: '8080' }]);
    expect(parsePortSpec('127.0.0.1::80')).toEqual([{ mode: 'ingress', protocol: 'tcp', host_ip: '127.0.0.1', target: 80 }]);
    expect(parsePortSpec('[::1]:8080:80')).toEqual([{ mode: 'ingress', protocol: 'tcp', host_ip: '::1', target: 80, published: '8080' }]);
    expect(parsePortSpec('8000-8010:80')).toEqual([{ mode: 'ingress', protocol: 'tcp', target: 80, published: '8000-8010' }]);
    expect(parsePortSpec('9090-9091:8080-8081').map((p) => `${p.published}->${p.target}`)).toEqual(['9090->8080', '9091->8081']);
    expect(parsePortSpec('3000-3001').map((p) => p.target)).toEqual([3000, 3001]);
  });

  it('rejects malformed ports', () => {
    expect(() => parsePortSpec('80/icmp')).toThrow('invalid protocol "icmp"');
    expect(() => parsePortSpec('70000')).toThrow('ports are 1-65535');
    expect(() => parsePortSpec('0')).toThrow('invalid container port "0"');
    expect(() => parsePortSpec('65536:80')).toThrow('invalid host port "65536" in port "65536:80": ports are 0-65535');
    expect(parsePortSpec('0:80')).toEqual([{ protocol: 'tcp', mode: 'ingress', target: 80, published: '0' }]);
    expect(() => parsePortSpec('a:80')).toThrow('invalid host port "a"');
  });
});

describe('volumes', () => {
  const base = path.resolve('/proj');
  it('parses binds, named and anonymous volumes with modes', () => {
    expect(parseVolumeSpec('./data:/data:ro,z', base, '/home/me')).toEqual({
      type: 'bind',
      source: path.join(base, 'data'),
      target: '/data',
      read_only: true,
      bind: { create_host_path: true, selinux: 'z' },
    });
    expect(parseVolumeSpec('~/cache:/cache', base, '/home/me').source).toBe(path.join('/home/me', 'cache'));
    expect(parseVolumeSpec('db:/var/lib/db:nocopy', base, undefined)).toEqual({ type: 'volume', source: 'db', target: '/var/lib/db', volume: { nocopy: true } });
    expect(parseVolumeSpec('/anon', base, undefined)).toEqual({ type: 'volume', target: '/anon' });
  });

  it('keeps Windows paths and named pipes whole', () => {
    expect(parseVolumeSpec('C:\\data:C:\\app\\data', base, undefined)).toMatchObject({ type: 'bind', source: 'C:\\data', target: 'C:\\app\\data' });
    expect(parseVolumeSpec('logs:C:/logs', base, undefined)).toEqual({ type: 'volume', source: 'logs', target: 'C:/logs' });
    expect(parseVolumeSpec('\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine', base, undefined)).toEqual({
      type: 'npipe',
      source: '\\\\.\\pipe\\docker_engine',
      target: '\\\\.\\pipe\\docker_engine',
    });
  });

  it('rejects malformed volumes', () => {
    expect(() => parseVolumeSpec(':/x', base, undefined)).toThrow('expected [SOURCE:]TARGET[:MODE]');
    expect(() => parseVolumeSpec('vol:/b:ro:fast', base, undefined)).toThrow('too many colons');
    // An unknown mode is ignored, as compose ignores it; the loader warns about it.
    expect(parseVolumeSpec('vol:/b:fast', base, undefined)).toEqual({ type: 'volume', source: 'vol', target: '/b' });
  });
});

describe('command strings and extra_hosts', () => {
  it('splits like a shell', () => {
    expect(shellSplit(`sh -c 'echo "$HOME" && sleep 1' a\\ b "x\\"y"`)).toEqual(['sh', '-c', 'echo "$HOME" && sleep 1', 'a b', 'x"y']);
    expect(shellSplit('  ')).toEqual([]);
    expect(shellSplit('a ""')).toEqual(['a', '']);
    expect(() => shellSplit("echo 'x")).toThrow('unterminated single quote');
  });

  it('normalizes extra_hosts to host=ip', () => {
    expect(normalizeExtraHost('db:10.0.0.1')).toBe('db=10.0.0.1');
    expect(normalizeExtraHost('v6:::1')).toBe('v6=::1');
    expect(normalizeExtraHost('x=1.2.3.4')).toBe('x=1.2.3.4');
  });
});

describe('address references', () => {
  it('accepts optional spaces and dotted service names', () => {
    const { references, problems } = parseAddressReferences('{{db.host}} {{  my.db  .  port : 5432  }} {{ cache-1.ip }}', ['environment', 'X']);
    expect(problems).toEqual([]);
    expect(references.map((r) => [r.service, r.kind, r.port])).toEqual([
      ['db', 'host', undefined],
      ['my.db', 'port', 5432],
      ['cache-1', 'ip', undefined],
    ]);
  });

  it('rejects unknown kinds, missing or bad ports; other {{ }} text is no reference', () => {
    const { references, problems } = parseAddressReferences('{{ db.url }} {{ db.port }} {{ db.port:0 }} {{ db.port:x }} {{ nodot }} {{ db.ip:1 }}', ['command', 0], ['db']);
    expect(references).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual([
      'unknown address reference kind "url" in {{ db.url }}: expected host, port:N or ip',
      'invalid address reference {{ db.port }}: port needs a container port, as in {{ db.port:5432 }}',
      'invalid address reference {{ db.port:0 }}: port needs a container port, as in {{ db.port:5432 }}',
      'invalid address reference {{ db.port:x }}: port needs a container port, as in {{ db.port:5432 }}',
      'invalid address reference {{ db.ip:1 }}: ip takes no ":1"',
    ]);
  });

  it('passes Go templates and text naming no service through (compose does not read {{ }})', () => {
    const value = '{{ .Task.Name }}-{{.Node.Hostname}} {{ json . }} {{ index .Labels "x" }} {{ nodot }} {{ dbb.host }} {{ other.url }}';
    const { references, problems } = parseAddressReferences(value, ['environment', 'X'], ['db']);
    expect(references).toEqual([]);
    expect(problems).toEqual([
      { text: '{{ dbb.host }}', path: ['environment', 'X'], severity: 'warning', message: '{{ dbb.host }} is left as written: no service "dbb" (did you mean "db"?), so it is no address reference' },
    ]);
  });
});

describe('platform', () => {
  it('parses OCI platforms for the two daemons', () => {
    expect(parsePlatform('Windows/AMD64')).toEqual({ os: 'windows', architecture: 'amd64', raw: 'Windows/AMD64' });
    expect(parsePlatform('wasi/wasm')).toEqual({ os: 'linux', architecture: 'wasm', raw: 'wasi/wasm' });
    expect(parsePlatform('darwin')).toContain('the OS must be linux or windows');
    expect(parsePlatform('linux//v8')).toContain('expected os[/architecture[/variant]]');
  });
});
