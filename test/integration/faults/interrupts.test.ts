/**
 * SIGINT and SIGTERM at several points of `up` and of `down` (the moment is chosen by watching the
 * daemons, never by sleeping): afterwards the next `up` converges (all running, one network per
 * name) and `down` leaves nothing of the project on either daemon, with the bystanders untouched.
 * A killed command leaves its project lock behind; the next command on this host removes it as
 * stale (its process is gone) with a warning.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';

import { MIXCOMPOSE_BIN, assertRigUp, pollUntil, rigEnv } from '../../support/rig.js';
import { DAEMONS, expectUpThenDownConverge, faultStack, type FaultStack } from './fault-stack.js';

type Moment = 'lock taken' | 'first network' | 'first container' | 'linux container gone';

describe('interrupted up and down converge', () => {
  let stack: FaultStack;
  beforeEach(async () => {
    assertRigUp();
    stack = await faultStack('interrupt');
  });
  afterEach(async () => {
    await stack?.cleanup();
  });

  /** Runs `args`, sends `signal` once `moment` is seen on the daemons, returns how it ended. */
  async function interrupt(args: string[], moment: Moment, signal: 'SIGINT' | 'SIGTERM') {
    const child = execa('node', [MIXCOMPOSE_BIN, ...stack.argv(args)], { cwd: stack.dir, env: rigEnv(), extendEnv: false, reject: false, stdin: 'ignore', all: true });
    const seen = async () => {
      const linux = await stack.objects('linux');
      const all = await Promise.all(DAEMONS.map((d) => stack.objects(d)));
      switch (moment) {
        case 'lock taken':
          return linux.containers.includes(`${stack.name}-mixcompose-lock`);
        case 'first network':
          return all.some((o) => o.networks.length > 0);
        case 'first container':
          return all.some((o) => o.containers.some((c) => !c.endsWith('-mixcompose-lock')));
        case 'linux container gone':
          return !linux.containers.includes(`${stack.name}-db-1`);
      }
    };
    await pollUntil(`${moment} during ${args.join(' ')}`, async () => (await seen()) || child.exitCode !== null, { timeoutMs: 60_000, intervalMs: 20 });
    child.kill(signal);
    const result = await child;
    return { exitCode: result.exitCode, signal: result.signal, output: String(result.all) };
  }

  for (const [moment, signal] of [
    ['lock taken', 'SIGINT'],
    ['first network', 'SIGTERM'],
    ['first container', 'SIGINT'],
    ['first container', 'SIGTERM'],
  ] as const) {
    it(`up -d, ${signal} at "${moment}"`, async () => {
      const r = await interrupt(['up', '-d'], moment, signal);
      expect(r.output).not.toMatch(/internal error/);
      await expectUpThenDownConverge(stack);
    });
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`down, ${signal} once the first container is gone`, async () => {
      const up = await stack.mc(['up', '-d']);
      expect(up.exitCode, up.stderr).toBe(0);
      const r = await interrupt(['down'], 'linux container gone', signal);
      expect(r.output).not.toMatch(/internal error/);
      await expectUpThenDownConverge(stack);
    });
  }
});
