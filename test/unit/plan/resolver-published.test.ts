/**
 * Names across daemons under `reach: published`: the resolver is published on the linux daemon's
 * address for windows containers, answers every service's names with its daemon's address
 * (static entries, written once per start and again when read back missing or changed), and mixed
 * reach keeps each asker's answers right.
 */
import { describe, expect, it } from 'vitest';
import { PlanError } from '../../../src/errors.js';
import { execute } from '../../../src/engine/execute.js';
import { formatPlan } from '../../../src/plan/format-plan.js';
import { debugPlan } from '../../../src/plan/debug-plan.js';
import { materializeSpec } from '../../../src/plan/materialize.js';
import type { ObservedContainer, ObservedNetwork, ResolverHostsFile } from '../../../src/plan/observed-state.js';
import { parseHostsFile } from '../../../src/plan/resolver-entries.js';
import { HOST_GATEWAY_FILE } from '../../../src/plan/host-gateway-entry.js';
import type { CreateContainerOp, Plan, RegisterHostsOp } from '../../../src/plan/plan.js';
import { RESOLVER_HOSTS_DIR, RESOLVER_STATIC_DIRS, hostsFileContent, isIpAddress, resolverBody, resolverLayout } from '../../../src/plan/resolver.js';
import type { DaemonSettings, PlatformOs, Service } from '../../../src/model/project.js';
import { MemoryDaemon } from '../engine/memory-daemon.js';
import { container, observed, project, service, type ServiceInput, planOf } from './builders.js';

const LINUX_ADDRESS = '192.0.2.10';
const WINDOWS_ADDRESS = '192.0.2.20';

const db = (extra: ServiceInput = {}) =>
  service('db', { command: ['sleep', '3600'], ports: [{ target: 5432, published: '5432', protocol: 'tcp' }], ...extra });
const web = (extra: ServiceInput = {}) =>
  service('web', {
    platform: 'windows',
    ports: [{ target: 80, published: '8080', protocol: 'tcp' }],
    depends_on: { db: { condition: 'service_started', required: true, restart: false } },
    ...extra,
  });
type Daemons = Partial<Record<PlatformOs, Partial<DaemonSettings>>>;
const bothPublished: Daemons = {
  linux: { reach: 'published', address: LINUX_ADDRESS },
  windows: { reach: 'published', address: WINDOWS_ADDRESS },
};
const stack = (daemons: Daemons = bothPublished, services: Service[] = [db(), web()]) => project(services, {}, daemons);

const creates = (plan: Plan) => plan.operations.filter((op): op is CreateContainerOp => op.kind === 'create-container');
const createOf = (plan: Plan, service: string) => creates(plan).find((op) => op.service === service)!;
const registers = (plan: Plan) => plan.operations.filter((op): op is RegisterHostsOp => op.kind === 'register-hosts');
const dnsOf = (op: CreateContainerOp) => op.spec.substitutions.find((s) => s.text === '{{ mixcompose.resolver.ip }}');

/** The containers after running `plan` (resolver included), with made-up IPs, as observe would see them. */
function afterRun(plan: Plan): ObservedContainer[] {
  const ips = new Map<string, string>();
  let n = 1;
  for (const op of plan.operations) if (op.kind === 'start-container') ips.set(op.id, `10.${op.daemon === 'linux' ? 201 : 202}.0.${++n}`);
  return creates(plan).map((op) => {
    const spec = materializeSpec(op.spec, (r) => ips.get(r.ipOf))!;
    const labels = spec.body.Labels as Record<string, string>;
    return container({
      service: op.service,
      number: op.number,
      platform: op.daemon,
      name: op.name,
      configHash: spec.hash,
      labels,
      ips: { shop_default: ips.get(`start:${op.service}:${op.number}`)! },
    });
  });
}

