/**
 * A network that has the project's network name but not its labels (made by hand, or by another
 * tool): `up` refuses clearly, naming it; it is neither adopted nor deleted, by `up` or by `down`.
 * Once it is gone, `up` converges and `down` leaves nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertRigUp, rigDocker } from '../../support/rig.js';
import { expectUpThenDownConverge, faultStack, type FaultStack } from './fault-stack.js';

describe('a network with our name but not our labels', () => {
  let stack: FaultStack;
  let foreignId: string;
  beforeAll(async () => {
    assertRigUp();
    stack = await faultStack('foreign-net');
    foreignId = (await rigDocker('linux').createNetwork({ Name: `${stack.name}_default`, Labels: { owner: 'someone-else' } })).id;
  });
  afterAll(async () => {
    await rigDocker('linux').getNetwork(foreignId).remove().catch(() => undefined);
    await stack?.cleanup();
  });

  it('up refuses, naming the network; nothing adopts or deletes it', async () => {
    const up = await stack.mc(['up', '-d']);
    expect(up.exitCode, up.stdout + up.stderr).toBe(1);
    expect(up.stderr).toContain(`${stack.name}_default`);
    expect(up.stderr).not.toMatch(/internal error|\n\s+at /);
    const down = await stack.mc(['down']);
    expect(down.stderr).not.toMatch(/internal error|\n\s+at /);
    const network = await rigDocker('linux').getNetwork(foreignId).inspect();
    expect(network.Labels).toEqual({ owner: 'someone-else' });
    expect(network.Containers ?? {}).toEqual({});
    await stack.expectBystandersUntouched();
  });

  it('once it is removed, up converges and down leaves nothing', async () => {
    await rigDocker('linux').getNetwork(foreignId).remove();
    await expectUpThenDownConverge(stack);
  });
});
