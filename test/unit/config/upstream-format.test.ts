/**
 * Volume short syntax as compose-go's `format` package expects (its ParseVolume tests), restated
 * with our own inputs. Each upstream expectation is one case here; ours resolves bind sources
 * against the project directory (compose-go does that later, in its loader), so relative sources
 * are compared resolved. Deliberate differences are listed in docs/compose-file.md.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVolumeSpec } from '../../../src/config/short-syntax.js';
import type { ServiceVolume } from '../../../src/model/project.js';
import { issuesOf, loadFromText } from './helpers.js';

const BASE = path.resolve('/proj');
const HOME = '/home/me';
const parse = (spec: string, onIgnored?: (o: string) => void): ServiceVolume => parseVolumeSpec(spec, BASE, HOME, onIgnored);
const resolved = (source: string): string => (/^[A-Za-z]:/.test(source) ? source : source.startsWith('~/') ? path.join(HOME, source.slice(2)) : path.resolve(BASE, source));
const bind = (source: string, target: string, extra: Partial<ServiceVolume> = {}, bindExtra: Record<string, string> = {}): ServiceVolume => ({
  type: 'bind',
  source: resolved(source),
  target,
  ...extra,
  bind: { create_host_path: true, ...bindExtra },
});

describe('anonymous volumes: one path is the container target', () => {
  it.each(['/srv/cache', '/srv/cache/deeper', 'C:\\cache', 'Y:\\cache\\deeper', '.', '/b'])('%s', (spec) => {
    expect(parse(spec)).toEqual({ type: 'volume', target: spec });
  });
});

describe('malformed specs are errors', () => {
  it.each([
    ['/one:/two:ro:three', 'too many colons'],
    [':/two', 'empty section between colons'],
    ['/one::ro', 'empty section between colons'],
    ['/one::rw', 'invalid volume'],
    ['', 'invalid empty volume spec'],
  ])('%j', (spec, message) => {
    expect(() => parse(spec)).toThrow(message);
  });
});

describe('bind mounts: a source starting with . / ~ \\\\ or a drive letter', () => {
  it.each(['./web', '~/notes', '../sibling', '/opt', '/home/other'])('%s:/mnt', (source) => {
    expect(parse(`${source}:/mnt`)).toEqual(bind(source, '/mnt'));
  });
  it.each(['./web', '~/notes', '../sibling', 'E:\\data', '/home/other'])('%s to a Windows target e:\\mnt', (source) => {
    expect(parse(`${source}:e:\\mnt`)).toEqual(bind(source, 'e:\\mnt'));
  });
  it('a propagation mode (rslave)', () => {
    expect(parse('/src:/dst:rslave')).toEqual(bind('/src', '/dst', {}, { propagation: 'rslave' }));
  });
  it.each(['z', 'Z'])('read-only with SELinux label %s', (label) => {
    expect(parse(`/src:/dst:ro,${label}`)).toEqual(bind('/src', '/dst', { read_only: true }, { selinux: label }));
  });
  it('Windows source and target with ro,rshared', () => {
    expect(parse('D:\\src\\app:E:\\dst:ro,rshared')).toEqual(bind('D:\\src\\app', 'E:\\dst', { read_only: true }, { propagation: 'rshared' }));
  });
  it.each(['./web', '/home/other'])('%s with ro', (source) => {
    expect(parse(`${source}:/mnt:ro`)).toEqual(bind(source, '/mnt', { read_only: true }));
  });
  it.each(['./web', '/home/other'])('%s with rw', (source) => {
    expect(parse(`${source}:/mnt:rw`)).toEqual(bind(source, '/mnt'));
  });
  it('a source with a non-ASCII letter but no colon is a named volume', () => {
    expect(parse('b界:/mnt')).toEqual({ type: 'volume', source: 'b界', target: '/mnt' });
  });
});

describe('named volumes and their options', () => {
  it('nocopy', () => {
    expect(parse('cache:/mnt:nocopy')).toEqual({ type: 'volume', source: 'cache', target: '/mnt', volume: { nocopy: true } });
  });
  it('an unknown option is ignored, as compose ignores it, and reported for a warning', () => {
    const ignored: string[] = [];
    expect(parse('cache:/mnt:nonsense', (o) => ignored.push(o))).toEqual({ type: 'volume', source: 'cache', target: '/mnt' });
    expect(ignored).toEqual(['nonsense']);
  });
});

describe('Windows named pipes', () => {
  it('are mounted as pipes (deliberate: compose-go says bind, the Engine API needs type npipe)', () => {
    expect(parse('\\\\.\\pipe\\engine:\\\\.\\pipe\\inner')).toEqual({ type: 'npipe', source: '\\\\.\\pipe\\engine', target: '\\\\.\\pipe\\inner' });
  });
});

describe('splitting on colons keeps Windows drives whole (a source exactly when there are two or more parts)', () => {
  const cases: [string, boolean][] = [
    ['E:\\src:f:', true],
    [':E:\\src:f:', false],
    ['/src:/dst:ro', true],
    ['/src:/dst:rw', true],
    ['E:\\src\\:/dst', true],
    ['f:\\', false],
    ['f:', false],
    ['f:\\dir', false],
    ['f:\\dir with blanks', false],
    ['f:\\dirandmode:ro', true],
    ['e:\\:f:\\', true],
    ['e:\\apps\\:f:', true],
    ['e:\\apps:f:\\b l a n k s', true],
    ['e:\\apps:f:\\b l a n k s:RO', true],
    ['e:\\my apps:f:\\blanks in the host dir', true],
    ['9876543210vol:f:', true],
    ['CamelCaseVol:f:', true],
    ['vol:F:', true],
    ['vol:F::rO', true],
    ['vol:F::RO', true],
    ['e:/:f:/slashes/forward', true],
    ['e:\\Apps', false],
    ['e:\\Apps (arm64)', false],
    ['', false],
    ['.', false],
    ['..\\', false],
    ['e:\\:..\\', true],
    ['e:\\:f:\\:plugh', true],
    ['/var/a/b:/srv/a/b', true],
  ];
  it.each(cases)('%j', (spec, hasSource) => {
    let source = '';
    try {
      source = parse(spec, () => {}).source ?? '';
    } catch {
      source = '';
    }
    expect(source !== '').toBe(hasSource);
  });
  it('a drive-only target is kept as written', () => {
    expect(parse('vol:F::ro')).toEqual({ type: 'volume', source: 'vol', target: 'F:', read_only: true });
    expect(parse('E:\\src:f:')).toEqual(bind('E:\\src', 'f:'));
  });
});

describe('${…} left uninterpolated (--no-interpolate) does not split on its colons', () => {
  const cases: [string, ServiceVolume][] = [
    ['/srv:/srv/${SUB:-fallback}/x', bind('/srv', '/srv/${SUB:-fallback}/x')],
    ['/srv/${SUB:-fallback}:/dst', bind('/srv/${SUB:-fallback}', '/dst')],
    ['/a/${A:-one}:/b/${B:-two}', bind('/a/${A:-one}', '/b/${B:-two}')],
    ['/srv:/srv/${SUB:-}/x', bind('/srv', '/srv/${SUB:-}/x')],
    ['/srv:/srv/${SUB:-a/b/c}/x', bind('/srv', '/srv/${SUB:-a/b/c}/x')],
    ['/srv:/srv/${A:-1}/${B:-2}/x', bind('/srv', '/srv/${A:-1}/${B:-2}/x')],
    ['/srv:/srv/${SUB:-fallback}/x:ro', bind('/srv', '/srv/${SUB:-fallback}/x', { read_only: true })],
    ['/srv:/srv/${PLAIN}/x', bind('/srv', '/srv/${PLAIN}/x')],
    ['/srv:/srv/${A:-1}/${PLAIN}/x', bind('/srv', '/srv/${A:-1}/${PLAIN}/x')],
    ['/srv:/srv/${CLOCK:-01:02:03}/x', bind('/srv', '/srv/${CLOCK:-01:02:03}/x')],
    ['store:/data/${SUB:-fallback}/x', { type: 'volume', source: 'store', target: '/data/${SUB:-fallback}/x' }],
    ['/src:/dst/${SUB:-fallback}/x:rslave,ro', bind('/src', '/dst/${SUB:-fallback}/x', { read_only: true }, { propagation: 'rslave' })],
    ['E:\\src:F:\\dst\\${SUB:-fallback}\\x', bind('E:\\src', 'F:\\dst\\${SUB:-fallback}\\x')],
    ['E:\\src\\${SUB:-fallback}:F:\\dst', bind('E:\\src\\${SUB:-fallback}', 'F:\\dst')],
    ['E:\\src:F:\\${SUB:-fallback}\\x:ro', bind('E:\\src', 'F:\\${SUB:-fallback}\\x', { read_only: true })],
    ['/srv:/srv/${SUB:-{braced}}/x', bind('/srv', '/srv/${SUB:-{braced}}/x')],
    ['/srv:/srv/x/${SUB:-fallback}', bind('/srv', '/srv/x/${SUB:-fallback}')],
    ['/srv:/${SUB:-fallback}/x', bind('/srv', '/${SUB:-fallback}/x')],
  ];
  it.each(cases)('%j', (spec, expected) => {
    expect(parse(spec)).toEqual(expected);
  });
});

describe('through the loader', () => {
  it('an unknown mode loads with a warning at the entry (compose ignores it silently)', async () => {
    const { project, warnings } = await loadFromText('services:\n  web:\n    image: nginx\n    volumes:\n      - cache:/mnt:RO\nvolumes:\n  cache: {}\n');
    expect(project.services.web!.volumes).toEqual([{ type: 'volume', source: 'cache', target: '/mnt' }]);
    expect(warnings.map((w) => `${w.position?.line}:${w.position?.col} ${w.path?.join('.')}`)).toEqual(['5:9 services.web.volumes.0']);
    expect(warnings[0]!.message).toContain('volume mode "RO"');
  });
  it('a drive-only Windows target and a single-letter drive source load as binds', async () => {
    const { project } = await loadFromText('services:\n  web:\n    image: nginx\n    volumes:\n      - "c:\\\\data:d:"\n');
    expect(project.services.web!.volumes).toEqual([{ type: 'bind', source: 'c:\\data', target: 'd:', bind: { create_host_path: true } }]);
  });
  it('a malformed spec is an error at file:line:col with the key path', async () => {
    expect(await issuesOf('services:\n  web:\n    image: nginx\n    volumes:\n      - /a::ro\n')).toEqual([
      expect.stringMatching(/compose\.yaml:5:9 services\.web\.volumes\[0\]: invalid volume "\/a::ro": empty section between colons/),
    ]);
  });
});
