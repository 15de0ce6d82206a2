/**
 * Ctrl-C (SIGINT) while `up` probes reach between the daemons (QA2 R5): the probe stops and `up`
 * exits 130 having started no service container but the probe's windows end (web: the probe pings
 * from and to it and the resolver, plan/probe-plan.ts), and recorded no answer (the reach record is
 * made after it). The project networks, resolver and web, made beside the probe, stay (as after any
 * interrupted `up`); `down` removes them.
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

  it('stops the probe and exits 130 with no service container made but its windows end, no answer recorded; down removes the rest', async () => {
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
    // Only what ran beside the probe: the project networks, the resolver and web, its windows end.
    const beside = (r: string) => r.endsWith(` network ${name}_default`) || r.includes(`${name}-mixcompose-resolver`) || r.includes(`${name}-web-1`);
    expect((await projectResources(name)).filter((r) => !beside(r))).toEqual([]);
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
