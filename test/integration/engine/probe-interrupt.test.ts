/**
 * Ctrl-C (SIGINT) while `up` probes reach between the daemons (QA2 R5): the probe stops, removes its
 * throw-away containers and networks, and `up` exits 130 having started no service container: on the
 * rig (no daemon address) they all wait for the probe's answer. The project networks and resolver,
 * infrastructure made beside the probe, may stay (as after any interrupted `up`; `down` removes them).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachedUp } from '../../support/attached-up.js';
import { afterAll, describe, expect, it } from 'vitest';
import { assertRigUp, pollUntil, removeProjectLeftovers, uniqueProjectName } from '../../support/rig.js';
import { projectResources } from './published-host.js';

const name = uniqueProjectName('probe-interrupt');

describe('Ctrl-C while up probes reach', () => {
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('removes the probe and exits 130, having started no service container', async () => {
    assertRigUp();
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-probe-interrupt-'));
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${name}\nservices:\n  db:\n    platform: linux\n    image: mixcompose-test/busybox:latest\n    command: ["sleep", "3600"]\n` +
        `  web:\n    platform: windows\n    image: mixcompose-test/busybox:latest\n    command: ["sleep", "3600"]\n`,
    );
    const run = attachedUp(['-f', join(dir, 'compose.yaml')], ['-d']);
    const { child } = run;
    // The probe makes its networks and containers first (about a second on the rig): interrupt then.
    await pollUntil('the probe began', async () => run.output.includes('Network reach between daemons  Probing'), { timeoutMs: 60_000, intervalMs: 20, detail: () => run.output });
    child.kill('SIGINT');
    const result = await child;
    expect(run.output, run.output).not.toContain('Probed:');
    expect(result.exitCode, run.output).toBe(130);
    expect(run.output).toContain('Network reach between daemons  Skipped: interrupted (the probe was removed)');
    // Only what ran beside the probe: the project networks and resolver (the probe's own are gone).
    const beside = (r: string) => r.endsWith(` network ${name}_default`) || r.includes(`${name}-mixcompose-resolver`);
    expect((await projectResources(name)).filter((r) => !beside(r))).toEqual([]);
  });
});
