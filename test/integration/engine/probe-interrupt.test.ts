/**
 * Ctrl-C (SIGINT) while `up` probes reach between the daemons (QA2 R5): the probe stops and `up`
 * exits 130 having recorded no answer (the reach record is made after it) and left nothing of the
 * probe. What ran beside it (the project networks, the resolver, the services whose containers do
 * not depend on the answer, web among them as the probe's windows end, plan/probe-plan.ts) stays,
 * as after any interrupted `up`; `down` removes it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachedUp, streamingMixcompose } from '../../support/attached-up.js';
import { afterAll, describe, expect, it } from 'vitest';
import { assertRigUp, pollUntil, removeProjectLeftovers, rigDocker, uniqueProjectName } from '../../support/rig.js';
import { projectResources } from './published-host.js';

const name = uniqueProjectName('probe-interrupt');

describe('Ctrl-C while up probes reach', () => {
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('stops the probe and exits 130 with nothing of the probe left and no answer recorded; down removes the rest', async () => {
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
    // Only what ran beside the probe: nothing of the probe itself, no record of an answer.
    expect((await projectResources(name)).filter((r) => /reach-probe|reach-record/.test(r))).toEqual([]);
    expect(await projectResources(name)).toContain(`windows container /${name}-web-1`);
    // Nothing left holds an answer: the next up probes again. And `down` finishes what the interrupted up left.
    for (const daemon of ['linux', 'windows'] as const) {
      const filters = JSON.stringify({ label: [`com.docker.compose.project=${name}`] });
      for (const c of await rigDocker(daemon).listContainers({ all: true, filters })) expect(Object.keys(c.Labels).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
    }
    const down = await streamingMixcompose(['-f', join(dir, 'compose.yaml'), 'down']).child;
    expect(down.exitCode, down.all).toBe(0);
    expect(await projectResources(name)).toEqual([]);
  });
});
