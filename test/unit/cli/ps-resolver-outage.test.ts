/**
 * `ps` when the project resolver does not run while the services span two daemons (QA2 R12): names
 * across daemons are broken, so a line under the table says so with the fix, and in json each
 * running container away from the resolver's daemon has `nameEntry.state: missing` with why.
 */
import { describe, expect, it } from 'vitest';
import { resolverOutageLine, withNameEntries, psRows } from '../../../src/cli/commands/ps.js';
import { nameEntryChecks } from '../../../src/plan/resolver-entries.js';
import type { ObservedContainer } from '../../../src/plan/observed-state.js';
import { container, facts, observed, project, service } from '../plan/builders.js';

const stack = project([service('db'), service('web', { platform: 'windows' })]);
const db = container({ service: 'db', platform: 'linux', ips: { shop_default: '10.201.0.3' } });
const web = container({ service: 'web', platform: 'windows', ips: { shop_default: '10.202.0.2' } });
const resolver = (status: ObservedContainer['status']) =>
  container({ service: 'mixcompose-resolver', platform: 'linux', name: 'shop-mixcompose-resolver', status, labels: { 'io.mixcompose.role': 'resolver', 'io.mixcompose.platform': 'linux' } });

describe('ps: the project resolver is not running', () => {
  it('stopped: a line under the table with the fix, and json entries say missing (resolver stopped)', () => {
    const state = observed({ containers: [db, web, resolver('exited')] });
    expect(resolverOutageLine(stack, state)).toBe(
      'names across daemons: the resolver shop-mixcompose-resolver is stopped (exited), so service names do not resolve across the daemons: run mixcompose up\n',
    );
    const { rows, lines } = withNameEntries(psRows(state, (p) => p, false), nameEntryChecks(stack, state));
    expect(rows.map((r) => [r.name, r.nameEntry])).toEqual([
      ['shop-db-1', undefined],
      ['shop-web-1', { file: 'web-1', state: 'missing', containerIp: '10.202.0.2', resolverState: 'stopped' }],
    ]);
    // One line for the outage, not one per entry.
    expect(lines).toBe('');
  });

  it('removed: says missing', () => {
    const state = observed({ containers: [db, web] });
    expect(resolverOutageLine(stack, state)).toBe(
      'names across daemons: the resolver shop-mixcompose-resolver is missing (removed), so service names do not resolve across the daemons: run mixcompose up\n',
    );
    expect(nameEntryChecks(stack, state).map((c) => c.resolverState)).toEqual(['missing']);
  });

  it('says nothing when the resolver runs, when nothing runs, on one daemon, or with the resolver disabled', () => {
    expect(resolverOutageLine(stack, observed({ containers: [db, web, resolver('running')] }))).toBe('');
    expect(resolverOutageLine(stack, observed({ containers: [{ ...db, status: 'exited' }, { ...web, status: 'exited' }] }))).toBe('');
    const oneDaemon = observed({ daemons: { linux: facts('linux', { sharedWith: 'windows' }), windows: facts('windows', { sharedWith: 'linux' }) }, containers: [db, web] });
    expect(resolverOutageLine(stack, oneDaemon)).toBe('');
    const disabled = { ...stack, extension: { ...stack.extension, resolver: { enabled: false } } };
    expect(resolverOutageLine(disabled, observed({ containers: [db, web] }))).toBe('');
  });
});
