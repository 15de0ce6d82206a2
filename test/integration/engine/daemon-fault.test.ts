/**
 * A daemon that goes away in the middle of `up`: the windows stand-in is stopped (scripts/rig.sh
 * stop-daemon) while `up` waits for a linux dependency. `up` fails with an error naming that
 * daemon, what was done and not, and the command to continue; once the daemon is back, `down`
 * removes everything of the project on both daemons.
 *
 * This stops a rig daemon for a few seconds (killing whatever runs on it): it restarts it in
 * every case before it ends.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonError } from '../../../src/errors.js';
import { REPO_ROOT, assertRigUp, pollUntil, rigDocker, runMixcompose } from '../../support/rig.js';
import { dbWebYaml, dependsOnHealthy, healthyOnceFileExists } from '../../support/stacks.js';
import { testStack, type TestStack } from './stack.js';

const yaml = dbWebYaml({
  db: { lines: healthyOnceFileExists('/tmp/ready', { interval: '200ms', retries: 1000 }) },
  web: { lines: dependsOnHealthy('db') },
});

const rig = (...args: string[]) => execFileSync('bash', [join(REPO_ROOT, 'scripts', 'rig.sh'), ...args], { stdio: 'pipe' });

describe('a daemon stopped in the middle of up', () => {
  let stack: TestStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('fault', yaml);
  });
  afterAll(async () => {
    rig('start-daemon', 'windows');
    await stack?.cleanup();
  });

  it('fails naming the daemon, then down cleans up once it is back', async () => {
    const upRun = stack.up({ dependencyTimeoutMs: 60_000 });
    const failed = upRun.then(
      () => undefined,
      (error: unknown) => error,
    );
    const linux = rigDocker('linux');
    const windows = rigDocker('windows');
    // web is created early (it waits only for its start); db runs but is not healthy yet.
    await pollUntil('db running and web created', async () => {
      const db = await linux.getContainer(`${stack.name}-db-1`).inspect();
      await windows.getContainer(`${stack.name}-web-1`).inspect();
      return db.State.Running;
    });
    rig('stop-daemon', 'windows');
    // Now let db become healthy: up goes on to start web on the stopped daemon.
    const exec = await linux.getContainer(`${stack.name}-db-1`).exec({ Cmd: ['touch', '/tmp/ready'] });
    await exec.start({});
    const error = await failed;
    expect(error).toBeInstanceOf(DaemonError);
    const e = error as DaemonError;
    expect(e.daemon).toContain('windows');
    expect(e.message).toContain(`start container ${stack.name}-web-1`);
    expect(e.progress?.done.join('\n')).toContain(`start container ${stack.name}-db-1`);
    expect(e.progress?.notDone.join('\n')).toContain(`start container ${stack.name}-web-1`);
    expect(e.progress?.resume).toMatch(new RegExp(`-p ${stack.name} up -d$`));

    rig('start-daemon', 'windows');
    await pollUntil('windows daemon back', async () => (await windows.ping()) !== undefined);
    await stack.down();
    const filters = JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`] });
    for (const docker of [linux, windows]) {
      expect(await docker.listContainers({ all: true, filters })).toEqual([]);
      expect(await docker.listNetworks({ filters })).toEqual([]);
    }
  });

  it('down with a daemon gone removes what it can reach, names the other, and finishes once it is back', async () => {
    const file = join(stack.dir, 'compose.yaml');
    const linux = rigDocker('linux');
    const windows = rigDocker('windows');
    // Up again; db becomes healthy when told to.
    const upRun = stack.up({ dependencyTimeoutMs: 60_000 });
    await pollUntil('db running', async () => (await linux.getContainer(`${stack.name}-db-1`).inspect()).State.Running);
    await (await linux.getContainer(`${stack.name}-db-1`).exec({ Cmd: ['touch', '/tmp/ready'] })).start({});
    await upRun;
    const filters = JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`] });
    rig('stop-daemon', 'windows');
    try {
      const r = await runMixcompose(['-f', file, '-p', stack.name, 'down', '-t', '1']);
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/error: daemon windows \(unix:.*windows.sock\): down \(connecting\) failed/);
      expect(r.stderr).toContain(`remove container ${stack.name}-db-1 (down) (linux)`);
      expect(r.stderr).toContain(`not done: everything of project ${stack.name} on windows`);
      expect(r.stderr).toContain(`to continue: mixcompose -f ${file} -p ${stack.name} down -t 1`);
      expect(await linux.listContainers({ all: true, filters })).toEqual([]);
    } finally {
      rig('start-daemon', 'windows');
    }
    await pollUntil('windows daemon back', async () => (await windows.ping()) !== undefined);
    const again = await runMixcompose(['-f', file, '-p', stack.name, 'down', '-t', '1']);
    expect(again.exitCode, again.stderr).toBe(0);
    for (const docker of [linux, windows]) expect(await docker.listContainers({ all: true, filters })).toEqual([]);
  });
});
