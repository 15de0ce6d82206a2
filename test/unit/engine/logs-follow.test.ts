/**
 * `logs -f` (streamLogs with follow, exits and exitsSince) as docker compose's: a container that
 * starts again (restart policy, `start`, `restart`) is followed again from where it was, each run's
 * end is said once, ends from before the follow began are not said, and the follow ends once every
 * followed container has stopped. Attached `up` (no exitsSince) the same way: the ends of runs over
 * before it followed are placed among their lines, and an end is said even when following stops
 * before its die event came. On a daemon whose containers the test runs on its own clock.
 */
import { describe, expect, it } from 'vitest';
import { streamLogs, type LogsOptions } from '../../../src/engine/logs.js';
import type { LogEvent } from '../../../src/model/events.js';
import type { ObservedContainer } from '../../../src/plan/observed-state.js';
import { EPOCH, FollowDaemon } from './follow-daemon.js';

/** Polls `condition` until it holds; fails with `what` after 2 s. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Starts following `containers` (the way `logs -f` asks); `ended` tells whether it returned. */
function follow(daemon: FollowDaemon, containers: readonly ObservedContainer[], options: LogsOptions) {
  const out: LogEvent[] = [];
  const run = {
    ended: false,
    lines: (c: ObservedContainer) => out.filter((e) => e.container === c.name).map((e) => e.text),
    done: streamLogs({ linux: daemon.client }, containers, { follow: true, exits: true, ...options }, (e) => out.push(e)),
  };
  void run.done.then(() => (run.ended = true));
  return run;
}

describe('logs -f across container runs', () => {
  it('follows a container Docker restarts into its next runs, says each end once, and no end from before it began', async () => {
    const d = new FollowDaemon();
    const job = d.add('job', 0);
    // Before `logs -f`: run 1 ended with code 3 and Docker restarted it.
    d.start(job, 1);
    d.print(job, 'run 1', 1.1);
    d.die(job, 3, 1.5, true);
    d.start(job, 2);
    d.print(job, 'run 2', 2.1);
    const f = follow(d, [job], { exitsSince: EPOCH + 5 });
    await until('the backlog is shown', () => f.lines(job).includes('run 2'));
    d.die(job, 3, 6, true);
    await until('run 2 ended', () => f.lines(job).length === 3);
    d.start(job, 7);
    d.print(job, 'run 3', 7.1);
    await until('run 3 is followed', () => f.lines(job).includes('run 3'));
    expect(f.ended).toBe(false);
    d.die(job, 3, 8); // on-failure:2 gives up
    await until('the follow ends', () => f.ended);
    expect(f.lines(job)).toEqual(['run 1', 'run 2', 'exited with code 3', 'run 3', 'exited with code 3']);
    // Events are replayed from when the follow began, not from the container's creation.
    expect(d.eventsSince).toEqual([EPOCH + 5]);
    // Read again from the second of the last line shown, all of it (tail is for the first read).
    expect(d.reads.get(job.name)!.map((r) => [r.tail, r.since])).toEqual([[undefined, undefined], ['all', EPOCH + 2]]);
  });

  it('follows again a container stopped and started while another runs, from where it was (--tail only for the first read)', async () => {
    const d = new FollowDaemon();
    const web = d.add('web', 0);
    const db = d.add('db', 0);
    d.start(web, 1);
    d.print(web, 'web a', 1.1);
    d.print(web, 'web b', 1.2);
    d.start(db, 1);
    d.print(db, 'db a', 1.3);
    const f = follow(d, [db, web], { tail: 1, exitsSince: EPOCH + 5 });
    await until('both are followed', () => f.lines(web).length === 1 && f.lines(db).length === 1);
    d.die(web, 0, 6); // mixcompose stop web
    await until('web stopped', () => f.lines(web).includes('exited with code 0'));
    d.start(web, 7); // mixcompose start web
    d.print(web, 'web c', 7.1);
    await until('web is followed again', () => f.lines(web).includes('web c'));
    expect(f.ended).toBe(false);
    d.die(web, 2, 8);
    await until('web stopped again', () => f.lines(web).includes('exited with code 2'));
    expect(f.ended).toBe(false); // db still runs
    d.die(db, 0, 9);
    await until('the follow ends', () => f.ended);
    expect(f.lines(web)).toEqual(['web b', 'exited with code 0', 'web c', 'exited with code 2']);
    expect(f.lines(db)).toEqual(['db a', 'exited with code 0']);
    expect(d.reads.get(web.name)!.map((r) => [r.tail, r.since])).toEqual([[1, undefined], ['all', EPOCH + 1]]);
  });

  it('follows the only container through a restart (stopped, then started), and with --tail 0 shows none of the run before', async () => {
    const d = new FollowDaemon();
    const web = d.add('web', 0);
    d.start(web, 1);
    d.print(web, 'old', 6.05);
    const f = follow(d, [web], { tail: 0, exitsSince: EPOCH + 6.1 });
    await until('web is followed', () => d.reads.get(web.name)!.length === 1);
    d.die(web, 137, 6.3); // mixcompose restart web: Docker stops it...
    await until('the run ended', () => f.lines(web).includes('exited with code 137'));
    d.start(web, 6.5); // ...and starts it again
    d.print(web, 'new', 6.6);
    await until('the new run is followed', () => f.lines(web).includes('new'));
    d.die(web, 0, 7);
    await until('the follow ends', () => f.ended);
    expect(f.lines(web)).toEqual(['exited with code 137', 'new', 'exited with code 0']);
    expect(d.reads.get(web.name)!.map((r) => [r.tail, r.since])).toEqual([[0, undefined], ['all', EPOCH + 6]]);
  });

  it('says no end of a run over before it began, nor of a container never started, and ends when all are stopped', async () => {
    const d = new FollowDaemon();
    const web = d.add('web', 0);
    const db = d.add('db', 0); // created, never started
    d.start(web, 1);
    d.print(web, 'web line', 1.1);
    d.die(web, 1, 2);
    const f = follow(d, [db, web], { exitsSince: EPOCH + 5 });
    await until('the follow ends', () => f.ended);
    expect([...f.lines(db), ...f.lines(web)]).toEqual(['web line']);
  });
});

