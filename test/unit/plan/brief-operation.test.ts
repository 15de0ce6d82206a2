import { describe, expect, it } from 'vitest';
import { briefOperation } from '../../../src/plan/format-plan.js';
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
      reason: 'for linux containers: reach published',
    } as unknown as Operation;
    expect(briefOperation(entry)).toBe('register web shop-web-1 in the resolver');
    expect(briefOperation(staticAnswer)).toBe('register web shop-web-1 in the resolver (for linux containers)');
  });
});
