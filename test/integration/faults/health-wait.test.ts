/**
 * A container that dies during its health wait: `up --wait` exits non-zero naming it and its last
 * log lines; then `up` (with a healthy file) converges and `down` leaves nothing.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertRigUp } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';
import { expectUpThenDownConverge, faultStack, TWO_DAEMON_YAML, type FaultStack } from './fault-stack.js';

const DYING = dbWebYaml({
  db: {
    init: false,
    command: 'echo starting db; echo last words before dying; exit 3',
    lines: ['healthcheck:', '  test: ["CMD", "true"]', '  interval: 1s', '  start_period: 30s'],
  },
});

describe('a container that dies during its health wait', () => {
  let stack: FaultStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await faultStack('health-wait', DYING);
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  let wait: Awaited<ReturnType<FaultStack['mc']>>;

  it('up --wait exits non-zero naming the service and its container', async () => {
    wait = await stack.mc(['up', '--wait', '--wait-timeout', '60']);
    expect(wait.exitCode, wait.stdout + wait.stderr).toBe(4); // a service failure (README: exit codes)
    expect(wait.stdout + wait.stderr).toMatch(new RegExp(`service db \\(${stack.name}-db-1\\)`));
    expect(wait.stdout + wait.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  // `up --wait` failing names the service, its state and its last log lines (cli/commands/up-attach-options.ts).
  it('... and says it exited, with its last log lines', () => {
    expect(wait.stdout + wait.stderr).toContain('last words before dying');
  });

  it('then up converges and down leaves nothing', async () => {
    writeFileSync(stack.file, TWO_DAEMON_YAML);
    await expectUpThenDownConverge(stack);
  });
});
