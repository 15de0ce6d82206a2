/**
 * Attached `up` (no -d) and Docker's restart policy (QA2 R3): a container that Docker restarts is
 * followed into its next runs, and each run's end is reported with its own exit code, in place
 * (as docker compose does). Both daemons: a windows-declared and a linux-declared service.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attachedUp, linesOf } from '../../support/attached-up.js';
import { assertRigUp, pollUntil, removeProjectLeftovers, rigDocker, uniqueProjectName } from '../../support/rig.js';

const name = uniqueProjectName('attach-restart');
// Run n prints "run n" and exits with code n; on-failure:2 gives three runs (codes 1, 2, 3).
const flaky = (platform: string) => `
    platform: ${platform}
    image: mixcompose-test/busybox:latest
    restart: on-failure:2
    command: ["sh", "-c", "n=$$(( $$(cat /tmp/runs 2>/dev/null || echo 0) + 1 )); echo $$n > /tmp/runs; echo run $$n; sleep 0.5; exit $$n"]`;
const yaml = `
name: ${name}
services:
  db:
    platform: linux
    image: mixcompose-test/busybox:latest
    init: true
    command: ["sleep", "3600"]
  web:${flaky('windows')}
  job:${flaky('linux')}
`;

describe('attached up follows containers Docker restarts', () => {
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('shows every run of a restarted container with its own exit code, on both daemons', async () => {
    assertRigUp();
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-attach-restart-'));
    writeFileSync(join(dir, 'compose.yaml'), yaml);
    const run = attachedUp(['-f', join(dir, 'compose.yaml')]);
    const { child } = run;
    const expected = ['run 1', 'exited with code 1', 'run 2', 'exited with code 2', 'run 3', 'exited with code 3'];
    try {
      await pollUntil(
        'both flaky services ran three times and gave up',
        async () => linesOf(run.output, `${name}-web-1`).length >= expected.length && linesOf(run.output, `${name}-job-1`).length >= expected.length,
        { timeoutMs: 90_000, intervalMs: 200, detail: () => run.output },
      );
    } finally {
      child.kill('SIGINT');
    }
    const result = await child;
    expect(result.exitCode, run.output).toBe(0);
    expect(linesOf(run.output, `${name}-web-1`), run.output).toEqual(expected);
    expect(linesOf(run.output, `${name}-job-1`), run.output).toEqual(expected);
    // What Docker says matches: three runs, the last one's code.
    const web = await rigDocker('windows').getContainer(`${name}-web-1`).inspect();
    expect([web.RestartCount, web.State.ExitCode]).toEqual([2, 3]);
  });
});
