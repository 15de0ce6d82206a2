/**
 * Stop that ends, on the rig: containers that trap and ignore SIGTERM with a 2 s grace period.
 * `down` reports every kill, and the stops of one dependency level are issued together (their
 * intervals overlap), so a level costs one grace period, not one per container.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modemOptionsFor, parseDockerHost } from '../../../src/engine/daemon-endpoints.js';
import { createDockerodeClient } from '../../../src/engine/dockerode-client.js';
import { stopBounded, stopLevelInParallel } from '../../../src/engine/stop.js';
import type { StepEvent } from '../../../src/model/events.js';
import {
  BUSYBOX_IMAGE,
  LINUX_HOST,
  REPO_ROOT,
  assertRigUp,
  removeProjectLeftovers,
  rigDocker,
  runMixcompose,
  uniqueProjectName,
} from '../../support/rig.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'field');

function stepEvents(stdout: string): StepEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string })
    .filter((e): e is StepEvent => e.type === 'step');
}

/** Per stop operation: when it started, when it ended, and its closing message. */
function stopIntervals(events: StepEvent[]): Map<string, { start: number; end: number; message?: string; status: string }> {
  const out = new Map<string, { start: number; end: number; message?: string; status: string }>();
  for (const e of events.filter((e) => e.action === 'stop' && !e.name.includes('mixcompose-resolver'))) {
    const entry = out.get(e.name) ?? { start: Number.NaN, end: Number.NaN, status: 'pending' };
    if (e.status === 'started') entry.start = e.at!;
    else {
      entry.end = e.at!;
      entry.status = e.status;
      if (e.message) entry.message = e.message;
    }
    out.set(e.name, entry);
  }
  return out;
}

/** `up -d` then `down` with JSON progress; returns the stop intervals `down` reported. */
async function upThenDown(fixture: string, project: string) {
  const file = join(FIXTURES, fixture, 'compose.yaml');
  const up = await runMixcompose(['-f', file, '-p', project, '--progress', 'plain', 'up', '-d']);
  expect(up.exitCode, up.stderr).toBe(0);
  const down = await runMixcompose(['-f', file, '-p', project, '--progress', 'json', 'down']);
  expect(down.exitCode, down.stderr).toBe(0);
  return stopIntervals(stepEvents(down.stdout));
}

beforeAll(() => assertRigUp());

describe('down of services that ignore SIGTERM', () => {
  const project = uniqueProjectName('field-stop');
  afterAll(() => removeProjectLeftovers(project));

  it('kills all ten after the grace period, stopping them concurrently, and reports the kills', async () => {
    const stops = await upThenDown('stop-ignores-term', project);
    const names = [...stops.keys()].sort();
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `${project}-s${i}-1`).sort());
    for (const [name, s] of stops) {
      expect(s.status, name).toBe('done');
      expect(s.message, name).toMatch(/killed/);
    }
    // One level: every stop was issued before the first one finished.
    const lastStart = Math.max(...[...stops.values()].map((s) => s.start));
    const firstEnd = Math.min(...[...stops.values()].map((s) => s.end));
    expect(lastStart).toBeLessThan(firstEnd);

    for (const daemon of ['linux', 'windows'] as const) {
      const left = await rigDocker(daemon).listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${project}`] }) });
      expect(left, daemon).toEqual([]);
    }
  });
});

describe('down across two dependency levels', () => {
  const project = uniqueProjectName('field-stop-levels');
  afterAll(() => removeProjectLeftovers(project));

  it('stops the dependent (front, windows) before what it depends on (back, linux)', async () => {
    const stops = await upThenDown('stop-levels', project);
    const front = stops.get(`${project}-front-1`)!;
    const back = stops.get(`${project}-back-1`)!;
    expect(front.message).toMatch(/killed/);
    expect(back.message).toMatch(/killed/);
    expect(back.start).toBeGreaterThanOrEqual(front.end);
  });
});

describe('restart of services that ignore SIGTERM', () => {
  const project = uniqueProjectName('field-restart');
  afterAll(() => removeProjectLeftovers(project));

  it('kills each after its grace period (here -t 1), starts it again, and says so', async () => {
    const file = join(FIXTURES, 'stop-levels', 'compose.yaml');
    const up = await runMixcompose(['-f', file, '-p', project, '--progress', 'plain', 'up', '-d']);
    expect(up.exitCode, up.stderr).toBe(0);
    const before = await rigDocker('linux').getContainer(`${project}-back-1`).inspect();
    const restart = await runMixcompose(['-f', file, '-p', project, '--progress', 'json', 'restart', '-t', '1']);
    expect(restart.exitCode, restart.stderr).toBe(0);
    const done = stepEvents(restart.stdout).filter((e) => e.action === 'restart' && e.status === 'done');
    expect(done.map((e) => [e.name, e.message]).sort()).toEqual([
      [`${project}-back-1`, 'killed after 1s, started'],
      [`${project}-front-1`, 'killed after 1s, started'],
    ]);
    const after = await rigDocker('linux').getContainer(`${project}-back-1`).inspect();
    expect(after.State.Running).toBe(true);
    expect(after.Id).toBe(before.Id);
    expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
  });
});

describe('stopBounded against the real daemon', () => {
  const client = createDockerodeClient({
    label: `linux (${LINUX_HOST})`,
    modem: modemOptionsFor(parseDockerHost(LINUX_HOST), undefined, {}),
  });
  const docker = rigDocker('linux');
  const created: string[] = [];
  afterAll(async () => {
    await Promise.allSettled(created.map((id) => docker.getContainer(id).remove({ force: true })));
  });

  async function run(script: string): Promise<{ id: string; name: string }> {
    const name = uniqueProjectName('field-stopbounded');
    const c = await docker.createContainer({ name, Image: BUSYBOX_IMAGE, Cmd: ['sh', '-c', script], HostConfig: { NetworkMode: 'none' } });
    created.push(c.id);
    await c.start();
    return { id: c.id, name };
  }

  it('stopped for a container that exits on SIGTERM; killed for one that ignores it; issued in parallel', async () => {
    // `wait` (not a bare sleep) lets the TERM trap run at once, well inside the 1 s grace.
    const polite = await run("trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done");
    const stubborn = await Promise.all([1, 2, 3].map(() => run("trap '' TERM; while true; do sleep 1; done")));
    const [politeResult, ...stubbornResults] = await stopLevelInParallel(
      [polite, ...stubborn].map((target) => ({ client, target, options: { graceSeconds: 1 } })),
    );
    expect(politeResult!.outcome).toBe('stopped');
    expect(stubbornResults.map((r) => r.outcome)).toEqual(['killed', 'killed', 'killed']);
    const lastStart = Math.max(...stubbornResults.map((r) => r.startedAt));
    const firstEnd = Math.min(...stubbornResults.map((r) => r.endedAt));
    expect(lastStart).toBeLessThan(firstEnd);
    for (const t of stubborn) expect((await docker.getContainer(t.id).inspect()).State.Running).toBe(false);
  });

  it('a container that is already gone counts as stopped', async () => {
    const gone = await run('sleep 1000');
    await docker.getContainer(gone.id).remove({ force: true });
    expect((await stopBounded(client, gone, { graceSeconds: 1 })).outcome).toBe('stopped');
  });
});
