/**
 * `ps --format json` carries the reach choice (QA2 R4): each row gets its platform's decision, the
 * same object as `reach.<platform>` of `plan --format json`; the output stays a plain list of rows.
 */
import { describe, expect, it } from 'vitest';
import { withReach, type PsRow } from '../../../src/cli/commands/ps.js';

const row = (name: string, platform: string): PsRow => ({
  id: `${name}-id`,
  name,
  service: name,
  platform,
  daemon: platform,
  state: 'running',
  health: '',
  ips: {},
  ports: [],
  image: 'busybox',
});

describe('ps reach per row', () => {
  it("gives each row its platform's reach with why and source", () => {
    const reach = {
      linux: { reach: 'ip' as const, why: 'auto: probe (recorded)', source: 'recorded' as const },
      windows: { reach: 'published' as const, why: 'configured', source: 'configured' as const },
    };
    const rows = withReach([row('db', 'linux'), row('web', 'windows')], reach);
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.map((r) => [r.name, r.reach])).toEqual([
      ['db', { reach: 'ip', why: 'auto: probe (recorded)', source: 'recorded' }],
      ['web', { reach: 'published', why: 'configured', source: 'configured' }],
    ]);
  });

  it('leaves rows alone when the services do not span two daemons', () => {
    expect(withReach([row('db', 'linux')], {})).toEqual([row('db', 'linux')]);
  });
});
