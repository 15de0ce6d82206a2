import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectDaemons, withDesktopHint } from '../../../src/engine/connect-daemons.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import { contextDirectoryName, resolveEndpoint } from '../../../src/engine/daemon-endpoints.js';
import { chooseEndpoint, desktopEngineHint, discoverEndpoint, endpointSourceLines, isNotListening } from '../../../src/engine/endpoint-discovery.js';
import { endpointSources, renderConfig } from '../../../src/cli/commands/config.js';
import { DaemonError } from '../../../src/errors.js';
import type { DaemonSettings, PlatformOs } from '../../../src/model/project.js';
import { stubProject, stubService } from './project-stub.js';

const unconfigured = (platform: PlatformOs, hostPlatform: NodeJS.Platform = 'win32'): DaemonSettings => ({
  platform,
  reach: 'auto',
  origin: 'default',
  // The loader's placeholder (config/extension.ts): discovery replaces it.
  host: hostPlatform === 'win32' ? `npipe:////./pipe/docker_engine_${platform}` : 'unix:///var/run/docker.sock',
});

describe('endpoint discovery', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'discovery-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeContext = (name: string, host: string) => {
    const meta = join(dir, 'contexts', 'meta', contextDirectoryName(name));
    mkdirSync(meta, { recursive: true });
    writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  };
  const pipes = (...present: string[]) => async (path: string) => present.some((p) => path === `\\\\.\\pipe\\${p}`);

  it("on Windows uses Docker Desktop's contexts first, naming where they came from", async () => {
    writeContext('desktop-linux', 'npipe:////./pipe/dockerDesktopLinuxEngine');
    writeContext('desktop-windows', 'npipe:////./pipe/dockerDesktopWindowsEngine');
    const options = { env: { DOCKER_CONFIG: dir }, hostPlatform: 'win32' as const, pipeExists: pipes() };
    const linux = await resolveEndpoint(unconfigured('linux'), options);
    expect(linux).toMatchObject({
      host: 'npipe:////./pipe/dockerDesktopLinuxEngine',
      context: 'desktop-linux',
      source: 'docker context desktop-linux (Docker Desktop)',
      desktop: 'linux',
      label: 'linux (context desktop-linux: npipe:////./pipe/dockerDesktopLinuxEngine)',
    });
    expect(linux.modem.socketPath).toBe('//./pipe/dockerDesktopLinuxEngine');
    const windows = await resolveEndpoint(unconfigured('windows'), options);
    expect(windows).toMatchObject({ context: 'desktop-windows', host: 'npipe:////./pipe/dockerDesktopWindowsEngine' });
  });

  it('on Windows without contexts: the Desktop pipes, then the legacy ones, then the Desktop pipe (for the error)', async () => {
    const env = { DOCKER_CONFIG: dir };
    const desktop = await discoverEndpoint('linux', { env, hostPlatform: 'win32', pipeExists: pipes('dockerDesktopLinuxEngine', 'docker_engine_linux') });
    expect(desktop).toEqual({ host: 'npipe:////./pipe/dockerDesktopLinuxEngine', source: "Docker Desktop's linux engine pipe", desktop: 'linux' });
    const legacy = await discoverEndpoint('windows', { env, hostPlatform: 'win32', pipeExists: pipes('docker_engine_windows') });
    expect(legacy).toEqual({ host: 'npipe:////./pipe/docker_engine_windows', source: "Docker Desktop's legacy windows engine pipe", desktop: 'windows' });
    expect(await discoverEndpoint('windows', { env, hostPlatform: 'win32', pipeExists: pipes('docker_engine') })).toEqual({
      host: 'npipe:////./pipe/docker_engine',
      source: 'the standard Windows pipe docker_engine',
    });
    const none = await discoverEndpoint('windows', { env, hostPlatform: 'win32', pipeExists: pipes() });
    expect(none.host).toBe('npipe:////./pipe/dockerDesktopWindowsEngine');
    expect(none.source).toMatch(/no docker context desktop-windows, no pipe found/);
  });

  it('on Linux and macOS: DOCKER_HOST, else the current docker context, else the standard socket', async () => {
    writeContext('colima', 'unix:///home/u/.colima/docker.sock');
    expect(await discoverEndpoint('linux', { env: { DOCKER_CONFIG: dir, DOCKER_HOST: 'tcp://h:2375', DOCKER_CONTEXT: 'colima' }, hostPlatform: 'linux' })).toEqual({
      host: 'tcp://h:2375',
      source: 'DOCKER_HOST',
    });
    expect(await discoverEndpoint('linux', { env: { DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'colima' }, hostPlatform: 'darwin' })).toEqual({
      context: 'colima',
      source: 'docker context colima (DOCKER_CONTEXT)',
    });
    expect(await discoverEndpoint('linux', { env: { DOCKER_CONFIG: dir }, hostPlatform: 'linux' })).toEqual({ host: 'unix:///var/run/docker.sock', source: 'the standard socket' });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: 'colima' }));
    const endpoint = await resolveEndpoint(unconfigured('linux', 'linux'), { env: { DOCKER_CONFIG: dir }, hostPlatform: 'linux' });
    expect(endpoint).toMatchObject({ host: 'unix:///home/u/.colima/docker.sock', context: 'colima', source: `current docker context colima (${join(dir, 'config.json')})` });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: 'default' }));
    expect((await discoverEndpoint('linux', { env: { DOCKER_CONFIG: dir }, hostPlatform: 'linux' })).source).toBe('the standard socket');
  });

  it('uses a configured endpoint as given, naming the setting', async () => {
    writeContext('desktop-linux', 'npipe:////./pipe/dockerDesktopLinuxEngine');
    const options = { env: { DOCKER_CONFIG: dir }, hostPlatform: 'win32' as const, pipeExists: pipes() };
    expect(await chooseEndpoint({ platform: 'linux', reach: 'auto', origin: 'cli', host: 'tcp://vm:2376' }, options)).toEqual({ host: 'tcp://vm:2376', source: '--linux-host' });
    expect(await chooseEndpoint({ platform: 'windows', reach: 'auto', origin: 'env', context: 'srv' }, options)).toEqual({ context: 'srv', source: 'MIXCOMPOSE_WINDOWS_CONTEXT' });
    expect(await chooseEndpoint({ platform: 'linux', reach: 'auto', origin: 'file', host: 'ssh://u@vm' }, options)).toEqual({ host: 'ssh://u@vm', source: 'x-mixcompose.daemons.linux.host' });
  });
});

