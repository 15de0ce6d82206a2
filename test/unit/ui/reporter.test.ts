import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { StepEvent } from '../../../src/model/events.js';
import { jsonReporter, plainReporter, quietReporter, resolveProgressMode, ttyReporter } from '../../../src/ui/reporter.js';
import { formatBytes, formatProgressLine, formatStepLine } from '../../../src/ui/step-text.js';
import { logPrefix } from '../../../src/ui/log-prefix.js';
import { useColour } from '../../../src/ui/colour.js';
import { createReporter } from '../../../src/ui/reporter.js';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c) => out.push(String(c)));
  stderr.on('data', (c) => err.push(String(c)));
  return { streams: { stdout, stderr }, out: () => out.join(''), err: () => err.join('') };
}

const created: StepEvent = { type: 'step', id: 'c1', resource: 'container', name: 'shop-db-1', platform: 'linux', action: 'create', status: 'done' };

describe('step text', () => {
  test('past and present tense like docker compose', () => {
    expect(formatStepLine(created)).toBe('[linux]   Container shop-db-1  Created');
    expect(formatStepLine({ ...created, status: 'started', action: 'start' })).toBe('[linux]   Container shop-db-1  Starting');
    expect(formatStepLine({ ...created, status: 'failed', message: 'boom' })).toBe('[linux]   Container shop-db-1  Error: boom');
  });
  test('bytes in decimal units', () => {
    expect(formatBytes(999)).toBe('999B');
    expect(formatBytes(1500)).toBe('1.5kB');
    expect(formatBytes(330_000_000)).toBe('330MB');
    expect(formatBytes(1_200_000_000)).toBe('1.2GB');
  });
  test('progress bar fills with the ratio', () => {
    const line = formatProgressLine({ type: 'progress', id: 'p', resource: 'image', name: 'busybox', platform: 'windows', current: 5, total: 10, layersDone: 1, layersTotal: 2 }, 10);
    expect(line).toBe('[windows] Image busybox  [#####-----] 5B/10B 1/2 layers');
  });
  test('log prefixes line up and colour only when asked', () => {
    expect(logPrefix('db-1', 6, false)).toBe('db-1   | ');
    expect(logPrefix('db-1', 6, true)).toMatch(/^\u001b\[\d+mdb-1   \| \u001b\[0m$/);
  });
});

describe('reporters', () => {
  test('auto is plain off a TTY or in CI, tty otherwise', () => {
    expect(resolveProgressMode('auto', false, {})).toBe('plain');
    expect(resolveProgressMode('auto', true, { CI: 'true' })).toBe('plain');
    expect(resolveProgressMode('auto', true, {})).toBe('tty');
    expect(resolveProgressMode('json', true, {})).toBe('json');
  });

  test('a TTY that reports no width gets plain lines, not a view wrapped per character', () => {
    expect(resolveProgressMode('auto', true, {}, 0)).toBe('plain');
    expect(resolveProgressMode('auto', true, {}, 120)).toBe('tty');
  });

  test('plain writes steps and warnings to stderr, logs to stdout, thins progress', () => {
    const c = capture();
    const r = plainReporter(c.streams);
    r.sink(created);
    r.sink({ type: 'warning', message: 'daemon is linux', service: 'web' });
    const p = { type: 'progress', id: 'i', resource: 'image', name: 'b', platform: 'linux', current: 1, total: 4, layersDone: 0, layersTotal: 2 } as const;
    r.sink(p);
    r.sink({ ...p, current: 2 });
    r.sink({ ...p, current: 4, layersDone: 2 });
    r.sink({ type: 'log', service: 'db', container: 'db-1', platform: 'linux', stream: 'stdout', text: 'ready' });
    expect(c.err().split('\n').filter(Boolean)).toEqual([
      '[linux]   Container shop-db-1  Created',
      'warning: web: daemon is linux',
      '[linux]   Image b  [#####---------------] 1B/4B 0/2 layers',
      '[linux]   Image b  [####################] 4B/4B 2/2 layers',
    ]);
    expect(c.out()).toBe('db-1         | ready\n');
  });

  test('the log column widens to the longest container name, as compose does', () => {
    const c = capture();
    const r = plainReporter(c.streams);
    const log = (container: string, text: string) =>
      r.sink({ type: 'log', service: 'x', container, platform: 'linux', stream: 'stdout', text });
    log('qa3-rsl-db-1', 'one');
    log('qa3-rsl-web-1', 'two');
    log('qa3-rsl-db-1', 'three');
    expect(c.out().split('\n').filter(Boolean)).toEqual([
      'qa3-rsl-db-1 | one',
      'qa3-rsl-web-1 | two',
      'qa3-rsl-db-1  | three',
    ]);
  });

  test('the log column is sized from the attached containers before the first line, whichever speaks first', () => {
    for (const make of [plainReporter, quietReporter]) {
      const c = capture();
      const r = make(c.streams);
      const log = (container: string, text: string) =>
        r.sink({ type: 'log', service: 'x', container, platform: 'linux', stream: 'stdout', text });
      r.alignLogs?.(['attach-x-db-1', 'attach-x-web-1']);
      log('attach-x-db-1', 'db-ready');
      log('attach-x-web-1', 'web-ready');
      expect(c.out().split('\n').filter(Boolean)).toEqual(['attach-x-db-1  | db-ready', 'attach-x-web-1 | web-ready']);
    }
  });

  test('json writes one parseable event per line', () => {
    const c = capture();
    const times = [new Date('2026-12-02T04:00:00.000Z'), new Date('2026-12-02T04:00:01.250Z')];
    const r = jsonReporter(c.streams, () => times.shift()!);
    r.sink(created);
    r.sink({ type: 'warning', message: 'x' });
    const lines = c.out().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { time: '2026-12-02T04:00:00.000Z', ...created },
      { time: '2026-12-02T04:00:01.250Z', type: 'warning', message: 'x' },
    ]);
  });

  test('quiet keeps warnings, drops steps', () => {
    const c = capture();
    const r = quietReporter(c.streams);
    r.sink(created);
    r.sink({ type: 'warning', message: 'kept' });
    expect(c.err()).toBe('warning: kept\n');
  });

  test('tty view closes and prints the warnings it held back', async () => {
    const c = capture();
    const r = ttyReporter(c.streams);
    r.sink(created);
    r.sink({ type: 'warning', message: 'held' });
    expect(c.err()).not.toContain('warning: held');
    await r.close();
    expect(c.err()).toContain('warning: held');
  });
});

