/**
 * The optimistic `up` on the rig (cli/project-lock-hook.ts, engine/apply.ts): a detached `up` whose
 * last run from this machine completed observes without the project lock and, when its plan changes
 * nothing, ends without ever creating the lock container; with work it takes the lock first and
 * observes again. Docker's `create` events for the lock's name show whether a run took it; the
 * order of a run's Engine API calls (test/support/http-order.mjs) shows that an `up` without the hint
 * still takes the lock before it lists anything, and that the optimistic one asks /_ping instead of
 * /version and /info (engine/daemon-facts-cache.ts) until it has work. Each test has its own cache
 * directory (the hint, the daemon facts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LOCK_LABELS } from '../../../src/engine/project-lock.js';
import { assertRigUp, REPO_ROOT, rigDocker, type CliResult } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';
import { faultStack, type FaultStack } from './fault-stack.js';

const yamlWithMode = (mode: string) => dbWebYaml({ reach: 'ip', db: { lines: ['environment:', `  MODE: ${mode}`] }, web: { dependsOn: ['db'] } });
const TRACE = `--import=${pathToFileURL(join(REPO_ROOT, 'test', 'support', 'http-order.mjs')).href}`;

describe('up without the project lock when it has nothing to do', () => {
  let stack: FaultStack;
  let env: Record<string, string>;
  beforeAll(async () => {
    assertRigUp();
    stack = await faultStack('optimistic', yamlWithMode('one'));
    env = { MIXCOMPOSE_CACHE_DIR: join(mkdtempSync(join(tmpdir(), 'mixcompose-optimistic-')), 'cache') };
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  const lockName = () => `${stack.name}-mixcompose-lock`;
  /** `up -d` (or other args), expected to succeed; with `since` for lockCreates. */
  const up = async (args: readonly string[] = [], extraEnv: Record<string, string> = {}) => {
    const since = Date.now();
    const result = await stack.mc(['up', '-d', ...args], { env: { ...env, ...extraEnv } });
    return { ...result, since };
  };
  /** How many times the project's lock container was created on the linux daemon since `since` (ms since the epoch). */
  const lockCreates = async (since: number) => {
    const stream = (await rigDocker('linux').getEvents({
      since: Math.floor(since / 1000),
      until: Math.ceil(Date.now() / 1000) + 1,
      filters: { container: [lockName()], event: ['create'] },
    })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    // `since` counts whole seconds: the events of an earlier run in that second are left out by their time.
    const times = text.split('\n').filter((line) => line.trim()).map((line) => Number((JSON.parse(line) as { timeNano: number }).timeNano) / 1e6);
    return times.filter((t) => t >= since).length;
  };
  /** The Engine API calls of a traced run, in the order they started. */
  const calls = (result: CliResult) => result.stderr.split('\n').filter((l) => l.startsWith('[http] ')).map((l) => l.slice('[http] '.length));
  const outputLines = (result: CliResult) => [...result.stdout.split('\n'), ...result.stderr.split('\n')].filter((l) => l.trim() && !l.startsWith('[http] ')).sort();

  it('a first up takes the lock before it lists anything; a second up with nothing changed creates no lock and says what a locked one says', async () => {
    const first = await up([], { NODE_OPTIONS: TRACE });
    expect(first.exitCode, first.stderr).toBe(0);
    const order = calls(first);
    const lockAt = order.findIndex((c) => c.startsWith(`POST /containers/create?name=${lockName()}`));
    const listAt = order.findIndex((c) => c.startsWith('GET /containers/json'));
    expect(lockAt, order.join('\n')).toBeGreaterThanOrEqual(0);
    expect(lockAt, order.join('\n')).toBeLessThan(listAt);

    const second = await up([], { NODE_OPTIONS: TRACE });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(await lockCreates(second.since), second.stderr).toBe(0);
    // The daemons' facts came from the cache the first up wrote (engine/daemon-facts-cache.ts): /_ping only.
    expect(calls(second).filter((c) => /^GET \/(version|info|_ping)\b/.test(c)).sort()).toEqual(['GET /_ping', 'GET /_ping']);
    // The same run with caches off (no hint) takes the lock, and says the same.
    const locked = await up([], { MIXCOMPOSE_CACHE_DIR: '' });
    expect(locked.exitCode, locked.stderr).toBe(0);
    expect(await lockCreates(locked.since)).toBe(1);
    expect(outputLines(second)).toEqual(outputLines(locked));
    expect(outputLines(second).join('\n')).toMatch(/Skipped: running/);
  });

  it('a container stopped by hand: the next up takes the lock and starts it again', async () => {
    await rigDocker('windows').getContainer(`${stack.name}-web-1`).stop({ t: 0 });
    const result = await up([], { NODE_OPTIONS: TRACE });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await lockCreates(result.since)).toBe(1);
    // Work: the cached facts are confirmed (/version and /info of both daemons) once the lock is held, before the repair.
    const order = calls(result);
    const lockAt = order.findIndex((c) => c.startsWith(`POST /containers/create?name=${lockName()}`));
    const asked = order.flatMap((c, i) => (/^GET \/(version|info)\b/.test(c) ? [i] : []));
    expect(asked.length, order.join('\n')).toBe(4);
    expect(Math.min(...asked), order.join('\n')).toBeGreaterThan(lockAt);
    expect(Math.max(...asked), order.join('\n')).toBeLessThan(order.findIndex((c) => c.startsWith('POST /containers/') && c.includes('/start')));
    expect((await rigDocker('windows').getContainer(`${stack.name}-web-1`).inspect()).State.Running).toBe(true);
    expect((await stack.objects('linux')).containers).not.toContain(lockName());
  });

  it('a changed environment value: the lock is taken and the change applied; the next up takes none', async () => {
    writeFileSync(stack.file, yamlWithMode('two'));
    const changed = await up();
    expect(changed.exitCode, changed.stderr).toBe(0);
    expect(await lockCreates(changed.since)).toBe(1);
    expect((await rigDocker('linux').getContainer(`${stack.name}-db-1`).inspect()).Config.Env).toContain('MODE=two');
    const again = await up();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await lockCreates(again.since)).toBe(0);
  });

  it("while another holds the lock: an unchanged up succeeds at once, a changed one is refused as before", async () => {
    const holder = await rigDocker('linux').createContainer({
      name: lockName(),
      Cmd: ['mixcompose-lock'],
      Labels: {
        [LOCK_LABELS.lock]: 'true',
        [LOCK_LABELS.project]: stack.name,
        [LOCK_LABELS.host]: hostname(),
        [LOCK_LABELS.pid]: String(process.pid), // this test process: alive, so the lock is not stale
        [LOCK_LABELS.command]: 'up',
        [LOCK_LABELS.since]: new Date().toISOString(),
      },
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      const unchanged = await up();
      expect(unchanged.exitCode, unchanged.stderr).toBe(0);
      expect(unchanged.stderr).not.toMatch(/locked|waiting/);

      const refusal = new RegExp(`project ${stack.name} is locked by another mixcompose: up on host \\S+ \\(pid ${process.pid}\\)`);
      // Same file (the hint holds: the run looks first), but a container stopped: work, so refused.
      const web = rigDocker('windows').getContainer(`${stack.name}-web-1`);
      await web.stop({ t: 0 });
      const repair = await up();
      expect(repair.exitCode, repair.stderr).toBe(1);
      expect(repair.stderr).toMatch(refusal);
      expect((await web.inspect()).State.Running).toBe(false);

      // A changed file (no hint for it: the run asks for the lock first): refused.
      writeFileSync(stack.file, yamlWithMode('three'));
      const changed = await up();
      expect(changed.exitCode).toBe(1);
      expect(changed.stderr).toMatch(refusal);
      expect((await rigDocker('linux').getContainer(`${stack.name}-db-1`).inspect()).Config.Env).toContain('MODE=two');
      expect((await rigDocker('linux').getContainer(lockName()).inspect()).Id).toBe(holder.id);
    } finally {
      await holder.remove({ force: true });
    }
  });

  it('after down, the next up takes the lock before it lists anything again', async () => {
    const down = await stack.mc(['down'], { env });
    expect(down.exitCode, down.stderr).toBe(0);
    const result = await up([], { NODE_OPTIONS: TRACE });
    expect(result.exitCode, result.stderr).toBe(0);
    const order = calls(result);
    const lockAt = order.findIndex((c) => c.startsWith(`POST /containers/create?name=${lockName()}`));
    expect(lockAt, order.join('\n')).toBeGreaterThanOrEqual(0);
    expect(lockAt).toBeLessThan(order.findIndex((c) => c.startsWith('GET /containers/json')));
    expect((await rigDocker('linux').getContainer(`${stack.name}-db-1`).inspect()).Config.Env).toContain('MODE=three');
    const last = await stack.mc(['down'], { env });
    expect(last.exitCode, last.stderr).toBe(0);
    await stack.expectNothingLeft();
  });
});
