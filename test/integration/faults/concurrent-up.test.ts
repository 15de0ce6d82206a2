/**
 * Two `mixcompose up -d` started at once on the same project (two terminals, two CI jobs sharing
 * the daemons). Before the project lock both failed and left two networks of the same name on each
 * daemon. Now one takes the project's lock and the other is refused naming the holder (or, with
 * --wait-lock, waits and then finds nothing to do); afterwards each network exists once per
 * daemon, and `down` leaves nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertRigUp, rigDocker } from '../../support/rig.js';
import { expectNoDuplicateNetworks, faultStack, type FaultStack } from './fault-stack.js';

describe('two up at once on one project', () => {
  let stack: FaultStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await faultStack('concurrent');
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('without --wait-lock: one brings the stack up, the other is refused naming the holder (or ran after it)', async () => {
    const results = await Promise.all([stack.mc(['up', '-d']), stack.mc(['up', '-d'])]);
    const ok = results.filter((r) => r.exitCode === 0);
    const refused = results.filter((r) => r.exitCode !== 0);
    expect(ok.length, results.map((r) => r.stderr).join('\n---\n')).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`project ${stack.name} is locked by another mixcompose: up on host \\S+ \\(pid \\d+\\) since \\d{4}-\\d\\d-\\d\\dT`));
      expect(r.stderr).not.toMatch(/internal error|ambiguous|\n\s+at /);
    }
    await expectNoDuplicateNetworks(stack);
    expect((await stack.objects('linux')).containers).not.toContain(`${stack.name}-mixcompose-lock`);
  });

  it('with --wait-lock: both succeed, one after the other; each network once per daemon', async () => {
    const down = await stack.mc(['down']);
    expect(down.exitCode, down.stderr).toBe(0);
    const results = await Promise.all([stack.mc(['up', '-d', '--wait-lock=100']), stack.mc(['up', '-d', '--wait-lock=100'])]);
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    await expectNoDuplicateNetworks(stack);
    const linux = await stack.objects('linux');
    expect(linux.containers).toEqual([`${stack.name}-db-1`, `${stack.name}-mixcompose-resolver`]);
    expect((await stack.objects('windows')).containers).toEqual([`${stack.name}-web-1`]);
  });

  it('a concurrent down waits for the up too; afterwards nothing of the project is left', async () => {
    const [up, down] = await Promise.all([stack.mc(['up', '-d', '--wait-lock=100']), stack.mc(['down', '--wait-lock=100'])]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(down.exitCode, down.stderr).toBe(0);
    const last = await stack.mc(['down']);
    expect(last.exitCode, last.stderr).toBe(0);
    await stack.expectNothingLeft();
    // The lock lives on the linux daemon only, and is gone.
    await expect(rigDocker('linux').getContainer(`${stack.name}-mixcompose-lock`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
