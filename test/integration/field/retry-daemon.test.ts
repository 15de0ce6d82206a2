/**
 * `up --retry-daemon`: the windows daemon dies while `up` waits for a linux dependency and comes
 * back a little later; `up` waits for it with backoff (a warning per retry) and completes.
 *
 * This stops a rig daemon for a few seconds; it is started again in every case.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIXCOMPOSE_BIN,
  REPO_ROOT,
  assertRigUp,
  pollUntil,
  removeProjectLeftovers,
  rigDocker,
  rigEnv,
  startRigDaemon,
  stopRigDaemon,
  uniqueProjectName,
} from '../../support/rig.js';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'field', 'retry-daemon', 'compose.yaml');

/** `up -d --retry-daemon 90` in the background, with its JSON progress collected as it comes. */
function startUp(project: string) {
  const process = execa('node', [MIXCOMPOSE_BIN, '-f', FILE, '-p', project, '--progress', 'json', 'up', '-d', '--retry-daemon', '90'], {
    env: rigEnv(),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 110_000,
  });
  let stdout = '';
  process.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return { process, output: () => stdout };
}

describe('up --retry-daemon', () => {
  const project = uniqueProjectName('field-retry');
  beforeAll(() => assertRigUp());
  afterAll(async () => {
    await startRigDaemon('windows');
    await removeProjectLeftovers(project);
  });

  it('waits for a daemon that died during up, and completes once it is back', async () => {
    const up = startUp(project);
    const linux = rigDocker('linux');
    const windows = rigDocker('windows');
    await pollUntil('db running and web created', async () => {
      const db = await linux.getContainer(`${project}-db-1`).inspect();
      await windows.getContainer(`${project}-web-1`).inspect();
      return db.State.Running;
    });
    await stopRigDaemon('windows');
    const exec = await linux.getContainer(`${project}-db-1`).exec({ Cmd: ['touch', '/tmp/ready'] });
    await exec.start({});
    // up now needs the windows daemon: it must retry instead of failing.
    await pollUntil('a retry warning', async () => /unreachable during/.test(up.output()), { timeoutMs: 60_000, detail: () => up.output() });
    expect(up.process.exitCode).toBeNull(); // still running, waiting
    await startRigDaemon('windows');

    const result = await up.process;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const warnings = up
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; message?: string })
      .filter((e) => e.type === 'warning' && /unreachable during/.test(e.message ?? ''));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]!.message).toMatch(/daemon windows .*retry 1 in/);
    const web = await windows.getContainer(`${project}-web-1`).inspect();
    expect(web.State.Running).toBe(true);
  });

  it('waits for a daemon that is not there when up starts', async () => {
    const second = uniqueProjectName('field-retry-start');
    try {
      await stopRigDaemon('windows');
      const up = startUp(second);
      await pollUntil('a retry warning', async () => /daemon windows .*unreachable during/.test(up.output()), { timeoutMs: 60_000, detail: () => up.output() });
      expect(up.process.exitCode).toBeNull();
      await startRigDaemon('windows');
      // db needs /tmp/ready to become healthy.
      const linux = rigDocker('linux');
      await pollUntil('db running', async () => (await linux.getContainer(`${second}-db-1`).inspect()).State.Running);
      const exec = await linux.getContainer(`${second}-db-1`).exec({ Cmd: ['touch', '/tmp/ready'] });
      await exec.start({});
      const result = await up.process;
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect((await rigDocker('windows').getContainer(`${second}-web-1`).inspect()).State.Running).toBe(true);
    } finally {
      await startRigDaemon('windows');
      await removeProjectLeftovers(second);
    }
  });
});