describe('a stopped Docker Desktop engine', () => {
  it('says so and how to start it, naming both ways and what each does to the other engine', () => {
    const hint = desktopEngineHint('windows');
    expect(hint).toContain("Docker Desktop's windows engine is not running");
    expect(hint).toContain('"Switch to Windows containers"');
    expect(hint).toContain('keeps the linux engine running');
    expect(hint).toContain('`docker desktop engine use windows`, which stops the linux engine');
  });

  it('recognises a missing pipe or a refused socket, and nothing else', () => {
    expect(isNotListening(Object.assign(new Error('connect ENOENT //./pipe/dockerDesktopWindowsEngine'), { code: 'ENOENT' }))).toBe(true);
    expect(isNotListening(new DaemonError('w', 'version', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })))).toBe(true);
    expect(isNotListening(new Error('open //./pipe/docker_engine_linux: The system cannot find the file specified.'))).toBe(true);
    expect(isNotListening(new Error('HTTP 500: boom'))).toBe(false);
  });

  it('connectDaemons adds the hint to a Desktop endpoint that does not answer, and only to one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'desktop-'));
    try {
      const refused = (label: string): DaemonClient =>
        ({
          label,
          version: () => Promise.reject(new DaemonError(label, 'version', Object.assign(new Error('connect ENOENT //./pipe/dockerDesktopWindowsEngine'), { code: 'ENOENT' }))),
          info: () => Promise.reject(new Error('not asked')),
          close: () => {},
        }) as unknown as DaemonClient;
      const project = stubProject([stubService('app', 'windows')], { windows: { origin: 'default' } });
      const error = await connectDaemons(project, { allowOsMismatch: false, env: { DOCKER_CONFIG: dir }, hostPlatform: 'win32', createClient: (_e, label) => refused(label) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DaemonError);
      expect((error as Error).message).toMatch(/connect failed: connect ENOENT \/\/\.\/pipe\/dockerDesktopWindowsEngine; Docker Desktop's windows engine is not running/);
      const configured = await resolveEndpoint({ platform: 'windows', reach: 'auto', origin: 'file', host: 'npipe:////./pipe/docker_engine_windows' }, { env: {} });
      const plain = new Error('connect ENOENT x');
      expect(withDesktopHint(plain, 'w', configured)).toBe(plain);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('config and ps say where each endpoint came from', () => {
  it('config: each service shows its discovered endpoint and the source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sources-'));
    try {
      const meta = join(dir, 'contexts', 'meta', contextDirectoryName('desktop-linux'));
      mkdirSync(meta, { recursive: true });
      writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: 'desktop-linux', Endpoints: { docker: { Host: 'npipe:////./pipe/dockerDesktopLinuxEngine' } } }));
      const project = stubProject([stubService('db', 'linux'), stubService('web', 'windows')], {
        linux: { origin: 'default', host: 'npipe:////./pipe/docker_engine_linux' },
        windows: { origin: 'cli', host: 'tcp://win:2376' },
      });
      const sources = await endpointSources(project, { DOCKER_CONFIG: dir }, 'win32');
      const model = renderConfig(project, { escape: false, sources }) as { services: Record<string, { 'x-mixcompose': unknown }> };
      expect(model.services.db!['x-mixcompose']).toEqual({ daemon: 'linux', endpoint: 'context:desktop-linux', endpoint_source: 'docker context desktop-linux (Docker Desktop)' });
      expect(model.services.web!['x-mixcompose']).toEqual({ daemon: 'windows', endpoint: 'tcp://win:2376', endpoint_source: '--windows-host' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ps: one line per daemon', () => {
    expect(
      endpointSourceLines({
        linux: { host: 'npipe:////./pipe/dockerDesktopLinuxEngine', context: 'desktop-linux', source: 'docker context desktop-linux (Docker Desktop)' },
        windows: { host: 'unix:///run/w.sock', source: 'MIXCOMPOSE_WINDOWS_HOST' },
      }),
    ).toBe(
      'linux daemon: context desktop-linux: npipe:////./pipe/dockerDesktopLinuxEngine (from docker context desktop-linux (Docker Desktop))\n' +
        'windows daemon: unix:///run/w.sock (from MIXCOMPOSE_WINDOWS_HOST)\n',
    );
  });
});
