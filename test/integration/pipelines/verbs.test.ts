/**
 * The verbs besides up/down on the rig, each across both daemons: events --json from both daemons
 * with timestamps, version, ls with platforms, top, port, pause/unpause (and the refusal for a
 * Windows service under process isolation is in test/unit/cli/pipeline-verbs.test.ts), kill and rm with --dry-run,
 * and wait with the first stopped container's exit code.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { MIXCOMPOSE_BIN, assertRigUp, pollUntil, removeProjectLeftovers, rigDocker, rigEnv, runMixcompose, uniqueProjectName } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';

const name = uniqueProjectName('verbs');
const yaml = dbWebYaml({
  name,
  web: { lines: ['ports: ["18931:80"]'] },
  services: { job: { platform: 'windows', init: false, command: 'exit 3', lines: ['profiles: [job]'] } },
});

describe('pipeline verbs', () => {
  let dir: string;
  const file = () => join(dir, 'compose.yaml');
  const mc = (...args: string[]) => runMixcompose(['-f', file(), ...args]);

  beforeAll(async () => {
    assertRigUp();
    dir = mkdtempSync(join(tmpdir(), 'mixcompose-verbs-'));
    writeFileSync(file(), yaml);
    const up = await mc('up', '-d');
    expect(up.exitCode, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('events --json: both daemons, each event with a nanosecond timestamp', async () => {
    const events = execa('node', [MIXCOMPOSE_BIN, '-f', file(), 'events', '--json'], { env: rigEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
    let out = '';
    events.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // Once the stream is open (a first restart is seen), restart both services.
      await pollUntil('events to stream', async () => {
        await mc('restart', '-t', '0');
        return out.includes('"daemon":"linux"') && out.includes('"daemon":"windows"');
      }, { timeoutMs: 60_000, intervalMs: 500 });
    } finally {
      events.kill('SIGINT');
      await events;
    }
    const parsed = out.trim().split('\n').map((l) => JSON.parse(l) as { time: string; daemon: string; service?: string; action: string });
    expect(parsed.every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(e.time))).toBe(true);
    expect(parsed.find((e) => e.daemon === 'windows')?.service).toBe('web');
    expect(parsed.find((e) => e.daemon === 'linux' && e.service === 'db')).toBeDefined();
    expect((await events).exitCode).toBe(0);
  });

  it('version names the client and both daemons; ls lists the project with both platforms', async () => {
    const version = await mc('version', '--format', 'json');
    const report = JSON.parse(version.stdout) as { client: { version: string }; daemons: { platform: string; api?: string }[] };
    expect(report.client.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.daemons.map((d) => d.platform).sort()).toEqual(['linux', 'windows']);
    const ls = await mc('ls', '--format', 'json');
    expect((JSON.parse(ls.stdout) as { name: string; platforms: string[] }[]).find((p) => p.name === name)?.platforms).toEqual(['linux', 'windows']);
  });

  it('top shows each container with its daemon; port gives the published address', async () => {
    const top = await mc('top');
    expect(top.stdout).toMatch(new RegExp(`${name}-db-1 \\(linux \\(unix:`));
    expect(top.stdout).toMatch(new RegExp(`${name}-web-1 \\(windows \\(unix:`));
    expect(top.stdout).toContain('sleep 3600');
    expect((await mc('port', 'web', '80')).stdout).toBe('0.0.0.0:18931');
    expect((await mc('port', 'web', '81')).exitCode).toBe(1);
  });

  it('pause and unpause across daemons (the refusal for a process-isolated Windows service is a unit test: the Linux daemons of the rig cannot run one)', async () => {
    expect((await mc('pause', '--dry-run')).stdout).toContain(`would pause ${name}-web-1 on windows`);
    expect((await mc('pause')).exitCode).toBe(0);
    expect((await rigDocker('windows').getContainer(`${name}-web-1`).inspect()).State.Paused).toBe(true);
    expect((await mc('unpause')).exitCode).toBe(0);
    expect((await rigDocker('windows').getContainer(`${name}-web-1`).inspect()).State.Paused).toBe(false);
  });

  it('wait ends with the first stopped container\'s code; kill and rm with --dry-run touch nothing', async () => {
    expect((await mc('--profile', 'job', 'up', '-d', 'job')).exitCode).toBe(0);
    const wait = await mc('--profile', 'job', 'wait', 'job');
    expect(wait.exitCode).toBe(3);
    expect(wait.stdout).toBe(`${name}-job-1 exited with code 3`);
    expect((await mc('kill', '--dry-run', 'db')).stdout).toBe(`would kill ${name}-db-1 on linux (unix:///run/mixcompose-rig/linux.sock)`);
    expect((await rigDocker('linux').getContainer(`${name}-db-1`).inspect()).State.Running).toBe(true);
    expect((await mc('kill', 'db')).exitCode).toBe(0);
    expect((await mc('rm', 'db')).exitCode).toBe(2); // not a terminal: asks for -f
    expect((await mc('rm', '--dry-run')).stdout).toContain(`would remove ${name}-db-1 on linux`);
    expect((await mc('rm', '-f', 'db')).exitCode).toBe(0);
    await expect(rigDocker('linux').getContainer(`${name}-db-1`).inspect()).rejects.toThrow(/no such container/i);
  });
});
