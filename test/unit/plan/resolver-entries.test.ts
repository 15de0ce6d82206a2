/**
 * Names across daemons over time: `up` compares the resolver's hosts files (observed) with the
 * containers as they are, registers what is stale or missing and empties the entries of
 * containers that are gone; `ps` says which entries are stale. No daemon.
 */
import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../../src/plan/format-plan.js';
import { reconcile } from '../../../src/plan/reconcile.js';
import { materializedHash } from '../../../src/plan/materialize.js';
import type { ObservedContainer, ObservedState, ResolverHostsFile } from '../../../src/plan/observed-state.js';
import type { Plan } from '../../../src/plan/plan.js';
import { describeNameEntry, entryState, nameEntryChecks, parseHostsFile } from '../../../src/plan/resolver-entries.js';
import { hostsFileContent } from '../../../src/plan/resolver.js';
import type { Service } from '../../../src/model/project.js';
import { containersAfter, observed, project, service, type ServiceInput, planOf } from './builders.js';

const db = service('db', { command: ['sleep', '3600'] });
const web = (extra: ServiceInput = {}) => service('web', { platform: 'windows', command: ['sleep', '3600'], ...extra });
const api = service('api', { platform: 'windows', command: ['sleep', '3600'], depends_on: { db: { condition: 'service_started', required: true, restart: true } } });
const NETWORKS = [
  { id: 'n1', name: 'shop_default', platform: 'linux' as const, driver: 'bridge', subnets: [], labels: {} },
  { id: 'n2', name: 'shop_default', platform: 'windows' as const, driver: 'bridge', subnets: [], labels: {} },
];
const stack = (...services: Service[]) => project(services.length ? services : [db, web()]);

/** The stack as the first `up` leaves it: linux 10.201.0.x, windows 10.202.0.x in start order. */
function running(services: Service[] = [db, web()]): ObservedContainer[] {
  const plan = planOf(stack(...services), observed());
  let n = 1;
  return containersAfter(plan, (_id, daemon) => `10.${daemon === 'linux' ? 201 : 202}.0.${++n}`);
}

function resolverOf(containers: readonly ObservedContainer[]): ObservedContainer {
  return containers.find((c) => c.labels['io.mixcompose.role'] === 'resolver')!;
}

/** The hosts file the first `up` registered for a container, as the resolver holds it. */
function entryFor(c: ObservedContainer, ip = Object.values(c.ips)[0]!): ResolverHostsFile {
  return parseHostsFile(`${c.service}-${c.number}`, hostsFileContent(ip, [c.service, c.name]));
}

function state(containers: ObservedContainer[], files: ResolverHostsFile[], resolverId = resolverOf(containers).id): ObservedState {
  return observed({ containers, networks: NETWORKS, resolverHosts: { container: resolverId, files } });
}

const hostsOps = (plan: Plan) => plan.operations.filter((op) => op.kind === 'register-hosts' || op.kind === 'unregister-hosts');