describe('--ansi and NO_COLOR', () => {
  test('auto: colour on a terminal unless NO_COLOR is non-empty or TERM is dumb; always and never win', () => {
    expect(useColour('auto', true, {})).toBe(true);
    expect(useColour('auto', false, {})).toBe(false);
    expect(useColour('auto', true, { NO_COLOR: '1' })).toBe(false);
    expect(useColour('auto', true, { NO_COLOR: '' })).toBe(true);
    expect(useColour('auto', true, { TERM: 'dumb' })).toBe(false);
    expect(useColour('always', false, { NO_COLOR: '1' })).toBe(true);
    expect(useColour('never', true, {})).toBe(false);
  });

  /** Streams that say they are terminals (so only the flags and NO_COLOR decide). */
  function terminals() {
    const c = capture();
    Object.assign(c.streams.stdout, { isTTY: true });
    Object.assign(c.streams.stderr, { isTTY: true, columns: 120 });
    return c;
  }
  const log = { type: 'log', container: 'shop-db-1', service: 'db', platform: 'linux', stream: 'stdout', text: 'ready' } as const;

  test('log prefixes on a terminal: coloured, not with NO_COLOR, again with --ansi always', async () => {
    for (const [env, ansi, coloured] of [[{}, 'auto', true], [{ NO_COLOR: '1' }, 'auto', false], [{ NO_COLOR: '1' }, 'always', true], [{}, 'never', false]] as const) {
      const c = terminals();
      const r = createReporter('plain', c.streams, env, ansi);
      r.sink(log);
      await r.close();
      expect(c.out().includes('\u001b['), `${JSON.stringify(env)} --ansi ${ansi}`).toBe(coloured);
    }
  });

  test('--ansi never with --progress auto on a terminal gives plain lines, not the live view', async () => {
    const c = terminals();
    const r = createReporter('auto', c.streams, {}, 'never');
    r.sink(created);
    await r.close();
    expect(c.err()).toBe('[linux]   Container shop-db-1  Created\n');
  });
});
