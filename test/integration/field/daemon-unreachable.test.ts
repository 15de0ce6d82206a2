/**
 * A daemon that cannot be reached when `up`/`down` begin: the error names it, says nothing was
 * changed, and gives the command to run again. The windows daemon is pointed at a socket that does
 * not exist (the rig's daemons are not touched).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, assertRigUp, runMixcompose, uniqueProjectName } from '../../support/rig.js';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'field', 'retry-daemon', 'compose.yaml');
const MISSING = 'unix:///run/mixcompose-rig/no-such-daemon.sock';

describe('an unreachable daemon at the start', () => {
  beforeAll(() => assertRigUp());

  for (const [command, args] of [
    ['up', ['-d', '--wait']],
    ['down', ['-t', '1']],
  ] as const) {
    it(`${command}: names the daemon, what was not done, and the command to continue`, async () => {
      const project = uniqueProjectName(`field-unreachable-${command}`);
      const r = await runMixcompose(['-f', FILE, '-p', project, command, ...args], { env: { MIXCOMPOSE_WINDOWS_HOST: MISSING } });
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain(`error: daemon windows (${MISSING}): ${command} (connecting) failed: connect ENOENT`);
      expect(r.stderr).toContain(`not done: ${command}: nothing was changed`);
      // The whole line, exactly: the command as it was given.
      expect(r.stderr.split('\n')).toContain(`to continue: mixcompose -f ${FILE} -p ${project} ${command} ${args.join(' ')}`);
    });
  }
});