describe('up keeps the resolver entries true', () => {
  it('plans nothing when every entry answers the current address (fresh)', () => {
    const containers = running();
    const web1 = containers.find((c) => c.service === 'web')!;
    const plan = planOf(stack(), state(containers, [entryFor(web1)]));
    expect(plan.operations).toEqual([]);
    expect(formatPlan(plan)).toContain('nothing to do');
  });

  it('registers again a container Docker restarted with another address (stale), touching no container', () => {
    const containers = running();
    const web1 = containers.find((c) => c.service === 'web')!;
    const moved = containers.map((c) => (c === web1 ? { ...c, ips: { shop_default: '10.202.0.9' } } : c));
    const plan = planOf(stack(), state(moved, [entryFor(web1)]));
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]).toMatchObject({
      kind: 'register-hosts',
      id: 'hosts:web:1',
      deps: [],
      daemon: 'linux',
      resolver: { id: resolverOf(containers).id },
      file: 'web-1',
      names: ['web', 'shop-web-1'],
      ip: { value: '10.202.0.9' },
    });
    expect(formatPlan(plan)).toContain(`register web shop-web-1 → 10.202.0.9 in the resolver (it answered ${web1.ips.shop_default})`);
  });

  it('registers a running container that has no entry (missing), and one whose names changed', () => {
    const containers = running();
    const missing = planOf(stack(), state(containers, []));
    expect(hostsOps(missing).map((op) => [op.id, op.kind === 'register-hosts' && op.reason])).toEqual([['hosts:web:1', 'it had no entry']]);
    const web1 = containers.find((c) => c.service === 'web')!;
    const aliased = web({ networks: { default: { aliases: ['www'] } } });
    const renamed = planOf(stack(db, aliased), state(running([db, aliased]), [entryFor(web1)]));
    expect(hostsOps(renamed).map((op) => [op.id, op.kind === 'register-hosts' && op.names, op.kind === 'register-hosts' && op.reason])).toEqual([
      ['hosts:web:1', ['web', 'shop-web-1', 'www'], 'its names changed'],
    ]);
  });

  it('refuses, while planning, an alias the resolver cannot hold: nothing starts; a stack on one daemon keeps it', () => {
    const spaced = web({ networks: { default: { aliases: ['data base'] } } });
    const { plan, problems } = reconcile(stack(db, spaced), observed());
    expect(problems.map((p) => p.message)).toEqual([
      'service web: networks.default.aliases: "data base" cannot be a name across daemons (the project resolver\'s hosts lines hold no space or control character); rename the alias',
    ]);
    expect(plan.operations).toEqual([]);
    // No resolver (one daemon): Docker's own DNS is the only one asked, as with docker compose.
    const alone = service('web', { command: ['sleep', '3600'], networks: { default: { aliases: ['data base'] } } });
    expect(reconcile(stack(db, alone), observed()).problems).toEqual([]);
  });

  it('empties the entries of containers that are gone: scaled down, service removed', () => {
    const containers = running([db, web({ scale: 2 })]);
    const [web1, web2] = containers.filter((c) => c.service === 'web');
    const oldApi = parseHostsFile('api-1', hostsFileContent('10.202.0.7', ['api', 'shop-api-1']));
    const plan = planOf(stack(db, web({ scale: 1 })), state(containers, [entryFor(web1!), entryFor(web2!), oldApi]));
    expect(hostsOps(plan).map((op) => ({ id: op.id, kind: op.kind, deps: op.deps, file: op.file }))).toEqual([
      { id: 'unhosts:api-1', kind: 'unregister-hosts', deps: [], file: 'api-1' },
      { id: 'unhosts:web-2', kind: 'unregister-hosts', deps: ['remove:web:2'], file: 'web-2' },
    ]);
    expect(formatPlan(plan)).toContain('unregister web shop-web-2 from the resolver (web-2: no such container)');
    // An emptied file (unregistered before) is nothing to do.
    const emptied = planOf(stack(db, web({ scale: 2 })), state(containers, [entryFor(web1!), entryFor(web2!), parseHostsFile('api-1', '')]));
    expect(emptied.operations).toEqual([]);
  });

  it('a stopped resolver started again: every running container is written, gone entries emptied once it runs', () => {
    const containers = running([db, web({ scale: 2 })]);
    const [web1, web2] = containers.filter((c) => c.service === 'web');
    const stopped = containers.map((c) => (c.labels['io.mixcompose.role'] === 'resolver' ? { ...c, status: 'exited' as const, ips: {} } : c));
    const plan = planOf(stack(db, web({ scale: 1 })), state(stopped, [entryFor(web1!), entryFor(web2!)]));
    expect(hostsOps(plan).map((op) => `${op.id} after ${op.deps.join(',')}`)).toEqual([
      // web is checked against the resolver's new address (recreated only if it changes) and started.
      'hosts:web:1 after start:mixcompose-resolver:1,start:web:1',
      'unhosts:web-2 after remove:web:2,start:mixcompose-resolver:1',
    ]);
  });

  it('sees nothing stale when the files were read from another resolver, or not at all', () => {
    const containers = running();
    const web1 = containers.find((c) => c.service === 'web')!;
    const moved = containers.map((c) => (c === web1 ? { ...c, ips: { shop_default: '10.202.0.9' } } : c));
    expect(planOf(stack(), state(moved, [entryFor(web1)], 'another-resolver')).operations).toEqual([]);
    expect(planOf(stack(), observed({ containers: moved, networks: NETWORKS })).operations).toEqual([]);
  });

  it('registers a windows dependant that `restart: true` restarts, with the address it comes back with', () => {
    const services = [db, api];
    const containers = running(services);
    const apiContainer = containers.find((c) => c.service === 'api')!;
    const changedDb = service('db', { command: ['sleep', '3601'] });
    const plan = planOf(stack(changedDb, api), state(containers, [entryFor(apiContainer)]));
    const hosts = hostsOps(plan);
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatchObject({ id: 'hosts:api:1', deps: ['restart:api:1'], ip: { runtime: { ipOf: 'restart:api:1', network: 'shop_default' } } });
  });
});

