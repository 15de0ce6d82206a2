/**
 * `ps` and the resolver's entries: each row away from the resolver's daemon carries its entry
 * (json), and every entry that is not fresh gets a line saying what to run (table).
 */
import { describe, expect, it } from 'vitest';
import { withNameEntries, type PsRow } from '../../../src/cli/commands/ps.js';
import type { NameEntryCheck } from '../../../src/plan/resolver-entries.js';

const row = (name: string, service: string): PsRow => ({
  id: `${name}-id`,
  name,
  service,
  platform: 'windows',
  daemon: 'windows',
  state: 'running',
  health: '',
  ips: {},
  ports: [],
  image: 'busybox',
});

describe('ps name entries', () => {
  const checks: NameEntryCheck[] = [
    { container: 'shop-web-1', file: 'web-1', state: 'stale', resolverIp: '10.202.3.4', containerIp: '10.202.3.9' },
    { container: 'shop-api-1', file: 'api-1', state: 'fresh', resolverIp: '10.202.3.5', containerIp: '10.202.3.5' },
    { container: 'shop-gone-1', file: 'gone-1', state: 'missing', containerIp: '10.202.3.6' },
  ];

  it('adds the entry to the rows it concerns and a line per listed stale entry', () => {
    const { rows, lines } = withNameEntries([row('shop-api-1', 'api'), row('shop-db-1', 'db'), row('shop-web-1', 'web')], checks);
    expect(rows.map((r) => [r.name, r.nameEntry?.state])).toEqual([
      ['shop-api-1', 'fresh'],
      ['shop-db-1', undefined],
      ['shop-web-1', 'stale'],
    ]);
    expect(rows[2]!.nameEntry).toEqual({ file: 'web-1', state: 'stale', resolverIp: '10.202.3.4', containerIp: '10.202.3.9' });
    // shop-gone-1 is not listed (ps web): no line for it.
    expect(lines).toBe('web-1: the resolver answers 10.202.3.4, the container has 10.202.3.9: run mixcompose up\n');
  });

  it('says nothing when every entry is fresh', () => {
    expect(withNameEntries([row('shop-api-1', 'api')], checks).lines).toBe('');
  });
});