describe('attached up across container runs', () => {
  it('places the end of each run over before it followed before the next run, even when the replayed events come after the backlog', async () => {
    const d = new FollowDaemon();
    const job = d.add('job', 0);
    const web = d.add('web', 0);
    // Before `up` attaches, Docker ran both three times (restart: on-failure:2); web's run 3 still runs.
    for (const [n, c] of [1, 2, 3].flatMap((n) => [[n, job], [n, web]] as const)) {
      d.start(c, n);
      d.print(c, `run ${n}`, n + 0.1);
      if (c === job || n < 3) d.die(c, n, n + 0.5, n < 3);
    }
    // A loaded machine: the events' replay comes only after the logs were opened.
    const release = d.holdEvents();
    const f = follow(d, [job, web], {});
    await until('both logs are open', () => d.reads.get(job.name)!.length === 1 && d.reads.get(web.name)!.length === 1);
    release();
    await until('run 3 of web is shown', () => f.lines(web).includes('run 3'));
    d.die(web, 3, 5);
    await until('the follow ends', () => f.ended);
    const expected = ['run 1', 'exited with code 1', 'run 2', 'exited with code 2', 'run 3', 'exited with code 3'];
    expect(f.lines(job)).toEqual(expected);
    expect(f.lines(web)).toEqual(expected);
  });

  it('says the end once, with the code inspect reads, when following stops (the stack was stopped) before the die event came', async () => {
    const d = new FollowDaemon();
    const web = d.add('web', 0);
    d.start(web, 1);
    d.print(web, 'up', 1.1);
    const abort = new AbortController();
    const f = follow(d, [web], { signal: abort.signal });
    await until('web is followed', () => f.lines(web).includes('up'));
    const release = d.holdEvents(); // its die event is late
    const inspected = d.inspections;
    d.die(web, 137, 2); // killed by the second Ctrl-C
    await until('the end was inspected', () => d.inspections > inspected);
    abort.abort();
    await f.done;
    release();
    expect(f.lines(web)).toEqual(['up', 'exited with code 137']);
  });
});
