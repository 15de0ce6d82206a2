/**
 * `ps` and containers whose DNS server is not where the project resolver is now: every container is
 * created with `dns: [resolver address]`; if the resolver later gets another IP, names across daemons
 * stop resolving in them until `up` recreates them. The expected address comes from the same planner
 * code as the create bodies: a plan's own containers are all current, and moving the resolver makes
 * exactly the containers that ask it at its container IP stale (and makes `up` recreate them).
 */
import { describe, expect, it } from 'vitest';
import { withResolverDns, psRows } from '../../../src/cli/commands/ps.js';
import type { DaemonSettings, PlatformOs, Service } from '../../../src/model/project.js';
import { materializeSpec } from '../../../src/plan/materialize.js';
import type { ObservedContainer } from '../../../src/plan/observed-state.js';
import type { Plan } from '../../../src/plan/plan.js';
import { describeResolverDns, resolverDnsChecks } from '../../../src/plan/resolver-dns.js';
import { containersAfter, facts, observed, project, service, planOf } from './builders.js';

const RESOLVER_IP = '10.201.0.2';
const MOVED_IP = '10.201.0.5';
const LINUX_ADDRESS = '192.0.2.10';

type Daemons = Partial<Record<PlatformOs, Partial<DaemonSettings>>>;
const db = (extra: Parameters<typeof service>[1] = {}) => service('db', { command: ['sleep', '3600'], ...extra });
const web = service('web', { platform: 'windows', command: ['sleep', '3600'] });
const stack = (services: Service[] = [db(), web], daemons: Daemons = {}) => project(services, {}, daemons);

/** What `up` from nothing leaves: the containers, and each one's HostConfig.Dns as created. */
function upFromNothing(p: ReturnType<typeof stack>): { containers: ObservedContainer[]; dns: Map<string, readonly string[]> } {
  const plan: Plan = planOf(p, observed());
  const addressOf = (id: string, daemon: PlatformOs) => (id === 'start:mixcompose-resolver:1' ? RESOLVER_IP : daemon === 'linux' ? '10.201.0.9' : '10.202.0.9');
  const containers = containersAfter(plan, addressOf);
  const dns = new Map<string, readonly string[]>();
  const starts = new Map(plan.operations.filter((op) => op.kind === 'start-container').map((op) => [op.id, addressOf(op.id, op.daemon)]));
  for (const op of plan.operations) {
    if (op.kind !== 'create-container') continue;
    const body = materializeSpec(op.spec, (ref) => starts.get(ref.ipOf))!.body;
    const id = containers.find((c) => c.name === op.name)!.id;
    dns.set(id, (body.HostConfig as { Dns?: string[] }).Dns ?? []);
  }
  return { containers, dns };
}

/** The resolver came back with another IP (same container). */
const moveResolver = (containers: ObservedContainer[], ip = MOVED_IP) =>
  containers.map((c) => (c.labels['io.mixcompose.role'] === 'resolver' ? { ...c, ips: Object.fromEntries(Object.keys(c.ips).map((n) => [n, ip])) } : c));

