import { describe, expect, it } from 'vitest';
import {
  DOCKER_DESKTOP_PATH_PREFIX,
  bindTargetFor,
  describeBindSources,
  offlineBindTarget,
  toEngineMount,
  translateHostPath,
  translateMount,
  type BindTarget,
} from '../../../src/model/host-paths.js';
import type { ServiceVolume } from '../../../src/model/project.js';

const windows: BindTarget = { kind: 'windows' };
const desktop: BindTarget = { kind: 'linux-on-windows', prefix: DOCKER_DESKTOP_PATH_PREFIX };
const custom: BindTarget = { kind: 'linux-on-windows', prefix: '/host' };
const linux: BindTarget = { kind: 'linux' };

/** [written source, project dir, Windows daemon, Linux engine on Windows (Desktop prefix), Linux on Linux]; `!` = refused. */
const table: [string, string, string, string, string][] = [
  ['C:\\x', '/work', 'C:\\x', '/run/desktop/mnt/host/c/x', '!'],
  ['c:/x', '/work', 'C:\\x', '/run/desktop/mnt/host/c/x', '!'],
  ['c:\\Users\\me\\src\\', '/work', 'C:\\Users\\me\\src', '/run/desktop/mnt/host/c/Users/me/src', '!'],
  ['D:/data/../db', '/work', 'D:\\db', '/run/desktop/mnt/host/d/db', '!'],
  ['/c/x', '/work', 'C:\\x', '/run/desktop/mnt/host/c/x', '/c/x'],
  ['/mnt/c/x', '/work', 'C:\\x', '/run/desktop/mnt/host/c/x', '/mnt/c/x'],
  ['/mnt/d/src/app', '/work', 'D:\\src\\app', '/run/desktop/mnt/host/d/src/app', '/mnt/d/src/app'],
  ['/run/desktop/mnt/host/e/y', '/work', 'E:\\y', '/run/desktop/mnt/host/e/y', '/run/desktop/mnt/host/e/y'],
  ['\\\\.\\pipe\\docker_engine', '/work', '\\\\.\\pipe\\docker_engine', '!', '!'],
  ['//./pipe/docker_engine', '/work', '\\\\.\\pipe\\docker_engine', '!', '!'],
  ['/srv/x', '/work', '!', '/srv/x', '/srv/x'],
  ['/var/run/docker.sock', '/work', '!', '/var/run/docker.sock', '/var/run/docker.sock'],
  ['./data', '/srv/proj', '!', '/srv/proj/data', '/srv/proj/data'],
  ['../shared/conf', '/srv/proj', '!', '/srv/shared/conf', '/srv/shared/conf'],
  ['./data', 'C:\\proj', 'C:\\proj\\data', '/run/desktop/mnt/host/c/proj/data', '!'],
  ['data\\sub', 'C:\\proj', 'C:\\proj\\data\\sub', '/run/desktop/mnt/host/c/proj/data/sub', '!'],
  ['./data', '/mnt/c/proj', 'C:\\proj\\data', '/run/desktop/mnt/host/c/proj/data', '/mnt/c/proj/data'],
  ['\\\\server\\share\\dir', '/work', '\\\\server\\share\\dir', '!', '!'],
];

describe('translateHostPath: every written form on every daemon kind', () => {
  for (const [source, dir, win, lin, plain] of table) {
    for (const [target, expected] of [
      [windows, win],
      [desktop, lin],
      [linux, plain],
    ] as const) {
      it(`${source} (project ${dir}) on ${target.kind} → ${expected}`, () => {
        const result = translateHostPath(source, dir, target);
        if (expected === '!') {
          expect(result).toHaveProperty('error');
          expect('error' in result && result.error.length).toBeGreaterThan(10);
        } else {
          expect(result).toEqual(expect.objectContaining({ path: expected }));
        }
      });
    }
  }

  it('uses a configured prefix for a Linux engine on Windows', () => {
    expect(translateHostPath('C:\\x\\y', '/work', custom)).toMatchObject({ path: '/host/c/x/y' });
    expect(translateHostPath('/mnt/c/x', '/work', custom)).toMatchObject({ path: '/host/c/x' });
    expect(translateHostPath('/host/d/z', '/work', custom)).toMatchObject({ path: '/host/d/z' });
  });

  it('names the path in the refusal', () => {
    expect(translateHostPath('/srv/x', '/work', windows)).toMatchObject({ error: expect.stringContaining('/srv/x') });
    expect(translateHostPath('C:\\x', '/work', linux)).toMatchObject({ error: expect.stringContaining('C:\\x') });
  });
});

