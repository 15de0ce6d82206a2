import { describe, expect, it } from 'vitest';
import { briefOperation, describeOperation } from '../../../src/plan/format-plan.js';
import type { Operation } from '../../../src/plan/plan.js';

const base = {
  kind: 'register-hosts',
  deps: [],
  daemon: 'linux',
  resolver: { id: 'r' },
  names: ['web', 'shop-web-1'],
  service: 'web',
} as const;

describe('briefOperation (fault reports)', () => {
  it('tells a static answer under published reach from the container entry with the same names', () => {
    const entry = { ...base, id: 'hosts:web:1', file: 'web-1', ip: { value: '10.202.3.4' } } as unknown as Operation;
    const staticAnswer = {
      ...base,
      id: 'names:web',
      dir: '/etc/mixcompose-hosts-for-linux',
      file: 'web',
      ip: { value: '192.0.2.2' },
      askers: 'linux',
      reason: 'reach published',
    } as unknown as Operation;
    expect(briefOperation(entry)).toBe('register web shop-web-1 in the resolver');
    expect(briefOperation(staticAnswer)).toBe('register web shop-web-1 in the resolver (for linux containers)');
  });
});

describe('the askers of a registration', () => {
  const forWindows = {
    ...base,
    id: 'names:db',
    dir: '/etc/mixcompose-hosts-for-windows',
    file: 'db',
    names: ['db', 'shop-db-1'],
    service: 'db',
    ip: { value: '192.0.2.10' },
    askers: 'windows',
    reason: 'reach published; it had no entry',
  } as const;

  it('come from the operation\'s askers field, not from its reason', () => {
    const op = forWindows as unknown as Operation;
    expect(briefOperation(op)).toBe('register db shop-db-1 in the resolver (for windows containers)');
    expect(describeOperation(op)).toBe('register db shop-db-1 → 192.0.2.10 in the resolver (for windows containers: reach published; it had no entry)');
    const unregister = { ...forWindows, kind: 'unregister-hosts', id: 'unnames:linux:db', reason: 'service no longer in the project' } as unknown as Operation;
    expect(briefOperation(unregister)).toBe('unregister db shop-db-1 from the resolver (for windows containers)');
    expect(describeOperation(unregister)).toBe('unregister db shop-db-1 from the resolver (for windows containers: service no longer in the project)');
  });

  it('without the field, a reason that reads like one names no askers', () => {
    const { askers: _askers, ...unset } = forWindows;
    const op = { ...unset, reason: 'for windows containers: reach published' } as unknown as Operation;
    expect(briefOperation(op)).toBe('register db shop-db-1 in the resolver');
  });
});
