/**
 * `--dry-run` on every mutating command, on the rig: each prints what it would do and the stack on
 * both daemons is the same afterwards (containers with their state and start time, networks,
 * volumes, images). cp --dry-run is in cp.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRigUp, REGISTRY_BUSYBOX_IMAGE, removeProjectLeftovers, rigDocker, runMixcompose, uniqueProjectName } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';

const name = uniqueProjectName('dryrun');
const yaml = dbWebYaml({
  name,
  web: { dependsOn: ['db'] },
  services: {
    fetched: { image: REGISTRY_BUSYBOX_IMAGE, init: false, command: null, lines: ['profiles: [tools]'] },
    tool: { image: `${name}-tool:dry`, init: false, command: null, lines: ['build: .', 'profiles: [tools]'] },
  },
});

/** Everything of the project on both daemons that a command could change. */
async function snapshot(): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const daemon of ['linux', 'windows'] as const) {
    const docker = rigDocker(daemon);
    const filters = { label: [`com.docker.compose.project=${name}`] };
    const containers = await docker.listContainers({ all: true, filters });
    const inspected = await Promise.all(containers.map((c) => docker.getContainer(c.Id).inspect()));
    out[daemon] = {
      containers: inspected.map((c) => ({ id: c.Id, name: c.Name, status: c.State.Status, started: c.State.StartedAt, paused: c.State.Paused })).sort((a, b) => a.name.localeCompare(b.name)),
      networks: (await docker.listNetworks({ filters })).map((n) => n.Id).sort(),
      volumes: ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name).sort(),
      images: (await docker.listImages()).map((i) => `${i.Id} ${(i.RepoTags ?? []).join(',')}`).sort(),
    };
  }
  return out;
}

describe('--dry-run changes nothing', () => {
  let dir: string;
  const file = () => join(dir, 'compose.yaml');
  const mc = (...args: string[]) => runMixcompose(['-f', file(), ...args]);

  beforeAll(async () => {
    assertRigUp();
    dir = mkdtempSync(join(tmpdir(), 'mixcompose-dryrun-'));
    writeFileSync(file(), yaml);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM mixcompose-test/busybox:latest\nCMD ["true"]\n');
    writeFileSync(join(dir, 'note.txt'), 'x\n');
    const up = await mc('up', '-d');
    expect(up.exitCode, up.stderr).toBe(0);
    // One stopped container, so rm has something it would remove.
    expect((await mc('stop', 'web')).exitCode).toBe(0);
  });
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('down, start, stop, restart, kill, rm, pause, unpause, run, cp, pull, build, up', async () => {
    const before = await snapshot();
    const expected: [string[], RegExp][] = [
      [['down', '--dry-run', '-v'], /^down project .*\n(.|\n)*remove container .*-db-1/],
      [['start', '--dry-run'], new RegExp(`start container ${name}-web-1`)],
      [['stop', '--dry-run'], new RegExp(`stop container ${name}-db-1`)],
      [['restart', '--dry-run', 'db'], /restart project/],
      [['kill', '--dry-run'], new RegExp(`would kill ${name}-db-1 on linux`)],
      [['rm', '--dry-run', '-f'], new RegExp(`would remove ${name}-web-1 on windows`)],
      [['pause', '--dry-run'], new RegExp(`would pause ${name}-db-1`)],
      [['unpause', '--dry-run'], /nothing to unpause/],
      [['run', '--dry-run', '--rm', 'web', 'echo', 'hi'], new RegExp(`would run \\["echo","hi"\\] in ${name}-web-run-[0-9a-f]{12} on windows, then remove it`)],
      [['--profile', 'tools', 'pull', '--dry-run', 'fetched'], /fetched: would pull .*busybox:latest on linux/],
      [['--profile', 'tools', 'build', '--dry-run', 'tool'], new RegExp(`tool: would build ${name}-tool:dry on linux`)],
      [['up', '--dry-run'], /^up project /],
    ];
    for (const [args, pattern] of expected) {
      const r = await mc(...args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout + r.stderr, args.join(' ')).toMatch(pattern);
    }
    const cp = await mc('cp', '--dry-run', join(dir, 'note.txt'), 'db:/tmp/');
    expect(cp.exitCode, cp.stderr).toBe(0);
    expect(await snapshot()).toEqual(before);
  });
});