describe('bindTargetFor', () => {
  it('a Windows daemon (and LCOW) takes Windows paths', () => {
    expect(bindTargetFor({ osType: 'windows' })).toEqual({ kind: 'windows' });
  });
  it('Docker Desktop and WSL2 Linux engines take the prefixed form', () => {
    expect(bindTargetFor({ osType: 'linux', operatingSystem: 'Docker Desktop' })).toEqual(desktop);
    expect(bindTargetFor({ osType: 'linux', kernelVersion: '5.15.133.1-microsoft-standard-WSL2' })).toEqual(desktop);
    expect(bindTargetFor({ osType: 'linux' }, undefined, 'win32')).toEqual(desktop);
  });
  it('a configured path_prefix wins and marks the engine as on Windows', () => {
    expect(bindTargetFor({ osType: 'linux', operatingSystem: 'Debian GNU/Linux 12' }, { path_prefix: '/host/' })).toEqual(custom);
  });
  it('a Linux daemon on Linux (also a stand-in for Windows) keeps paths', () => {
    expect(bindTargetFor({ osType: 'linux', operatingSystem: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64' })).toEqual(linux);
  });
});

const bind = (source: string, extra: Partial<ServiceVolume> = {}): ServiceVolume => ({ type: 'bind', source, target: 'C:\\app', ...extra });

describe('translateMount: Windows rules at plan time', () => {
  it('accepts an existing directory', () => {
    const m = translateMount(bind('c:/src'), { projectDir: '/w', target: windows, sourceKind: 'directory' });
    expect(m).toMatchObject({ type: 'bind', source: 'C:\\src', target: 'C:\\app', readOnly: false, issues: [] });
  });
  it('refuses a missing source and a file source on Windows', () => {
    const missing = translateMount(bind('c:/nope'), { projectDir: '/w', target: windows, sourceKind: 'missing' });
    expect(missing!.issues).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('does not exist') })]);
    const file = translateMount(bind('c:/src/app.conf'), { projectDir: '/w', target: windows, sourceKind: 'file' });
    expect(file!.issues).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('not a directory') })]);
  });
  it('does not apply the Windows rules on Linux daemons', () => {
    const m = translateMount(bind('/srv/app.conf', { target: '/etc/app.conf' }), { projectDir: '/w', target: linux, sourceKind: 'file' });
    expect(m!.issues).toEqual([]);
  });
  it('does not check existence when the fact is unknown (remote daemon)', () => {
    expect(translateMount(bind('c:/x'), { projectDir: '/w', target: windows })!.issues).toEqual([]);
  });
  it('mounts named pipes as npipe, never read-only, with a warning', () => {
    const m = translateMount(bind('\\\\.\\pipe\\docker_engine', { target: '\\\\.\\pipe\\docker_engine', read_only: true }), {
      projectDir: '/w',
      target: windows,
      sourceKind: 'other',
    });
    expect(m).toMatchObject({ type: 'npipe', readOnly: false, source: '\\\\.\\pipe\\docker_engine' });
    expect(m!.issues).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining('read-write') })]);
    expect(toEngineMount(m!)).toEqual({ Type: 'npipe', Source: '\\\\.\\pipe\\docker_engine', Target: '\\\\.\\pipe\\docker_engine', ReadOnly: false });
  });
  it('keeps read_only on ordinary binds and carries propagation', () => {
    const v = bind('/srv/x', { target: '/x', read_only: true, bind: { propagation: 'rshared' } });
    const m = translateMount(v, { projectDir: '/w', target: linux })!;
    expect(toEngineMount(m, v)).toEqual({ Type: 'bind', Source: '/srv/x', Target: '/x', ReadOnly: true, BindOptions: { Propagation: 'rshared' } });
  });
  it('reports an untranslatable source as an error', () => {
    const m = translateMount(bind('/srv/x'), { projectDir: '/w', target: windows, sourceKind: 'directory' })!;
    expect(m.issues[0]).toMatchObject({ severity: 'error' });
  });
  it('ignores named volumes and tmpfs', () => {
    expect(translateMount({ type: 'volume', source: 'data', target: '/data' }, { projectDir: '/w', target: windows })).toBeUndefined();
    expect(translateMount({ type: 'tmpfs', target: '/tmp' }, { projectDir: '/w', target: linux })).toBeUndefined();
  });
});

describe('translateMount: source facts by lookup', () => {
  it('asks the lookup with the source resolved against the project directory', () => {
    const asked: string[] = [];
    const m = translateMount(bind('./conf/app.conf'), {
      projectDir: 'C:\\proj',
      target: windows,
      sourceKind: (p) => {
        asked.push(p);
        return 'file';
      },
    })!;
    expect(asked).toEqual(['C:\\proj\\conf\\app.conf']);
    expect(m.source).toBe('C:\\proj\\conf\\app.conf');
    expect(m.issues[0]!.message).toContain('not a directory');
  });
});

describe('config helpers', () => {
  it('offlineBindTarget: windows platform is Windows; linux by prefix and host OS', () => {
    expect(offlineBindTarget('windows', undefined, 'linux')).toEqual(windows);
    expect(offlineBindTarget('linux', undefined, 'linux')).toEqual(linux);
    expect(offlineBindTarget('linux', undefined, 'win32')).toEqual(desktop);
    expect(offlineBindTarget('linux', { path_prefix: '/host' }, 'linux')).toEqual(custom);
  });
  it('describeBindSources lists translations and refusals, skipping named volumes', () => {
    const volumes: ServiceVolume[] = [bind('./web'), { type: 'volume', source: 'data', target: '/d' }, bind('/srv/x')];
    expect(describeBindSources(volumes, '/mnt/c/proj', windows)).toEqual([
      './web → C:\\proj\\web',
      expect.stringMatching(/^\/srv\/x: "\/srv\/x" is not a Windows path/),
    ]);
  });
});