describe('resolverDnsChecks', () => {
  it('containers just created by up ask the resolver where it is', () => {
    const p = stack();
    const { containers, dns } = upFromNothing(p);
    const checks = resolverDnsChecks(p, observed({ containers }), dns);
    expect(checks.map((c) => [c.replica, c.state, c.dnsServer, c.resolverAt])).toEqual([
      ['db-1', 'current', RESOLVER_IP, RESOLVER_IP],
      ['web-1', 'current', RESOLVER_IP, RESOLVER_IP],
    ]);
    expect(checks.flatMap((c) => describeResolverDns(c) ?? [])).toEqual([]);
  });

  it('the resolver has another IP: every container that asks it there is stale, with the fix; up recreates exactly those', () => {
    const p = stack();
    const { containers, dns } = upFromNothing(p);
    const moved = observed({ containers: moveResolver(containers) });
    const checks = resolverDnsChecks(p, moved, dns);
    expect(checks.map((c) => [c.container, c.state])).toEqual([
      ['shop-db-1', 'stale'],
      ['shop-web-1', 'stale'],
    ]);
    expect(describeResolverDns(checks[0]!)).toBe(
      `db-1: dns points at ${RESOLVER_IP}, the project resolver is at ${MOVED_IP}: run mixcompose up (it recreates the containers that use the old address)`,
    );
    // The fix the line names does what it says: up recreates db and web, and keeps the resolver.
    const plan = planOf(p, moved);
    expect(plan.operations.filter((op) => op.kind === 'create-container').map((op) => op.id).sort()).toEqual(['create:db:1', 'create:web:1']);
  });

  it('ps: json rows carry the check, the table gets a line per stale container', () => {
    const p = stack();
    const { containers, dns } = upFromNothing(p);
    const moved = observed({ containers: moveResolver(containers) });
    const { rows, lines } = withResolverDns(psRows(moved, (x) => x, false), resolverDnsChecks(p, moved, dns));
    expect(rows.map((r) => [r.name, r.resolverDns])).toEqual([
      ['shop-db-1', { state: 'stale', dnsServer: RESOLVER_IP, resolverAt: MOVED_IP }],
      ['shop-web-1', { state: 'stale', dnsServer: RESOLVER_IP, resolverAt: MOVED_IP }],
    ]);
    expect(lines).toBe(
      [
        `db-1: dns points at ${RESOLVER_IP}, the project resolver is at ${MOVED_IP}: run mixcompose up (it recreates the containers that use the old address)`,
        `web-1: dns points at ${RESOLVER_IP}, the project resolver is at ${MOVED_IP}: run mixcompose up (it recreates the containers that use the old address)`,
        '',
      ].join('\n'),
    );
  });

  it("published reach: windows containers ask at the linux daemon's address, which a moved resolver does not change", () => {
    const p = stack([db({ ports: [{ target: 80, published: '8080', protocol: 'tcp' }] }), service('web', { platform: 'windows', ports: [{ target: 80, published: '8081', protocol: 'tcp' }] })], {
      linux: { reach: 'published', address: LINUX_ADDRESS },
      windows: { reach: 'published', address: '192.0.2.20' },
    });
    const { containers, dns } = upFromNothing(p);
    expect(dns.get(containers.find((c) => c.service === 'web')!.id)).toEqual([LINUX_ADDRESS]);
    const checks = resolverDnsChecks(p, observed({ containers: moveResolver(containers) }), dns);
    expect(checks.map((c) => [c.replica, c.state, c.dnsServer, c.resolverAt])).toEqual([
      ['db-1', 'stale', RESOLVER_IP, MOVED_IP],
      ['web-1', 'current', LINUX_ADDRESS, LINUX_ADDRESS],
    ]);
  });

  it("a service's own dns: follows the resolver's address; only the resolver's entry is checked", () => {
    const p = stack([db({ dns: ['192.0.2.53'] }), web]);
    const { containers, dns } = upFromNothing(p);
    const dbId = containers.find((c) => c.service === 'db')!.id;
    expect(dns.get(dbId)).toEqual([RESOLVER_IP, '192.0.2.53']);
    const moved = observed({ containers: moveResolver(containers) });
    expect(resolverDnsChecks(p, moved, dns).find((c) => c.replica === 'db-1')).toMatchObject({ state: 'stale', dnsServer: RESOLVER_IP });
    // Created with only its own servers (no resolver then): not a moved resolver, nothing said.
    const ownOnly = new Map(dns).set(dbId, ['192.0.2.53']);
    expect(resolverDnsChecks(p, moved, ownOnly).map((c) => c.replica)).toEqual(['web-1']);
  });

  it('says nothing when the project uses no resolver (disabled, one daemon) or the resolver does not run', () => {
    const p = stack();
    const { containers, dns } = upFromNothing(p);
    const moved = moveResolver(containers);
    const disabled = { ...p, extension: { ...p.extension, resolver: { enabled: false } } };
    expect(resolverDnsChecks(disabled, observed({ containers: moved }), dns)).toEqual([]);
    const oneDaemon = observed({ daemons: { linux: facts('linux', { sharedWith: 'windows' }), windows: facts('windows', { sharedWith: 'linux' }) }, containers: moved });
    expect(resolverDnsChecks(p, oneDaemon, dns)).toEqual([]);
    // Stopped: resolverOutage's one line says so, not a line per container.
    const stopped = moved.map((c) => (c.labels['io.mixcompose.role'] === 'resolver' ? { ...c, status: 'exited' as const, ips: {} } : c));
    expect(resolverDnsChecks(p, observed({ containers: stopped }), dns)).toEqual([]);
    // Containers whose DNS was not read (ps lists only some) are not checked.
    expect(resolverDnsChecks(p, observed({ containers: moved }), new Map())).toEqual([]);
  });
});
