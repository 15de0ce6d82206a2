import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { daemonEndpoint, loadOptionsFor, profileNames, renderConfig } from '../../../src/cli/commands/config.js';
import { join } from 'node:path';
import { corpusDir } from '../../support/corpus.js';
import { loadFromText } from './helpers.js';

const text = `name: shop
x-mixcompose:
  daemons:
    windows: {host: "npipe:////./pipe/docker_engine_windows"}
    linux: {context: desktop-linux}
services:
  db:
    platform: linux
    image: postgres:16
    expose: ["5432"]
    environment: {PGPASSWORD: "a$$b"}
    healthcheck: {test: pg_isready}
  api:
    platform: windows/amd64
    image: mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022
    environment:
      DB_URL: "postgres://{{ db.host }}:{{ db.port:5432 }}/app"
    depends_on:
      db: {condition: service_healthy}
  debug:
    image: busybox
    profiles: [debug]
`;

describe('mixcompose config output', () => {
  it('prints the compose layout with each service platform and daemon', async () => {
    const { project } = await loadFromText(text);
    const model = renderConfig(project, { escape: true });
    expect(Object.keys(model)).toEqual(['name', 'services', 'networks', 'x-mixcompose']);
    expect(Object.keys(model.services as object)).toEqual(['api', 'db']);
    const api = (model.services as Record<string, Record<string, unknown>>).api!;
    expect(api.platform).toBe('windows/amd64');
    expect(api['x-mixcompose']).toEqual({
      daemon: 'windows',
      endpoint: 'npipe:////./pipe/docker_engine_windows',
      address_references: ['environment.DB_URL: {{ db.host }}', 'environment.DB_URL: {{ db.port:5432 }}'],
    });
    const db = (model.services as Record<string, Record<string, unknown>>).db!;
    expect(db['x-mixcompose']).toEqual({ daemon: 'linux', endpoint: 'context:desktop-linux' });
    // `$` is escaped again so the printed file interpolates back to the same value.
    expect(db.environment).toEqual({ PGPASSWORD: 'a$$b' });
    expect(db.ports).toBeUndefined();
    expect(stringify(model)).toContain('daemon: windows');
  });

  it('lists profiles of all services', async () => {
    const { project } = await loadFromText(text);
    expect(profileNames(project)).toEqual(['debug']);
  });

  it('names an endpoint by host or by context', () => {
    expect(daemonEndpoint({ platform: 'linux', host: 'unix:///x', reach: 'auto', origin: 'file' })).toBe('unix:///x');
    expect(daemonEndpoint({ platform: 'linux', context: 'c', reach: 'auto', origin: 'cli' })).toBe('context:c');
  });

  it('maps the global flags onto loader options', () => {
    const options = loadOptionsFor(
      { file: ['a.yaml'], projectName: 'p', envFile: ['e'], profile: ['x'], linuxHost: 'unix:///l', allowOsMismatch: false, progress: 'auto' },
      { A: '1' },
      '/cwd',
      'linux',
    );
    expect(options).toEqual({
      files: ['a.yaml'],
      projectName: 'p',
      envFiles: ['e'],
      profiles: ['x'],
      environment: { A: '1' },
      cwd: '/cwd',
      daemonOverrides: { linuxHost: 'unix:///l' },
      hostPlatform: 'linux',
    });
  });

  it('--no-interpolate keeps variables, even in typed fields', async () => {
    const { project } = await loadFromText('services:\n  a:\n    image: "${IMG}"\n    scale: ${N}\n', { interpolate: false });
    const model = renderConfig(project, { escape: false });
    expect((model.services as Record<string, Record<string, unknown>>).a!.image).toBe('${IMG}');
  });

  it('--no-interpolate prints short syntax holding ${VAR} as written (ports, volumes)', async () => {
    const text = 'services:\n  a:\n    image: x\n    ports: ["${P}:80", "8080:80", {target: 81, published: "${Q}"}]\n    volumes: ["${DATA}:/data"]\n';
    const { project } = await loadFromText(text, { interpolate: false });
    const a = (renderConfig(project, { escape: false }).services as Record<string, Record<string, unknown>>).a!;
    expect(a.ports).toEqual([
      '${P}:80',
      { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' },
      { mode: 'ingress', target: 81, published: '${Q}', protocol: 'tcp' },
    ]);
    expect(a.volumes).toEqual(['${DATA}:/data']);
    // Nor do a platform, an env_file or a long-syntax target holding ${VAR} fail.
    const held = 'services:\n  a: {image: x, platform: "${PLAT}", env_file: "${ENVF}", ports: [{target: "${T}"}]}\n';
    const heldA = (renderConfig((await loadFromText(held, { interpolate: false })).project, { escape: false }).services as Record<string, Record<string, unknown>>).a!;
    expect(heldA).toMatchObject({ platform: '${PLAT}', ports: [{ mode: 'ingress', target: '${T}', protocol: 'tcp' }] });
    // An address reference to such a port cannot be checked before interpolation: no error.
    const refs = 'services:\n  db: {image: x, ports: ["${P}:5432"]}\n  a: {image: x, environment: {U: "{{ db.port:5432 }}"}}\n';
    expect((await loadFromText(refs, { interpolate: false })).project.services.a!.addressReferences).toHaveLength(1);
  });
});

describe('mixcompose config / validate through the command line', () => {
  const fixtures = new URL('../../fixtures/config/', import.meta.url).pathname;

  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { vi } = await import('vitest');
    const { buildProgram } = await import('../../../src/cli/program.js');
    const { reportError } = await import('../../../src/cli/report-error.js');
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    try {
      await buildProgram().parseAsync(['node', 'mixcompose', ...args]);
      return { code: 0, stdout, stderr };
    } catch (error) {
      const sink = { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream;
      return { code: reportError(error, sink), stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }

  it('validate exits 1 with every problem on stderr', async () => {
    const r = await run(['-f', `${fixtures}bad/windows-limits.yaml`, 'validate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(3);
    expect(r.stderr).toContain('windows-limits.yaml:6:5 services.app.cgroup_parent: cgroup_parent is not supported by Windows containers');
  });

  it('config --services and --format json print the valid model, exit 0', async () => {
    const file = join(corpusDir(), 'react-express-mongodb', 'compose.yaml');
    const names = await run(['-f', file, 'config', '--services']);
    expect(names).toMatchObject({ code: 0, stdout: 'backend\nfrontend\nmongo\n' });
    const json = await run(['-f', file, '--linux-host', 'tcp://l:2375', 'config', '--format', 'json']);
    expect(json.code).toBe(0);
    const model = JSON.parse(json.stdout);
    expect(model.name).toBe('react-express-mongodb');
    expect(model.services.mongo['x-mixcompose']).toEqual({ daemon: 'linux', endpoint: 'tcp://l:2375', endpoint_source: '--linux-host' });
    const quiet = await run(['-f', file, 'config', '-q']);
    expect(quiet).toMatchObject({ code: 0, stdout: '' });
  });

  it('an unknown service name exits 1 (as the other commands), with --services and --quiet too', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/mc-config-`);
    writeFileSync(`${dir}/compose.yaml`, 'services:\n  web: {image: x}\n  api: {image: x}\n  debug: {image: x, profiles: [debug]}\n');
    for (const flags of [[], ['--services'], ['--quiet']]) {
      const r = await run(['-f', `${dir}/compose.yaml`, 'config', ...flags, 'web', 'nosuch', 'debug']);
      expect(r, flags.join(' ')).toMatchObject({ code: 1, stdout: '', stderr: 'error: no such service: nosuch, debug (its profile is not enabled)\n' });
    }
    expect(await run(['-f', `${dir}/compose.yaml`, 'config', '--services', 'web'])).toMatchObject({ code: 0, stdout: 'web\n' });
    rmSync(dir, { recursive: true });
  });

  it('rejects an unknown --format as a usage error', async () => {
    const r = await run(['-f', `${fixtures}bad/windows-limits.yaml`, 'config', '--format', 'toml']);
    expect(r.code).toBe(2);
  });
});

describe('docs/compose-file.md', () => {
  it('its worked example loads, with the daemons and references the page shows', async () => {
    const { readFileSync } = await import('node:fs');
    const page = readFileSync(new URL('../../../docs/compose-file.md', import.meta.url), 'utf8');
    const start = page.indexOf('```yaml\nname: shop') + '```yaml\n'.length;
    const example = page.slice(start, page.indexOf('```', start));
    const { project } = await loadFromText(example, { hostPlatform: 'linux' });
    const model = renderConfig(project, { escape: true }) as { services: Record<string, Record<string, unknown>> };
    expect(model.services.api!['x-mixcompose']).toEqual({
      daemon: 'windows',
      endpoint: 'npipe:////./pipe/docker_engine_windows',
      address_references: [
        'environment.DB_HOST: {{ db.host }}',
        'environment.DB_URL: {{ db.host }}',
        'environment.DB_URL: {{ db.port:5432 }}',
        'environment.DB_IP: {{ db.ip }}',
      ],
    });
    expect(model.services.db!['x-mixcompose']).toEqual({ daemon: 'linux', endpoint: 'context:desktop-linux' });
  });
});
