/**
 * `down` stops the project resolver last (QA2 R1): a windows service whose stop hook calls a linux
 * service by name still resolves it while it shuts down, and so stops at once instead of hanging on
 * the lookup until the kill.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertRigUp, pollUntil, removeProjectLeftovers, runMixcompose, uniqueProjectName } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';

const name = uniqueProjectName('down-resolver-last');

describe('down and the project resolver', () => {
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('stops the resolver after the services: a stop hook resolves another daemon\'s service by name', async () => {
    assertRigUp();
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-down-resolver-'));
    const out = join(dir, 'out');
    mkdirSync(out, { mode: 0o777 });
    writeFileSync(
      join(dir, 'compose.yaml'),
      dbWebYaml({
        name,
        db: { lines: ['expose: ["8080"]'], command: 'echo ok > /tmp/index.html && exec httpd -f -p 8080 -h /tmp' },
        web: {
          init: false,
          dependsOn: ['db'],
          lines: [`volumes: ["${out}:/out"]`],
          command: "trap 'wget -q -O /out/at-stop http://db:8080/index.html; exit 0' TERM; until wget -q -O /out/at-start http://db:8080/index.html; do sleep 0.2; done; while true; do sleep 0.1; done",
        },
      }),
    );
    const file = ['-f', join(dir, 'compose.yaml')];
    const up = await runMixcompose([...file, 'up', '-d']);
    expect(up.exitCode, up.stderr).toBe(0);
    await pollUntil('web reached db by name', async () => existsSync(join(out, 'at-start')), { timeoutMs: 30_000 });

    const plan = await runMixcompose([...file, 'plan', '--for', 'down']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const resolverStop = plan.stdout.split('\n').find((l) => l.includes(`stop container ${name}-mixcompose-resolver`));
    expect(resolverStop, plan.stdout).toMatch(/after \d+,\d+/);

    const down = await runMixcompose([...file, '--progress', 'plain', 'down']);
    expect(down.exitCode, down.stderr).toBe(0);
    // The stop hook got its answer: web stopped by itself (no "killed after" below), not at the 10 s kill.
    expect(readFileSync(join(out, 'at-stop'), 'utf8')).toBe('ok\n');
    const output = down.stdout + down.stderr;
    expect(output.indexOf(`Container ${name}-web-1  Stopped`), output).toBeLessThan(output.indexOf(`Container ${name}-mixcompose-resolver  Stopping`));
    expect(output).not.toContain('killed after');
  });
});
