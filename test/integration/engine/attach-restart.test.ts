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
import { assertRigUp, pollUntil, removeProjectLeftovers, rigDocker, uniqueProjectName, type RigDaemon } from '../../support/rig.js';
import { dbWebYaml, type ServiceSpec } from '../../support/stacks.js';

const name = uniqueProjectName('attach-restart');
// Run n prints "run n", waits until the test creates /tmp/go<n> (once it saw "run n": each run ends
// while followed), then exits with code n; on-failure:2 gives three runs (codes 1, 2, 3). /tmp
// outlives a restart.
const flaky = (platform: RigDaemon): ServiceSpec => ({
  platform,
  init: false,
  lines: ['restart: on-failure:2'],
  command: 'n=$$(( $$(cat /tmp/runs 2>/dev/null || echo 0) + 1 )); echo $$n > /tmp/runs; echo run $$n; while [ ! -e /tmp/go$$n ]; do sleep 0.1; done; exit $$n',
});
const yaml = dbWebYaml({ name, web: flaky('windows'), services: { job: flaky('linux') } });

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
    /** Lets each run of `container` end once attached `up` showed it, and waits until it showed all. */
    const runThrough = async (daemon: 'linux' | 'windows', container: string) => {
      for (const n of [1, 2, 3]) {
        await pollUntil(`up shows run ${n} of ${container}`, async () => linesOf(run.output, container).includes(`run ${n}`), { timeoutMs: 60_000, intervalMs: 200, detail: () => run.output });
        const exec = await rigDocker(daemon).getContainer(container).exec({ Cmd: ['touch', `/tmp/go${n}`] });
        await exec.start({});
      }
      await pollUntil(`up shows every end of ${container}`, async () => linesOf(run.output, container).length >= expected.length, { timeoutMs: 30_000, intervalMs: 200, detail: () => run.output });
    };
    try {
      await Promise.all([runThrough('windows', `${name}-web-1`), runThrough('linux', `${name}-job-1`)]);
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
