/**
 * `up` without -d: logs from both daemons stream prefixed per container, and Ctrl-C (SIGINT) stops
 * the stack in reverse dependency order, like compose.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachedUp as attachedUpOn, linesOf } from '../../support/attached-up.js';
import { afterAll, describe, expect, it } from 'vitest';
import { assertRigUp, pollUntil, removeProjectLeftovers, rigDocker, uniqueProjectName } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';

const name = uniqueProjectName('attach');
const yaml = dbWebYaml({
  name,
  db: { command: 'echo db-ready; exec sleep 3600' },
  web: { dependsOn: ['db'], command: 'echo web-ready; exec sleep 3600' },
});

/** Whether `container` logged the line `text` (the `|` column is padded to the longest name attached). */
const logged = (output: string, container: string, text: string) => linesOf(output, container).includes(text);

/** `mixcompose up` (attached) in `dir`, its stdout and stderr collected in `output`. */
const attachedUp = (dir: string) => attachedUpOn(['-f', join(dir, 'compose.yaml')]);

describe('attached up', () => {
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('streams logs from both daemons and stops the stack on Ctrl-C', async () => {
    assertRigUp();
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-attach-'));
    writeFileSync(join(dir, 'compose.yaml'), yaml);
    const run = attachedUp(dir);
    const { child } = run;
    try {
      await pollUntil('both services logged', async () => logged(run.output, `${name}-db-1`, 'db-ready') && logged(run.output, `${name}-web-1`, 'web-ready'), { timeoutMs: 60_000, detail: () => run.output });
    } finally {
      // Also when the wait failed: an `up` left running would go on into the next test file.
      child.kill('SIGINT');
    }
    const result = await child;
    expect(result.exitCode, run.output).toBe(0);
    expect(run.output).toContain('Gracefully stopping');
    // Reverse dependency order: web (windows) stops before db (linux) begins to stop.
    expect(run.output.indexOf(`Container ${name}-web-1  Stopped`)).toBeLessThan(run.output.indexOf(`Container ${name}-db-1  Stopping`));
    const db = await rigDocker('linux').getContainer(`${name}-db-1`).inspect();
    const web = await rigDocker('windows').getContainer(`${name}-web-1`).inspect();
    expect([db.State.Running, web.State.Running]).toEqual([false, false]);
  });

  it('a second Ctrl-C kills at once with one "Stopped: killed" line; each exit is reported (Q21, Q22)', async () => {
    assertRigUp();
    const stub = uniqueProjectName('attach-kill');
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-attach-kill-'));
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${stub}\nservices:\n  stubborn:\n    platform: windows\n    image: mixcompose-test/busybox:latest\n    stop_grace_period: 30s\n` +
        `    command: ["sh", "-c", "trap 'echo ignoring TERM' TERM; echo up; while true; do sleep 1; done"]\n`,
    );
    try {
      const run = attachedUp(dir);
      const { child } = run;
      await pollUntil('the service logged', async () => logged(run.output, `${stub}-stubborn-1`, 'up'), { timeoutMs: 60_000, detail: () => run.output });
      child.kill('SIGINT');
      await pollUntil('the graceful stop began', async () => run.output.includes('ignoring TERM'), { timeoutMs: 20_000, detail: () => run.output });
      const second = Date.now();
      child.kill('SIGINT');
      const result = await child;
      expect(result.exitCode, run.output).toBe(0);
      expect(Date.now() - second).toBeLessThan(15_000);
      expect(run.output.match(/Container \S+-stubborn-1 +Stopped/g), run.output).toEqual([`Container ${stub}-stubborn-1  Stopped`]);
      expect(run.output).toContain(`Container ${stub}-stubborn-1  Stopped: killed\n`);
      expect(run.output).not.toContain('killed after 30s');
      expect(logged(run.output, `${stub}-stubborn-1`, 'exited with code 137'), run.output).toBe(true);
    } finally {
      await removeProjectLeftovers(stub);
    }
  });
});
