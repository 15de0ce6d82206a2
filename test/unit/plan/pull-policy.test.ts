import { describe, expect, it } from 'vitest';
import { decidePull, parseDurationMs, parsePullPolicy, type PullDecisionInput } from '../../../src/plan/pull-policy.js';

const NOW = Date.UTC(2026, 10, 22, 6, 0, 0);
const HOUR = 3_600_000;
const input = (extra: Partial<PullDecisionInput>): PullDecisionInput => ({
  service: 'web',
  image: 'nginx:1.27',
  hasBuild: false,
  hasImage: true,
  now: NOW,
  ...extra,
});
const present = (ageHours: number) => ({ local: { id: 'sha256:1', refreshedAt: NOW - ageHours * HOUR } });

describe('parsePullPolicy', () => {
  it('knows every compose policy', () => {
    for (const p of ['always', 'missing', 'never', 'build', 'if_not_present']) expect(parsePullPolicy(p).ok).toBe(true);
    expect(parsePullPolicy('daily')).toEqual({ ok: true, policy: { kind: 'refresh', intervalMs: 24 * HOUR, raw: 'daily' } });
    expect(parsePullPolicy('weekly')).toMatchObject({ policy: { intervalMs: 7 * 24 * HOUR } });
    expect(parsePullPolicy('every_12h')).toMatchObject({ policy: { intervalMs: 12 * HOUR } });
    expect(parsePullPolicy('every_1h30m')).toMatchObject({ policy: { intervalMs: 1.5 * HOUR } });
  });
  it('refuses unknown values with the list', () => {
    expect(parsePullPolicy('sometimes')).toEqual({
      ok: false,
      message: 'pull_policy "sometimes" is not one of always, missing, never, build, daily, weekly, every_<duration> (e.g. every_12h)',
    });
    expect(parsePullPolicy('every_x').ok).toBe(false);
  });
  it('parses durations', () => {
    expect(parseDurationMs('2d')).toBe(48 * HOUR);
    expect(parseDurationMs('10')).toBeUndefined();
  });
});

describe('decidePull', () => {
  it('missing (default): pull when absent, skip when present', () => {
    expect(decidePull(input({})).action).toBe('pull');
    expect(decidePull(input(present(1))).action).toBe('skip');
  });
  it('always: pulls even when present', () => {
    expect(decidePull(input({ pullPolicy: 'always', ...present(0) })).action).toBe('pull');
  });
  it('never: skip when present, error naming the service when absent', () => {
    expect(decidePull(input({ pullPolicy: 'never', ...present(1) })).action).toBe('skip');
    expect(decidePull(input({ pullPolicy: 'never' }))).toEqual({
      action: 'error',
      reason: 'service "web": image nginx:1.27 is not present and pull_policy is never',
    });
  });
  it('daily / weekly / every_: pull when older than the interval, by the clock passed in', () => {
    expect(decidePull(input({ pullPolicy: 'daily', ...present(23) })).action).toBe('skip');
    expect(decidePull(input({ pullPolicy: 'daily', ...present(25) })).action).toBe('pull');
    expect(decidePull(input({ pullPolicy: 'weekly', ...present(100) })).action).toBe('skip');
    expect(decidePull(input({ pullPolicy: 'every_2h', ...present(3) })).action).toBe('pull');
    expect(decidePull(input({ pullPolicy: 'every_2h', local: { id: 'x' } })).action).toBe('pull');
    expect(decidePull(input({ pullPolicy: 'every_2h' })).action).toBe('pull');
  });
  it('build: builds; a service with build: and no local image builds under missing', () => {
    expect(decidePull(input({ pullPolicy: 'build', hasBuild: true, ...present(0) })).action).toBe('build');
    expect(decidePull(input({ hasBuild: true })).action).toBe('build');
    expect(decidePull(input({ hasBuild: true, ...present(0) })).action).toBe('skip');
    expect(decidePull(input({ hasBuild: true, buildFlag: true, ...present(0) })).action).toBe('build');
    expect(decidePull(input({ pullPolicy: 'build' })).action).toBe('error');
  });
  it('always with build: pulls, building if the pull fails', () => {
    expect(decidePull(input({ pullPolicy: 'always', hasBuild: true }))).toEqual({ action: 'pull', reason: 'pull_policy: always', buildOnFailure: true });
  });
  it('a build-only service (no image:) is never pulled', () => {
    expect(decidePull(input({ hasImage: false, hasBuild: true, pullPolicy: 'always' })).action).toBe('build');
  });
  it('up --pull overrides the service policy; policy keeps it', () => {
    expect(decidePull(input({ pullPolicy: 'never', override: 'always', ...present(0) })).action).toBe('pull');
    expect(decidePull(input({ pullPolicy: 'always', override: 'missing', ...present(0) })).action).toBe('skip');
    expect(decidePull(input({ pullPolicy: 'always', override: 'policy', ...present(0) })).action).toBe('pull');
    expect(decidePull(input({ override: 'never' })).action).toBe('error');
  });
  it('--no-build with an absent built image is an error', () => {
    expect(decidePull(input({ hasBuild: true, hasImage: false, noBuild: true })).action).toBe('error');
  });
  it('an invalid policy is an error naming the service', () => {
    expect(decidePull(input({ pullPolicy: 'hourly' }))).toMatchObject({ action: 'error', reason: expect.stringContaining('service "web": pull_policy "hourly"') });
  });
});
