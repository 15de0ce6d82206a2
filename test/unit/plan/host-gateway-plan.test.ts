/**
 * `host.docker.internal` for Windows askers (planHostGateway in reconcile-up.ts): the planner registers
 * the Windows daemon's gateway on its project network in the resolver — observed when the network
 * exists, a runtime value of the network's create otherwise — and keeps the entry while it is fresh.
 */
import { describe, expect, it } from 'vitest';
import { debugPlan } from '../../../src/plan/debug-plan.js';
import { HOST_GATEWAY_FILE } from '../../../src/plan/host-gateway-entry.js';
import type { ObservedContainer, ObservedState, ResolverHostsFile } from '../../../src/plan/observed-state.js';
import type { Plan } from '../../../src/plan/plan.js';
import { parseHostsFile } from '../../../src/plan/resolver-entries.js';
import { hostsFileContent } from '../../../src/plan/resolver.js';
import { containersAfter, observed, project, service, planOf } from './builders.js';

const db = service('db', { command: ['sleep', '3600'] });
const web = service('web', { platform: 'windows', command: ['sleep', '3600'] });
const stack = () => project([db, web]);
const GATEWAY = '172.28.16.1';
const networks = (gateway?: string) => [
  { id: 'n1', name: 'shop_default', platform: 'linux' as const, driver: 'bridge', subnets: [], gateways: ['10.201.0.1'], labels: {} },
  { id: 'n2', name: 'shop_default', platform: 'windows' as const, driver: 'nat', subnets: [], ...(gateway ? { gateways: [gateway] } : {}), labels: {} },
];

function running(): ObservedContainer[] {
  let n = 1;
  return containersAfter(planOf(stack(), observed()), (_id, daemon) => `10.${daemon === 'linux' ? 201 : 202}.0.${++n}`);
}

function state(files: ResolverHostsFile[], gateway?: string): ObservedState {
  const containers = running();
  const resolver = containers.find((c) => c.labels['io.mixcompose.role'] === 'resolver')!;
  const web1 = containers.find((c) => c.service === 'web')!;
  const webEntry = parseHostsFile('web-1', hostsFileContent(web1.ips.shop_default!, ['web', web1.name]));
  return observed({ containers, networks: networks(gateway), resolverHosts: { container: resolver.id, files: [webEntry, ...files] } });
}

const gatewayOps = (plan: Plan) => plan.operations.filter((op) => (op.kind === 'register-hosts' || op.kind === 'unregister-hosts') && op.file === HOST_GATEWAY_FILE);

describe('host.docker.internal for windows containers', () => {
  it('a fresh stack: the windows network is created with readGateway, the entry is its gateway read at run time', () => {
    const text = debugPlan(planOf(stack(), observed()));
    expect(text).toMatch(/network:windows:default create-network @windows .* readGateway=true/);
    expect(text).toContain(
      'hosts:mixcompose-host-gateway register-hosts @linux askers=windows dir=/etc/mixcompose-hosts file=mixcompose-host-gateway ifNoAddress=skip ip=<gateway network:windows:default> names=[host.docker.internal]',
    );
    expect(text).toMatch(/hosts:mixcompose-host-gateway .* <- network:windows:default start:mixcompose-resolver:1\n/);
    // The linux network's gateway is never read.
    expect(text).not.toMatch(/network:linux:default .*readGateway/);
  });

  it('an existing windows network: the observed gateway, written when the entry is missing or stale', () => {
    const missing = planOf(stack(), state([], GATEWAY));
    expect(gatewayOps(missing)).toEqual([expect.objectContaining({ kind: 'register-hosts', ip: { value: GATEWAY }, names: ['host.docker.internal'], askers: 'windows', reason: 'it had no entry' })]);
    const stale = planOf(stack(), state([parseHostsFile(HOST_GATEWAY_FILE, hostsFileContent('172.28.0.1', ['host.docker.internal']))], GATEWAY));
    expect(gatewayOps(stale)).toEqual([expect.objectContaining({ ip: { value: GATEWAY }, reason: 'it answered 172.28.0.1' })]);
  });

  it('a fresh entry: nothing to do (and it is not emptied as an entry with no container)', () => {
    const plan = planOf(stack(), state([parseHostsFile(HOST_GATEWAY_FILE, hostsFileContent(GATEWAY, ['host.docker.internal']))], GATEWAY));
    expect(plan.operations).toEqual([]);
  });

  it('under published reach (its own hostsdir, not read back by observe): written once, not on every up', () => {
    const published = project([db, web], {}, { linux: { reach: 'published', address: '192.0.2.10' }, windows: { reach: 'ip' } });
    const first = planOf(published, observed());
    expect(gatewayOps(first)).toHaveLength(1);
    let n = 1;
    const containers = containersAfter(first, (_id, daemon) => `10.${daemon === 'linux' ? 201 : 202}.0.${++n}`);
    const resolver = containers.find((c) => c.labels['io.mixcompose.role'] === 'resolver')!;
    const again = planOf(published, observed({ containers, networks: networks(GATEWAY), resolverHosts: { container: resolver.id, files: [] } }));
    expect(gatewayOps(again)).toEqual([]);
  });

  it('no windows gateway known (the network has none): no entry', () => {
    expect(gatewayOps(planOf(stack(), state([])))).toEqual([]);
  });

  it('no windows services, or the resolver disabled: no entry', () => {
    expect(gatewayOps(planOf(project([db, service('cache', { command: ['sleep', '1'] })]), observed()))).toEqual([]);
    const p = stack();
    const disabled = { ...p, extension: { ...p.extension, resolver: { enabled: false } } };
    expect(gatewayOps(planOf(disabled, observed()))).toEqual([]);
  });
});
