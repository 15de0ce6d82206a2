/**
 * `cp` on the rig: a file and a directory into and out of a linux service and of a service on the
 * Windows stand-in daemon (its paths written `C:\…`), checked through the daemon itself; --dry-run
 * copies nothing; a service without a container is an error.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRigUp, execText, removeProjectLeftovers, rigDocker, runMixcompose, uniqueProjectName, type RigDaemon } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';

const name = uniqueProjectName('cp');
const yaml = dbWebYaml({
  name,
  services: { later: { init: false, lines: ['profiles: [later]'] } },
});

describe('cp', () => {
  let dir: string;
  const file = () => join(dir, 'compose.yaml');
  const mc = (...args: string[]) => runMixcompose(['-f', file(), ...args]);
  const inContainer = (daemon: RigDaemon, service: string, cmd: string[]) => execText(rigDocker(daemon).getContainer(`${name}-${service}-1`), cmd);

  beforeAll(async () => {
    assertRigUp();
    dir = mkdtempSync(join(tmpdir(), 'mixcompose-cp-'));
    writeFileSync(file(), yaml);
    writeFileSync(join(dir, 'note.txt'), 'from the host\n');
    mkdirSync(join(dir, 'tree', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'tree', 'sub', 'leaf'), 'leaf\n');
    const up = await mc('up', '-d');
    expect(up.exitCode, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('a file and a directory into and out of a linux service', async () => {
    expect((await mc('cp', join(dir, 'note.txt'), 'db:/tmp/')).exitCode).toBe(0);
    expect(await inContainer('linux', 'db', ['cat', '/tmp/note.txt'])).toBe('from the host\n');
    expect((await mc('cp', join(dir, 'tree'), 'db:/tmp/copied')).exitCode).toBe(0);
    expect(await inContainer('linux', 'db', ['cat', '/tmp/copied/sub/leaf'])).toBe('leaf\n');
    const out = await mc('cp', 'db:/tmp/note.txt', join(dir, 'back.txt'));
    expect(out.exitCode, out.stderr).toBe(0);
    expect(readFileSync(join(dir, 'back.txt'), 'utf8')).toBe('from the host\n');
    expect((await mc('cp', 'db:/tmp/copied', join(dir, 'tree-back'))).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'tree-back', 'sub', 'leaf'), 'utf8')).toBe('leaf\n');
  });

  it('a service on the Windows stand-in daemon, with C:\\ paths', async () => {
    const into = await mc('cp', join(dir, 'note.txt'), 'web:C:\\tmp\\win-note.txt');
    expect(into.exitCode, into.stderr).toBe(0);
    expect(into.stderr).toMatch(/\(windows \(unix:/);
    expect(await inContainer('windows', 'web', ['cat', '/tmp/win-note.txt'])).toBe('from the host\n');
    const out = await mc('cp', 'web:C:\\tmp\\win-note.txt', dir);
    expect(out.exitCode, out.stderr).toBe(0);
    expect(readFileSync(join(dir, 'win-note.txt'), 'utf8')).toBe('from the host\n');
  });

  it('--dry-run says what it would copy and copies nothing', async () => {
    const dry = await mc('cp', '--dry-run', join(dir, 'note.txt'), 'db:/tmp/dry.txt');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`would copy ${join(dir, 'note.txt')} → ${name}-db-1:/tmp/dry.txt on linux`);
    expect(await inContainer('linux', 'db', ['sh', '-c', 'test -e /tmp/dry.txt && echo there || echo absent'])).toBe('absent\n');
  });

  it('errors: a missing path in the container, a service with no container, an unknown service', async () => {
    const missing = await mc('cp', 'db:/nope', dir);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`no such file or directory in container ${name}-db-1: /nope`);
    const none = await runMixcompose(['-f', file(), '--profile', 'later', 'cp', join(dir, 'note.txt'), 'later:/tmp/']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('no container found for service "later"');
    const unknown = await mc('cp', join(dir, 'note.txt'), 'nosuch:/tmp/');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/nosuch/);
  });
});
