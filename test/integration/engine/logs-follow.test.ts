/**
 * `mixcompose logs -f` across the runs of a container Docker restarts (restart policy), as docker
 * compose's: started after run 1 ended, it shows run 1's lines but not its end, says the end of
 * each later run once, follows the next run, and returns (exit 0) once the container stays stopped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linesOf, streamingMixcompose } from '../../support/attached-up.js';
import { assertRigUp, pollUntil, removeProjectLeftovers, rigDocker, runMixcompose, uniqueProjectName } from '../../support/rig.js';

const name = uniqueProjectName('logs-follow');
// Run n prints "run n", waits until the test creates /tmp/go<n>, then exits with code 3;
// on-failure:2 gives three runs. /tmp outlives a restart.
const yaml = `
name: ${name}
services:
  job:
    platform: linux
    image: mixcompose-test/busybox:latest
    restart: on-failure:2
    command: ["sh", "-c", "n=$$(( $$(cat /tmp/runs 2>/dev/null || echo 0) + 1 )); echo $$n > /tmp/runs; echo run $$n; while [ ! -e /tmp/go$$n ]; do sleep 0.1; done; exit 3"]
`;

describe('logs -f follows a container across its runs', () => {
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('says only the ends after it began, follows each restart, and returns once the container stays stopped', async () => {
    assertRigUp();
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-logs-follow-'));
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, yaml);
    const job = rigDocker('linux').getContainer(`${name}-job-1`);
    /** Lets run n end (exit 3). */
    const endRun = async (n: number) => {
      const exec = await job.exec({ Cmd: ['touch', `/tmp/go${n}`] });
      await exec.start({});
    };

    const up = await runMixcompose(['-f', file, '--progress', 'plain', 'up', '-d']);
    expect(up.exitCode, up.stderr).toBe(0);
    await endRun(1);
    await pollUntil('Docker restarted job after run 1', async () => {
      const state = await job.inspect();
      return state.RestartCount === 1 && state.State.Running;
    });

    const logs = streamingMixcompose(['-f', file, '--progress', 'plain', 'logs', '-f']);
    const lines = () => linesOf(logs.output, `${name}-job-1`);
    try {
      await pollUntil('logs -f shows run 2', async () => lines().includes('run 2'), { timeoutMs: 30_000 });
      await endRun(2);
      await pollUntil('logs -f follows run 3', async () => lines().includes('run 3'), { timeoutMs: 30_000 });
      await endRun(3); // on-failure:2 gives up after this one
      // Returns by itself once job stays stopped.
      await pollUntil('logs -f returns', async () => logs.child.exitCode !== null, { timeoutMs: 30_000 });
    } finally {
      logs.child.kill('SIGINT');
    }
    const result = await logs.child;
    expect(result.exitCode, logs.output).toBe(0);
    expect(lines(), logs.output).toEqual(['run 1', 'run 2', 'exited with code 3', 'run 3', 'exited with code 3']);
    const state = await job.inspect();
    expect([state.RestartCount, state.State.Running, state.State.ExitCode]).toEqual([2, false, 3]);
  });
});
