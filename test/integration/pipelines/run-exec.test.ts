/**
 * `exec` and `run` on the rig, across both daemons: the command's exit code becomes mixcompose's,
 * without a TTY stdout and stderr stay apart, and with a real pseudo-terminal (util-linux `script`)
 * the container gets a TTY, typed input and the exit code. `run` gives its one-off the service's
 * wiring (an address reference to a service on the other daemon, a name resolved by the project
 * resolver) and compose's one-off labels.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { MIXCOMPOSE_BIN, assertRigUp, removeProjectLeftovers, rigDocker, rigEnv, runMixcompose, uniqueProjectName } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';

const name = uniqueProjectName('run-exec');
const yaml = dbWebYaml({
  name,
  db: { lines: ['expose: ["5432"]'] },
  services: {
    tests: {
      platform: 'windows',
      init: false,
      lines: ['environment:', '  DB: "{{ db.host }}:{{ db.port:5432 }}"'],
      dependsOn: ['db'],
      command: 'echo default-command',
    },
  },
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('exec and run', () => {
  let dir: string;
  const file = () => join(dir, 'compose.yaml');
  const mc = (...args: string[]) => runMixcompose(['-f', file(), '--progress', 'plain', ...args]);
  /** Runs mixcompose on a real pseudo-terminal (util-linux script), typing `input`. */
  const onTerminal = async (args: readonly string[], input: string) => {
    const command = ['node', MIXCOMPOSE_BIN, '-f', file(), ...args].map(quote).join(' ');
    const r = await execa('script', ['-qec', `${command} 2>/dev/null`, '/dev/null'], { env: rigEnv(), extendEnv: false, reject: false, input, timeout: 60_000 });
    return { exitCode: r.exitCode, output: String(r.stdout) };
  };

  beforeAll(async () => {
    assertRigUp();
    dir = mkdtempSync(join(tmpdir(), 'mixcompose-run-exec-'));
    writeFileSync(join(dir, 'compose.yaml'), yaml);
    const up = await mc('up', '-d', 'db', 'web');
    expect(up.exitCode, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('exec without a TTY: stdout and stderr apart, the exit code is the command\'s', async () => {
    const r = await mc('exec', '-T', 'web', 'sh', '-c', 'echo to-out; echo to-err >&2; exit 7');
    expect(r.exitCode).toBe(7);
    expect(r.stdout).toBe('to-out');
    expect(r.stderr).toContain('to-err');
    expect(r.stderr).not.toContain('to-out');
  });

  it('exec -e -u -w reach the command (linux daemon too)', async () => {
    const r = await mc('exec', '-T', '-e', 'GREETING=hi', '-u', 'nobody', '-w', '/tmp', 'db', 'sh', '-c', 'echo $GREETING $(id -un) $(pwd)');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('hi nobody /tmp');
  });

  it('exec on a service that is not running says so (exit 1)', async () => {
    const r = await mc('exec', '-T', 'tests', 'true');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('service tests is not running');
  });

  it('exec with a TTY: a terminal in the container, typed input, the exit code', async () => {
    const r = await onTerminal(['exec', 'web', 'sh'], 'echo typed-$((6*7)); tty\nexit 5\n');
    expect(r.output).toContain('typed-42');
    expect(r.output).toMatch(/\/dev\/pts\/\d+/);
    expect(r.exitCode).toBe(5);
  });

  it("run: a one-off on the service's daemon with its wiring across daemons; --rm removes it; the exit code is the command's", async () => {
    const r = await mc('run', '--rm', '-e', 'EXTRA=x', 'tests', 'sh', '-c', 'echo DB=$DB EXTRA=$EXTRA; nslookup db >/dev/null 2>&1 && echo db-resolves; echo oops >&2; exit 6');
    expect(r.exitCode, r.stderr).toBe(6);
    const db = await rigDocker('linux').getContainer(`${name}-db-1`).inspect();
    const dbIp = Object.values(db.NetworkSettings.Networks)[0]!.IPAddress;
    expect(r.stdout).toBe(`DB=${dbIp}:5432 EXTRA=x\ndb-resolves`);
    expect(r.stderr).toContain('oops');
    const left = await rigDocker('windows').listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${name}`, 'com.docker.compose.oneoff=True'] }) });
    expect(left).toEqual([]);
  });

  it('run keeps the one-off (without --rm) labelled as compose labels one-offs, and leaves the service alone', async () => {
    const r = await mc('run', '--name', `${name}-kept`, 'tests');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('default-command');
    const kept = await rigDocker('windows').getContainer(`${name}-kept`).inspect();
    expect(kept.Config.Labels).toMatchObject({ 'com.docker.compose.project': name, 'com.docker.compose.service': 'tests', 'com.docker.compose.oneoff': 'True' });
    const ps = await mc('ps', '-a', '--format', 'json');
    expect((JSON.parse(ps.stdout) as { name: string }[]).map((c) => c.name)).not.toContain(`${name}-kept`);
  });

  it('run with a TTY: a terminal, typed input, the exit code', async () => {
    const r = await onTerminal(['run', '--rm', '--no-deps', 'tests', 'sh'], 'echo typed-$((6*7)); tty\nexit 9\n');
    expect(r.output).toContain('typed-42');
    expect(r.output).toMatch(/\/dev\/pts\/\d+/);
    expect(r.exitCode).toBe(9);
  });
});