describe('names across daemons under published reach', () => {
  it('plans a published resolver, static answers and DNS per platform (golden)', () => {
    const plan = planOf(stack(), observed());
    expect(plan.resolver).toBe(true);
    expect(plan.warnings).toEqual([]);
    expect(debugPlan(plan)).toMatchInlineSnapshot(`
      "up shop
      placement linux=linux windows=windows
      reach linux=published (configured); windows=published (configured)
      resolver
      network:linux:default create-network @linux driver=bridge ifExists=adopt-labelled({com.docker.compose.project=shop}) key=default name=shop_default
      create:mixcompose-resolver:1 create-container @linux image=mixcompose/resolver:0.1.0 name=shop-mixcompose-resolver platform=linux reason=new <- network:linux:default
      network:windows:default create-network @windows driver=bridge ifExists=adopt-labelled({com.docker.compose.project=shop}) key=default name=shop_default readGateway=true
      start:mixcompose-resolver:1 start-container @linux container=<create:mixcompose-resolver:1> explainFailure=resolver-bind inspect=true name=shop-mixcompose-resolver platform=linux <- create:mixcompose-resolver:1
      create:db:1 create-container @linux image=mixcompose-test/busybox:latest subs=[{{ mixcompose.resolver.ip }}=<ip start:mixcompose-resolver:1 shop_default>] name=shop-db-1 platform=linux reason=new <- network:linux:default start:mixcompose-resolver:1
      create:web:1 create-container @windows image=mixcompose-test/busybox:latest subs=[{{ mixcompose.resolver.ip }}=192.0.2.10] name=shop-web-1 platform=windows reason=new <- network:windows:default start:mixcompose-resolver:1
      hosts:mixcompose-host-gateway register-hosts @linux askers=windows dir=/etc/mixcompose-hosts-for-windows file=mixcompose-host-gateway ifNoAddress=skip ip=<gateway network:windows:default> names=[host.docker.internal] reason=the windows daemon's gateway on shop_default resolver=<create:mixcompose-resolver:1> <- network:windows:default start:mixcompose-resolver:1
      names:db register-hosts @linux askers=windows dir=/etc/mixcompose-hosts-for-windows file=db ifNoAddress=fail ip=192.0.2.10 names=[db shop-db-1] reason=reach published resolver=<create:mixcompose-resolver:1> <- start:mixcompose-resolver:1
      names:web register-hosts @linux askers=linux dir=/etc/mixcompose-hosts-for-linux file=web ifNoAddress=fail ip=192.0.2.20 names=[web shop-web-1] reason=reach published resolver=<create:mixcompose-resolver:1> <- start:mixcompose-resolver:1
      start:db:1 start-container @linux container=<create:db:1> inspect=false name=shop-db-1 platform=linux <- create:db:1
      start:web:1 start-container @windows container=<create:web:1> inspect=true name=shop-web-1 platform=windows <- create:web:1 names:db start:db:1
      hosts:web:1 register-hosts @linux file=web-1 ifNoAddress=skip ip=<ip start:web:1 shop_default> names=[web shop-web-1] resolver=<create:mixcompose-resolver:1> <- start:mixcompose-resolver:1 start:web:1
      "
    `);
    // Windows containers ask at the linux daemon's address; linux containers at the resolver's container IP.
    expect(createOf(plan, 'web').spec.body.HostConfig).toMatchObject({ Dns: ['{{ mixcompose.resolver.ip }}'] });
    expect(dnsOf(createOf(plan, 'web'))).toEqual({ text: '{{ mixcompose.resolver.ip }}', value: LINUX_ADDRESS });
    expect(dnsOf(createOf(plan, 'db'))?.runtime).toEqual({ ipOf: 'start:mixcompose-resolver:1', network: 'shop_default' });
    // Static answers go to the askers' own hostsdir.
    expect(registers(plan).filter((r) => r.id.startsWith('names:')).map((r) => [r.file, r.dir, r.ip.value, r.names])).toEqual([
      ['db', RESOLVER_STATIC_DIRS.windows, LINUX_ADDRESS, ['db', 'shop-db-1']],
      ['web', RESOLVER_STATIC_DIRS.linux, WINDOWS_ADDRESS, ['web', 'shop-web-1']],
    ]);
  });

  it('publishes the windows askers\' dnsmasq on the linux address, port 53, and nowhere else', () => {
    const body = createOf(planOf(stack(), observed()), 'mixcompose-resolver').spec.body as Record<string, any>;
    expect(body.ExposedPorts).toEqual({ '5353/udp': {}, '5353/tcp': {} });
    expect(body.HostConfig.PortBindings).toEqual({
      '5353/udp': [{ HostIp: LINUX_ADDRESS, HostPort: '53' }],
      '5353/tcp': [{ HostIp: LINUX_ADDRESS, HostPort: '53' }],
    });
    const script = body.Cmd[0] as string;
    // Port 53 (linux askers): static windows answers only; 5353 (windows askers): windows container IPs + static linux answers.
    expect(script).toMatch(/--pid-file=\/tmp\/dnsmasq-53\.pid --hostsdir=\/etc\/mixcompose-hosts-for-linux 3<&- <\/dev\/null &\n/);
    expect(script).toMatch(/exec \S+ .*--port=5353 .*--hostsdir=\/etc\/mixcompose-hosts --hostsdir=\/etc\/mixcompose-hosts-for-windows 3<&- <\/dev\/null$/);
    expect(body.Labels['io.mixcompose.resolver.answers']).toBe(`windows=${WINDOWS_ADDRESS},linux=${LINUX_ADDRESS}`);
  });

  it('keeps the ip-reach resolver exactly as before (no recreate of running resolvers)', () => {
    const p = stack({});
    const layout = resolverLayout(p, { linux: 'ip', windows: 'ip' });
    expect(layout).toEqual({ mainDirs: [RESOLVER_HOSTS_DIR], static: [] });
    const body = resolverBody(p, 'img', 'shop_default', layout) as Record<string, any>;
    expect(body).toEqual(resolverBody(p, 'img', 'shop_default'));
    const script = (body.Cmd as string[])[0]!.split('\n');
    expect(script[0]).toBe('mkdir -p /etc/mixcompose-hosts || exit 1');
    expect(script.at(-1)).toBe(
      'exec /usr/sbin/dnsmasq --keep-in-foreground --log-facility=- --user=root --group=root --no-resolv --no-hosts --server=127.0.0.11 --hostsdir=/etc/mixcompose-hosts 3<&- </dev/null',
    );
    expect(body.ExposedPorts).toBeUndefined();
    expect(body.HostConfig.PortBindings).toBeUndefined();
    const plan = planOf(p, observed());
    expect(registers(plan).some((r) => r.id.startsWith('names:'))).toBe(false);
  });

  it('mixed reach, linux published: windows askers get linux names as the address, linux askers windows container IPs', () => {
    const p = stack({ linux: { reach: 'published', address: LINUX_ADDRESS } });
    expect(resolverLayout(p, { linux: 'published', windows: 'ip' })).toEqual({
      mainDirs: [RESOLVER_HOSTS_DIR],
      published: { address: LINUX_ADDRESS, dirs: [RESOLVER_HOSTS_DIR, RESOLVER_STATIC_DIRS.windows] },
      static: [{ platform: 'linux', address: LINUX_ADDRESS, dir: RESOLVER_STATIC_DIRS.windows, askers: 'windows' }],
    });
    const plan = planOf(p, observed());
    expect(registers(plan).map((r) => r.id)).toEqual(['names:db', 'hosts:web:1', 'hosts:mixcompose-host-gateway']);
    // host.docker.internal for windows askers goes where they alone read.
    expect(registers(plan).find((r) => r.id === 'hosts:mixcompose-host-gateway')?.dir).toBe(RESOLVER_STATIC_DIRS.windows);
    expect(dnsOf(createOf(plan, 'web'))?.value).toBe(LINUX_ADDRESS);
  });

  it('mixed reach, windows published: windows askers still get answers of their own at the linux address', () => {
    const p = stack({ linux: { reach: 'ip', address: LINUX_ADDRESS }, windows: { reach: 'published', address: WINDOWS_ADDRESS } });
    expect(resolverLayout(p, { linux: 'ip', windows: 'published' })).toEqual({
      mainDirs: [RESOLVER_STATIC_DIRS.linux],
      published: { address: LINUX_ADDRESS, dirs: [RESOLVER_HOSTS_DIR] },
      static: [{ platform: 'windows', address: WINDOWS_ADDRESS, dir: RESOLVER_STATIC_DIRS.linux, askers: 'linux' }],
    });
    const plan = planOf(p, observed());
    expect(dnsOf(createOf(plan, 'web'))?.value).toBe(LINUX_ADDRESS);
    expect(registers(plan).map((r) => r.id)).toEqual(['names:web', 'hosts:web:1', 'hosts:mixcompose-host-gateway']);
    expect(registers(plan).find((r) => r.id === 'hosts:mixcompose-host-gateway')?.dir).toBe(RESOLVER_HOSTS_DIR);
    const noLinuxAddress = stack({ linux: { reach: 'ip' }, windows: { reach: 'published', address: WINDOWS_ADDRESS } });
    expect(() => planOf(noLinuxAddress, observed())).toThrow(/x-mixcompose\.daemons\.linux\.address is not set/);
  });

  it('uses the IP a host-name address resolved to, refuses one that did not resolve, and says how to go without names', () => {
    const p = stack({ linux: { reach: 'published', address: 'host.docker.internal' }, windows: bothPublished.windows! });
    expect(() => planOf(p, observed())).toThrow(PlanError);
    expect(() => planOf(p, observed())).toThrow(
      /x-mixcompose\.daemons\.linux\.address must be an IP address .*the host name "host\.docker\.internal" did not resolve on this machine.*x-mixcompose\.resolver\.enabled: false/,
    );
    const looked = planOf(p, observed(), { addressIps: { linux: '192.0.2.99' } });
    expect(dnsOf(createOf(looked, 'web'))?.value).toBe('192.0.2.99');
    expect((createOf(looked, 'mixcompose-resolver').spec.body.HostConfig as any).PortBindings['5353/udp']).toEqual([{ HostIp: '192.0.2.99', HostPort: '53' }]);
    expect(registers(looked).find((r) => r.id === 'names:db')?.ip.value).toBe('192.0.2.99');
    const noWindowsAddress = stack({ linux: bothPublished.linux!, windows: { reach: 'published' } });
    expect(() => planOf(noWindowsAddress, observed())).toThrow(/x-mixcompose\.daemons\.windows\.address is not set/);
    // Opting out: no resolver, no refusal, and no longer a blanket warning.
    const off = project([db(), web()], { extension: { default_platform: 'linux', daemons: stack().extension.daemons, resolver: { enabled: false } } });
    const plan = planOf(off, observed());
    expect(plan.resolver).toBe(false);
    expect(plan.warnings.join('\n')).not.toMatch(/plain service names/);
  });

  it('warns when a consumer on the other daemon depends on a provider that publishes no ports', () => {
    const plan = planOf(stack(bothPublished, [db({ ports: [] }), web()]), observed());
    expect(plan.warnings).toEqual([
      'service web (windows) depends on db (linux), which publishes no ports: under reach: published the windows daemon\'s containers reach db only at its published ports (add ports: to db)',
    ]);
    expect(planOf(stack({}, [db({ ports: [] }), web()]), observed()).warnings).toEqual([]);
  });

  it('writes static answers once: nothing on a second up, only a new service\'s names after', () => {
    const first = planOf(stack(), observed());
    const networks = (['linux', 'windows'] as const).map((platform) => ({ id: platform, name: 'shop_default', platform, driver: 'bridge', subnets: [], labels: {} }));
    const running = observed({ containers: afterRun(first), networks });
    expect(formatPlan(planOf(stack(), running))).toContain('nothing to do');
    const api = service('api', { platform: 'windows', ports: [{ target: 81, published: '8081', protocol: 'tcp' }] });
    const next = planOf(stack(bothPublished, [db(), web(), api]), running);
    expect(registers(next).filter((r) => r.id.startsWith('names:')).map((r) => [r.id, r.deps, r.ip.value])).toEqual([
      ['names:api', [], WINDOWS_ADDRESS],
    ]);
  });

  describe('a kept resolver whose static answers were read back (up)', () => {
    const networks = (['linux', 'windows'] as const).map((platform) => ({ id: platform, name: 'shop_default', platform, driver: 'bridge', subnets: [], labels: {} }));
    const dbFile = parseHostsFile('db', hostsFileContent(LINUX_ADDRESS, ['db', 'shop-db-1']));
    const webFile = parseHostsFile('web', hostsFileContent(WINDOWS_ADDRESS, ['web', 'shop-web-1']));
    /** The stack after its first up, with the resolver's static dirs holding `files` (dir → files; absent: not read). */
    const keptWith = (statics?: Record<string, ResolverHostsFile[]>, nets: ObservedNetwork[] = networks) => {
      const containers = afterRun(planOf(stack(), observed()));
      const resolver = containers.find((c) => c.service === 'mixcompose-resolver')!;
      const webEntry = parseHostsFile('web-1', hostsFileContent(containers.find((c) => c.service === 'web')!.ips.shop_default!, ['web', 'shop-web-1']));
      return observed({ containers, networks: nets, resolverHosts: { container: resolver.id, files: [webEntry], ...(statics ? { static: statics } : {}) } });
    };
    const statics = (plan: Plan) => registers(plan).filter((r) => r.id.startsWith('names:')).map((r) => [r.id, r.dir, r.names, r.ip.value, r.askers, r.reason, r.deps]);

    it('writes a missing static file again, and nothing else', () => {
      const plan = planOf(stack(), keptWith({ [RESOLVER_STATIC_DIRS.windows]: [dbFile], [RESOLVER_STATIC_DIRS.linux]: [] }));
      expect(statics(plan)).toEqual([
        ['names:web', RESOLVER_STATIC_DIRS.linux, ['web', 'shop-web-1'], WINDOWS_ADDRESS, 'linux', 'reach published; it had no entry', []],
      ]);
      expect(plan.operations.map((op) => op.id)).toEqual(['names:web']);
    });

    it('writes a static file that answers another address or other names', () => {
      const otherAddress = parseHostsFile('db', hostsFileContent('192.0.2.99', ['db', 'shop-db-1']));
      const fewerNames = parseHostsFile('web', hostsFileContent(WINDOWS_ADDRESS, ['web']));
      const plan = planOf(stack(), keptWith({ [RESOLVER_STATIC_DIRS.windows]: [otherAddress], [RESOLVER_STATIC_DIRS.linux]: [fewerNames] }));
      expect(statics(plan).map(([id, , , , askers, reason]) => [id, askers, reason])).toEqual([
        ['names:db', 'windows', 'reach published; it answered 192.0.2.99'],
        ['names:web', 'linux', 'reach published; its names changed'],
      ]);
    });

    it('the same content: nothing to do; a dir that could not be read (or none read) keeps the resolver-start-only writes', () => {
      expect(formatPlan(planOf(stack(), keptWith({ [RESOLVER_STATIC_DIRS.windows]: [dbFile], [RESOLVER_STATIC_DIRS.linux]: [webFile] })))).toContain('nothing to do');
      expect(statics(planOf(stack(), keptWith({ [RESOLVER_STATIC_DIRS.windows]: [] })))).toEqual([
        ['names:db', RESOLVER_STATIC_DIRS.windows, ['db', 'shop-db-1'], LINUX_ADDRESS, 'windows', 'reach published; it had no entry', []],
      ]);
      expect(formatPlan(planOf(stack(), keptWith()))).toContain('nothing to do');
    });

    it('empties the static file of a service no longer in the project, once no container of it is left', () => {
      const apiFile = parseHostsFile('api', hostsFileContent(WINDOWS_ADDRESS, ['api', 'shop-api-1']));
      const gateway = parseHostsFile(HOST_GATEWAY_FILE, hostsFileContent('172.28.16.1', ['host.docker.internal']));
      const kept = keptWith({ [RESOLVER_STATIC_DIRS.windows]: [dbFile, gateway], [RESOLVER_STATIC_DIRS.linux]: [apiFile, webFile] });
      const plan = planOf(stack(), kept);
      expect(plan.operations).toEqual([
        {
          kind: 'unregister-hosts',
          id: 'unnames:windows:api',
          deps: [],
          daemon: 'linux',
          resolver: { id: kept.resolverHosts!.container },
          dir: RESOLVER_STATIC_DIRS.linux,
          file: 'api',
          names: ['api', 'shop-api-1'],
          service: 'api',
          askers: 'linux',
          reason: 'service no longer in the project',
        },
      ]);
      expect(formatPlan(plan)).toContain('unregister api shop-api-1 from the resolver (for linux containers: service no longer in the project)');
      // An orphan still running answers as before; removed (--remove-orphans), its name goes after it.
      const orphan = container({ service: 'api', number: 1, platform: 'windows', name: 'shop-api-1', ips: { shop_default: '10.202.0.9' } });
      const withOrphan = { ...kept, containers: [...kept.containers, orphan] };
      expect(planOf(stack(), withOrphan).operations.filter((op) => op.kind === 'unregister-hosts')).toEqual([]);
      const removed = planOf(stack(), withOrphan, { removeOrphans: true }).operations.find((op) => op.id === 'unnames:windows:api');
      expect(removed?.deps).toEqual(['remove:api:1']);
    });

    it('empties the static file of a service whose platform changed, and writes it in the other dir', () => {
      const cache = service('cache', { command: ['sleep', '3600'] });
      const plan = planOf(stack(bothPublished, [db({ platform: 'windows' } as ServiceInput), web(), cache]), keptWith({ [RESOLVER_STATIC_DIRS.windows]: [dbFile], [RESOLVER_STATIC_DIRS.linux]: [webFile] }));
      const hosts = plan.operations.filter((op) => op.kind === 'unregister-hosts' || op.id === 'names:db');
      expect(hosts.map((op) => [op.id, 'dir' in op ? op.dir : undefined, op.deps])).toEqual([
        ['names:db', RESOLVER_STATIC_DIRS.linux, expect.any(Array)],
        ['unnames:linux:db', RESOLVER_STATIC_DIRS.windows, [plan.operations.find((op) => op.kind === 'remove-container' && op.service === 'db')!.id]],
      ]);
    });

    it('writes host.docker.internal for windows askers again when its static file is missing', () => {
      const gateway = '172.28.16.1';
      const withGateway = networks.map((n) => (n.platform === 'windows' ? { ...n, gateways: [gateway] } : n));
      const entry = parseHostsFile(HOST_GATEWAY_FILE, hostsFileContent(gateway, ['host.docker.internal']));
      const missing = planOf(stack(), keptWith({ [RESOLVER_STATIC_DIRS.windows]: [dbFile], [RESOLVER_STATIC_DIRS.linux]: [webFile] }, withGateway));
      expect(registers(missing).map((r) => [r.id, r.dir, r.ip.value, r.reason])).toEqual([['hosts:mixcompose-host-gateway', RESOLVER_STATIC_DIRS.windows, gateway, 'it had no entry']]);
      const fresh = planOf(stack(), keptWith({ [RESOLVER_STATIC_DIRS.windows]: [dbFile, entry], [RESOLVER_STATIC_DIRS.linux]: [webFile] }, withGateway));
      expect(fresh.operations).toEqual([]);
    });
  });

  it('names every replica of a scaled service, and its aliases', () => {
    const scaled = db({ scale: 2, networks: { default: { aliases: ['postgres'] } } } as ServiceInput);
    const plan = planOf(stack(bothPublished, [scaled, web()]), observed());
    expect(registers(plan).find((r) => r.id === 'names:db')?.names).toEqual(['db', 'shop-db-1', 'postgres', 'shop-db-2']);
  });

  it('the executor writes a static answer into its own hostsdir', async () => {
    const linux = new MemoryDaemon('linux (mem)', '10.201.0');
    const windows = new MemoryDaemon('windows (mem)', '10.202.0');
    await execute(planOf(stack(), observed()), { clients: { linux, windows }, pollIntervalMs: 1 });
    const resolver = [...linux.containers.values()].find((c) => c.name === 'shop-mixcompose-resolver')!;
    const files = resolver.hostsBatches.flat().map((f) => [`${f.dir.slice(1)}/${f.file}`, f.content]);
    expect(files).toContainEqual(['etc/mixcompose-hosts-for-windows/db', `${LINUX_ADDRESS} db\n${LINUX_ADDRESS} shop-db-1\n`]);
    expect(files).toContainEqual(['etc/mixcompose-hosts-for-linux/web', `${WINDOWS_ADDRESS} web\n${WINDOWS_ADDRESS} shop-web-1\n`]);
  });

  it('knows an IP literal from a host name', () => {
    expect(['192.0.2.2', '10.0.0.255', '::1', 'fd00::53'].every(isIpAddress)).toBe(true);
    expect(['host.docker.internal', '256.1.1.1', '192.0.2', 'winbuild'].some(isIpAddress)).toBe(false);
  });
});
