/** The one image reference parser (docker reference grammar). */
import { describe, expect, it } from 'vitest';
import {
  familiarImageRef,
  formatImageRef,
  ImageRefError,
  imageRefProblem,
  parseImageRef,
  registryOf,
  repositoryOf,
  splitImageRef,
  withDefaultTag,
} from '../../../src/model/image-ref.js';

const SHA = `sha256:${'a'.repeat(64)}`;

describe('splitImageRef', () => {
  it.each([
    ['nginx', { name: 'nginx' }],
    ['nginx:1.27', { name: 'nginx', tag: '1.27' }],
    ['127.0.0.1:5555/busybox', { name: '127.0.0.1:5555/busybox' }],
    ['127.0.0.1:5555/busybox:1.36', { name: '127.0.0.1:5555/busybox', tag: '1.36' }],
    [`localhost:5000/a/b:t@${SHA}`, { name: 'localhost:5000/a/b', tag: 't', digest: SHA }],
    [`busybox@${SHA}`, { name: 'busybox', digest: SHA }],
    ['[::1]:5000/app:v2', { name: '[::1]:5000/app', tag: 'v2' }],
  ])('%s', (reference, parts) => {
    expect(splitImageRef(reference)).toEqual(parts);
  });
});

describe('parseImageRef', () => {
  it.each([
    ['nginx', { domain: 'docker.io', path: 'library/nginx' }],
    ['nginx:1.27-alpine', { domain: 'docker.io', path: 'library/nginx', tag: '1.27-alpine' }],
    ['grafana/grafana', { domain: 'docker.io', path: 'grafana/grafana' }],
    ['docker.io/nginx', { domain: 'docker.io', path: 'library/nginx' }],
    ['index.docker.io/library/nginx', { domain: 'docker.io', path: 'library/nginx' }],
    ['localhost/app', { domain: 'localhost', path: 'app' }],
    ['localhost:5000/team/app:v1', { domain: 'localhost:5000', path: 'team/app', tag: 'v1' }],
    ['mcr.microsoft.com/windows/nanoserver:ltsc2022', { domain: 'mcr.microsoft.com', path: 'windows/nanoserver', tag: 'ltsc2022' }],
    ['127.0.0.1:5555/busybox:1.36', { domain: '127.0.0.1:5555', path: 'busybox', tag: '1.36' }],
    ['[::1]:5000/app', { domain: '[::1]:5000', path: 'app' }],
    ['Registry/app', { domain: 'Registry', path: 'app' }],
    [`ghcr.io/o/r@${SHA}`, { domain: 'ghcr.io', path: 'o/r', digest: SHA }],
    [`ghcr.io/o/r:t@${SHA}`, { domain: 'ghcr.io', path: 'o/r', tag: 't', digest: SHA }],
    ['a__b/c-d.e_f:T_1.x', { domain: 'docker.io', path: 'a__b/c-d.e_f', tag: 'T_1.x' }],
  ])('%s', (reference, ref) => {
    expect(parseImageRef(reference)).toEqual(ref);
  });

  it.each([
    ['', /empty/],
    [':tag', /no repository name/],
    ['nginx:', /ends without/],
    ['nginx@', /ends without/],
    ['Nginx', /"Nginx" .* repository name part/],
    ['team/App', /"App"/],
    ['a/-b', /"-b"/],
    ['a//b', /"" in/],
    ['nginx:-bad', /not a valid tag/],
    [`nginx:${'t'.repeat(129)}`, /not a valid tag/],
    ['nginx@sha256:abc', /not a valid digest/],
    [`nginx@sha256:${'a'.repeat(40)}`, /not a sha256 digest/],
    ['bad_host:5000/app', /not a valid registry host/],
    [`${'a'.repeat(256)}`, /longer than 255/],
  ])('refuses %s', (reference, message) => {
    expect(imageRefProblem(reference)).toMatch(message);
    expect(() => parseImageRef(reference)).toThrow(ImageRefError);
  });
});

describe('forms', () => {
  it('formats the full and the familiar name', () => {
    expect(formatImageRef(parseImageRef('nginx'))).toBe('docker.io/library/nginx:latest');
    expect(formatImageRef(parseImageRef(`r.io/a@${SHA}`))).toBe(`r.io/a@${SHA}`);
    expect(familiarImageRef(parseImageRef('docker.io/library/nginx:1'))).toBe('nginx:1');
    expect(familiarImageRef(parseImageRef('grafana/grafana'))).toBe('grafana/grafana');
    expect(familiarImageRef(parseImageRef('localhost:5000/library/x'))).toBe('localhost:5000/library/x');
  });

  it('adds :latest only without tag and digest, keeping a registry port', () => {
    expect(withDefaultTag('nginx')).toBe('nginx:latest');
    expect(withDefaultTag('127.0.0.1:5555/busybox')).toBe('127.0.0.1:5555/busybox:latest');
    expect(withDefaultTag('nginx:1')).toBe('nginx:1');
    expect(withDefaultTag(`nginx@${SHA}`)).toBe(`nginx@${SHA}`);
  });

  it('names the registry and the repository without parsing errors', () => {
    expect(registryOf('nginx')).toBe('docker.io');
    expect(registryOf('grafana/grafana:1')).toBe('docker.io');
    expect(registryOf('127.0.0.1:5555/busybox:1.36')).toBe('127.0.0.1:5555');
    expect(registryOf('localhost/x')).toBe('localhost');
    expect(registryOf('index.docker.io/library/x')).toBe('docker.io');
    expect(repositoryOf('mcr.microsoft.com/mssql/server:2022-latest')).toBe('mssql/server');
    expect(repositoryOf('Postgres:16')).toBe('postgres');
    expect(repositoryOf(`bitnami/redis@${SHA}`)).toBe('bitnami/redis');
  });
});