describe('resolver entries for ps', () => {
  it('parses hosts files and compares them', () => {
    expect(parseHostsFile('web-1', '10.202.0.3 web\n10.202.0.3 shop-web-1\n')).toEqual({ file: 'web-1', ip: '10.202.0.3', names: ['web', 'shop-web-1'] });
    expect(parseHostsFile('web-1', '10.202.0.3 web\n10.202.0.4 shop-web-1\n').ip).toBeUndefined();
    expect(parseHostsFile('web-1', '')).toEqual({ file: 'web-1', names: [] });
    const entry = parseHostsFile('web-1', '10.202.0.3 web\n10.202.0.3 shop-web-1\n');
    expect(entryState(entry, '10.202.0.3', ['shop-web-1', 'web'])).toBe('fresh');
    expect(entryState(entry, '10.202.0.9', ['web', 'shop-web-1'])).toBe('stale');
    expect(entryState(undefined, '10.202.0.9', ['web'])).toBe('missing');
    expect(entryState(parseHostsFile('web-1', ''), '10.202.0.9', ['web'])).toBe('missing');
  });

  it('says which running containers the resolver answers wrongly, and how to fix it', () => {
    const containers = running([db, web({ scale: 2 })]);
    const [web1, web2] = containers.filter((c) => c.service === 'web');
    const moved = containers.map((c) => (c === web1 ? { ...c, ips: { shop_default: '10.202.3.9' } } : c));
    const checks = nameEntryChecks(stack(db, web({ scale: 2 })), state(moved, [entryFor(web1!, '10.202.3.4')]));
    expect(checks.map(describeNameEntry)).toEqual([
      'web-1: the resolver answers 10.202.3.4, the container has 10.202.3.9: run mixcompose up',
      `web-2: the resolver has no entry for it, the container has ${web2!.ips.shop_default}: run mixcompose up`,
    ]);
    const fresh = nameEntryChecks(stack(db, web({ scale: 2 })), state(containers, [entryFor(web1!), entryFor(web2!)]));
    expect(fresh.map((c) => c.state)).toEqual(['fresh', 'fresh']);
    expect(fresh.map(describeNameEntry)).toEqual([undefined, undefined]);
    // Unknown files: nothing to say.
    expect(nameEntryChecks(stack(), observed({ containers: moved, networks: NETWORKS }))).toEqual([]);
  });
});

describe('a resolver made by the version that wrote hosts files as archives', () => {
  /** That version's resolver command (no hosts reader), and its body had no OpenStdin / StdinOnce / Tty. */
  const OLD_SCRIPT =
    'mkdir -p /etc/mixcompose-hosts && exec /usr/sbin/dnsmasq --keep-in-foreground --log-facility=- --user=root --group=root --no-resolv --no-hosts --server=127.0.0.11 --hostsdir=/etc/mixcompose-hosts';

  /** The stack after the first up, its resolver as the old version made it (its config hash from the old body). */
  function withOldResolver(): ObservedContainer[] {
    const create = planOf(stack(), observed()).operations.find((op) => op.kind === 'create-container' && op.service === 'mixcompose-resolver') as Extract<Plan['operations'][number], { kind: 'create-container' }>;
    const { OpenStdin: _o, StdinOnce: _s, Tty: _t, ...rest } = create.spec.body;
    const oldHash = materializedHash({ ...create.spec, body: { ...rest, Cmd: [OLD_SCRIPT] } }, () => undefined)!;
    return running().map((c) => (c.labels['io.mixcompose.role'] === 'resolver' ? { ...c, configHash: oldHash, labels: { ...c.labels, 'com.docker.compose.config-hash': oldHash } } : c));
  }

  it('is recreated by the next up (config changed), and every name is registered in the new one', () => {
    const containers = withOldResolver();
    const web1 = containers.find((c) => c.service === 'web')!;
    const plan = planOf(stack(), state(containers, [entryFor(web1)]));
    const resolverCreate = plan.operations.find((op) => op.kind === 'create-container' && op.service === 'mixcompose-resolver');
    expect(resolverCreate).toMatchObject({ reason: 'config changed' });
    expect(plan.operations.some((op) => op.kind === 'remove-container' && 'id' in op.container && op.container.id === resolverOf(containers).id)).toBe(true);
    expect(hostsOps(plan).map((op) => op.id)).toContain('hosts:web:1');
  });

  it('while the current resolver is kept (the control: only the body change recreates it)', () => {
    const containers = running();
    const web1 = containers.find((c) => c.service === 'web')!;
    expect(planOf(stack(), state(containers, [entryFor(web1)])).operations).toEqual([]);
  });
});
