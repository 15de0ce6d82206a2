/**
 * The windows daemon killed during `up` and brought back (issue 12). `up` is half-way: db runs on
 * linux but is not healthy yet, web is created on windows and waits for it. The windows dockerd is
 * then stopped the hard way (its containers killed, the daemon gone: scripts/rig.sh stop-daemon) and
 * db becomes healthy, so `up` goes on to start web on a daemon that is not there: it fails naming the
 * windows daemon, the step and how to continue. Once the daemon is back, the next `up` converges and
 * `down` leaves nothing of the project on either daemon; the bystanders are untouched.
 *
 * This stops a rig daemon for a few seconds: it is started again in every case (afterAll too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRigUp, pollUntil, rigDocker, startRigDaemon, stopRigDaemon } from '../../support/rig.js';
import { dbWebYaml, dependsOnHealthy, healthyOnceFileExists } from '../../support/stacks.js';
import { expectUpThenDownConverge, faultStack, type FaultStack } from './fault-stack.js';

const YAML = dbWebYaml({
  reach: 'ip',
  db: { lines: healthyOnceFileExists('/tmp/ready', { interval: '200ms', retries: 1000 }) },
  web: { lines: dependsOnHealthy('db') },
});

describe('fault suite: the windows daemon killed during up', () => {
  let stack: FaultStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await faultStack('mckill', YAML);
  });
  afterAll(async () => {
    await startRigDaemon('windows');
    await stack?.mc(['down', '-t', '1']);
    await stack?.cleanup();
  }, 120_000);

  it('up fails naming the windows daemon; once it is back the next up converges and down leaves nothing', async () => {
    const linux = rigDocker('linux');
    const windows = rigDocker('windows');
    const up = stack.mc(['up', '-d'], { timeoutMs: 180_000 });
    await pollUntil('db running and web created', async () => {
      const db = await linux.getContainer(`${stack.name}-db-1`).inspect();
      await windows.getContainer(`${stack.name}-web-1`).inspect();
      return db.State.Running;
    });
    try {
      await stopRigDaemon('windows');
      // db becomes healthy: up goes on to start web on the daemon that is gone.
      await (await linux.getContainer(`${stack.name}-db-1`).exec({ Cmd: ['touch', '/tmp/ready'] })).start({});
      const failed = await up;
      expect(failed.exitCode, failed.stdout + failed.stderr).not.toBe(0);
      expect(failed.stderr).toMatch(/daemon windows \(unix:.*windows\.sock\)/);
      expect(failed.stderr).toContain(`start container ${stack.name}-web-1`);
      expect(failed.stderr).toMatch(/to continue: mixcompose .* up -d/);
      expect(failed.stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      await startRigDaemon('windows');
    }
    await pollUntil('windows daemon back', async () => (await windows.ping()) !== undefined);
    // The fault killed the windows bystander with its daemon; mixcompose must leave it where it is.
    await windows.getContainer(`${stack.name}-bystander`).start();
    // The daemon kept web (created, its start never came) and the network: up converges from there.
    await expectUpThenDownConverge(stack);
  }, 240_000);
});
