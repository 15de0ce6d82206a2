/**
 * Planner golden tests: the printed plan for a given project and observed state, no daemon.
 */
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/plan/reconcile.js';
import { PlanError } from '../../../src/errors.js';
import { formatPlan } from '../../../src/plan/format-plan.js';
import { debugPlan } from '../../../src/plan/debug-plan.js';
import { materializeSpec } from '../../../src/plan/materialize.js';
import type { ObservedContainer } from '../../../src/plan/observed-state.js';
import type { Plan } from '../../../src/plan/plan.js';
import type { Service } from '../../../src/model/project.js';
import { container, facts, observed, project, service, type ServiceInput, planOf } from './builders.js';

const db = (extra: ServiceInput = {}) =>
  service('db', {
    command: ['httpd', '-f', '-p', '8080'],
    ports: [{ target: 8080, published: '18080', protocol: 'tcp' }],
    healthcheck: { test: ['CMD', 'true'], interval: '1s', retries: 3 },
    ...extra,
  });
const web = (extra: ServiceInput = {}) =>
  service('web', {
    platform: 'windows',
    environment: { DB_HOST: '{{ db.host }}', DB_PORT: '{{ db.port:8080 }}' },
    depends_on: { db: { condition: 'service_healthy', required: true, restart: false } },
    ...extra,
  });
const NETWORKS = [
  { id: 'n1', name: 'shop_default', platform: 'linux' as const, driver: 'bridge', subnets: [], labels: {} },
  { id: 'n2', name: 'shop_default', platform: 'windows' as const, driver: 'bridge', subnets: [], labels: {} },
];
const cache = service('cache', { command: ['sleep', '3600'] });
const mixed = () => project([db(), web(), cache]);

/** What the daemons would hold after executing `plan`: one running container per create, IPs made up. */
function afterRun(plan: Plan): ObservedContainer[] {
  const ips = new Map<string, string>();
  let n = 1;
  for (const op of plan.operations) if (op.kind === 'start-container') ips.set(op.id, `10.${op.daemon === 'linux' ? 201 : 202}.0.${++n}`);
  return plan.operations.flatMap((op) => {
    if (op.kind !== 'create-container') return [];
    const spec = materializeSpec(op.spec, (r) => ips.get(r.ipOf))!;
    const ip = ips.get(`start:${op.service}:${op.number}`)!;
    return [
      container({
        service: op.service,
        number: op.number,
        platform: op.daemon,
        name: op.name,
        configHash: spec.hash,
        labels: spec.body.Labels as Record<string, string>,
        ips: { shop_default: ip },
      }),
    ];
  });
}

describe('reconcile up', () => {
  it('plans a fresh mixed stack: resolver, parallel creates, waits across daemons', () => {
    expect(debugPlan(planOf(mixed(), observed()))).toMatchInlineSnapshot(`
      "up shop
      placement linux=linux windows=windows
      reach linux=ip (configured); windows=ip (configured)
      resolver
      network:linux:default create-network @linux driver=bridge ifExists=adopt-labelled({com.docker.compose.project=shop}) key=default name=shop_default
      create:mixcompose-resolver:1 create-container @linux image=mixcompose/resolver:0.1.0 name=shop-mixcompose-resolver platform=linux reason=new <- network:linux:default
      network:windows:default create-network @windows driver=bridge ifExists=adopt-labelled({com.docker.compose.project=shop}) key=default name=shop_default readGateway=true
      start:mixcompose-resolver:1 start-container @linux container=<create:mixcompose-resolver:1> explainFailure=resolver-bind inspect=true name=shop-mixcompose-resolver platform=linux <- create:mixcompose-resolver:1
      create:cache:1 create-container @linux image=mixcompose-test/busybox:latest subs=[{{ mixcompose.resolver.ip }}=<ip start:mixcompose-resolver:1 shop_default>] name=shop-cache-1 platform=linux reason=new <- network:linux:default start:mixcompose-resolver:1
      create:db:1 create-container @linux image=mixcompose-test/busybox:latest subs=[{{ mixcompose.resolver.ip }}=<ip start:mixcompose-resolver:1 shop_default>] name=shop-db-1 platform=linux reason=new <- network:linux:default start:mixcompose-resolver:1
      hosts:mixcompose-host-gateway register-hosts @linux askers=windows dir=/etc/mixcompose-hosts file=mixcompose-host-gateway ifNoAddress=skip ip=<gateway network:windows:default> names=[host.docker.internal] reason=the windows daemon's gateway on shop_default resolver=<create:mixcompose-resolver:1> <- network:windows:default start:mixcompose-resolver:1
      start:cache:1 start-container @linux container=<create:cache:1> inspect=false name=shop-cache-1 platform=linux <- create:cache:1
      start:db:1 start-container @linux container=<create:db:1> inspect=true name=shop-db-1 platform=linux <- create:db:1
      create:web:1 create-container @windows image=mixcompose-test/busybox:latest subs=[{{ mixcompose.resolver.ip }}=<ip start:mixcompose-resolver:1 shop_default>, {{ db.host }}=<ip start:db:1 shop_default>, {{ db.port:8080 }}=8080] name=shop-web-1 platform=windows reason=new <- network:windows:default start:db:1 start:mixcompose-resolver:1
      wait:db:1:healthy wait @linux condition=healthy container=<create:db:1> name=shop-db-1 platform=linux timeoutMs=300000 waiter=web <- start:db:1
      start:web:1 start-container @windows container=<create:web:1> inspect=true name=shop-web-1 platform=windows <- create:web:1 start:db:1 wait:db:1:healthy
      hosts:web:1 register-hosts @linux file=web-1 ifNoAddress=skip ip=<ip start:web:1 shop_default> names=[web shop-web-1] resolver=<create:mixcompose-resolver:1> <- start:mixcompose-resolver:1 start:web:1
      "
    `);
  });

  it('plans nothing when everything runs with the same config (idempotent)', () => {
    const first = planOf(mixed(), observed());
    const state = observed({ containers: afterRun(first), networks: NETWORKS });
    const second = planOf(mixed(), state);
    expect(debugPlan(second)).toMatchInlineSnapshot(`
      "up shop
      placement linux=linux windows=windows
      reach linux=ip (configured); windows=ip (configured)
      resolver
      "
    `);
  });

  it('recreates a changed service and the consumers of its address, nothing else', () => {
    const first = planOf(mixed(), observed());
    const state = observed({ containers: afterRun(first), networks: NETWORKS });
    const changed = project([db({ environment: { MODE: 'fast' } }), web(), cache]);
    const plan = planOf(changed, state);
    const creates = plan.operations.filter((op) => op.kind === 'create-container').map((op) => `${op.name}: ${'reason' in op ? op.reason : ''}`);
    expect(creates).toEqual(['shop-db-1: config changed', 'shop-web-1: if its addresses changed']);
    expect(plan.operations.some((op) => 'service' in op && op.service === 'cache')).toBe(false);
    // web is replaced only if db comes back with another address: no unconditional stop/remove of it.
    expect(plan.operations.filter((op) => 'service' in op && op.service === 'web').map((op) => op.id)).toEqual(['create:web:1', 'start:web:1', 'hosts:web:1']);
    const create = plan.operations.find((op) => op.id === 'create:web:1');
    expect(create?.kind === 'create-container' && create.replaces).toMatchObject({ id: 'web1'.padEnd(64, '0'), running: true, timeoutSeconds: 10 });
  });

  it('knows a consumer whose own config changed is recreated, though its addresses are known only at run time (QA2 R7)', () => {
    const first = planOf(mixed(), observed());
    const before = afterRun(first);
    const env = { DB_HOST: '{{ db.host }}', DB_PORT: '{{ db.port:8080 }}', MODE: 'fast' };
    const changed = project([db({ environment: { MODE: 'fast' } }), web({ environment: env }), cache]);
    const reasons = (containers: ObservedContainer[]) =>
      planOf(changed, observed({ containers, networks: NETWORKS }))
        .operations.filter((op) => op.kind === 'create-container')
        .map((op) => `${op.name}: ${'reason' in op ? op.reason : ''}${op.kind === 'create-container' && op.replaces ? ' (conditional)' : ''}`);
    expect(reasons(before)).toEqual(['shop-db-1: config changed', 'shop-web-1: config changed']);
    // A container made before the template label: as before, the executor decides.
    const unlabelled = before.map((c) => ({ ...c, labels: Object.fromEntries(Object.entries(c.labels).filter(([k]) => k !== 'io.mixcompose.template-hash')) }));
    expect(reasons(unlabelled)).toEqual(['shop-db-1: config changed', 'shop-web-1: if its addresses changed (conditional)']);
  });

  it('words a conditional recreate and the start that a kept running container does not need (QA2 R7)', () => {
    const first = planOf(mixed(), observed());
    const state = observed({ containers: afterRun(first), networks: NETWORKS });
    const lines = formatPlan(planOf(project([db({ environment: { MODE: 'fast' } }), web(), cache]), state)).split('\n');
    expect(lines.filter((l) => l.includes('shop-web-1') && !l.includes('register'))).toEqual([
      '  5. [windows] recreate container shop-web-1 if its config changed, else keep it (decided once db:1 has an address) with {{ mixcompose.resolver.ip }}=10.201.0.2, {{ db.host }}=<ip of db:1 on shop_default>, {{ db.port:8080 }}=8080  after 4',
      '  7. [windows] start container shop-web-1 (if recreated; a kept one is running)  after 4,5,6',
    ]);
  });

  it('after stop, up starts the containers and keeps a consumer unless its resolved addresses change (Q8)', () => {
    const first = planOf(mixed(), observed());
    const stopped = afterRun(first).map((c) =>
      c.service === 'db' || c.service === 'web' ? { ...c, status: 'exited' as const, ips: {} } : c,
    );
    const plan = planOf(mixed(), observed({ containers: stopped, networks: NETWORKS }));
    expect(plan.operations.some((op) => op.kind === 'remove-container' || op.kind === 'stop-container')).toBe(false);
    expect(debugPlan(plan)).toMatchInlineSnapshot(`
      "up shop
      placement linux=linux windows=windows
      reach linux=ip (configured); windows=ip (configured)
      resolver
      start:db:1 start-container @linux container=db1000000000 inspect=true name=shop-db-1 platform=linux
      create:web:1 create-container @windows image=mixcompose-test/busybox:latest subs=[{{ mixcompose.resolver.ip }}=10.201.0.2, {{ db.host }}=<ip start:db:1 shop_default>, {{ db.port:8080 }}=8080] name=shop-web-1 platform=windows reason=if its addresses changed replaces={configHash=f5a9fe6b8240 id=web1000000000000000000000000000000000000000000000000000000000000 killWaitSeconds=80 running=false stuck=fail timeoutSeconds=10} <- start:db:1
      wait:db:1:healthy wait @linux condition=healthy container=db1000000000 name=shop-db-1 platform=linux timeoutMs=300000 waiter=web <- start:db:1
      start:web:1 start-container @windows container=<create:web:1> inspect=true name=shop-web-1 platform=windows <- create:web:1 start:db:1 wait:db:1:healthy
      hosts:web:1 register-hosts @linux file=web-1 ifNoAddress=skip ip=<ip start:web:1 shop_default> names=[web shop-web-1] resolver=mixcompose-r <- start:web:1
      "
    `);
  });

  it('stops a consumer before its provider when both are recreated (Q9)', () => {
    const first = planOf(mixed(), observed());
    const state = observed({ containers: afterRun(first), networks: NETWORKS });
    const plan = planOf(mixed(), state, { forceRecreate: true });
    const stopDb = plan.operations.find((op) => op.id === 'stop:db:1')!;
    expect(plan.operations.find((op) => op.id === 'stop:web:1')).toBeDefined();
    expect(stopDb.deps).toContain('stop:web:1');
    // cache depends on nothing and nothing on it: it stops at once.
    expect(plan.operations.find((op) => op.id === 'stop:cache:1')!.deps).toEqual([]);
  });

  it('joins ipc / pid `service:x` namespaces by container, after x is created, on x\'s daemon only (like network_mode)', () => {
    const sidecar = service('sidecar', { command: ['sleep', '1'], ipc: 'service:cache', pid: 'service:cache' });
    const plan = planOf(project([cache, sidecar]), observed());
    const create = plan.operations.find((op) => op.id === 'create:sidecar:1');
    expect(create?.deps).toContain('create:cache:1');
    const host = create?.kind === 'create-container' ? (create.spec.body.HostConfig as Record<string, unknown>) : {};
    expect(host).toMatchObject({ IpcMode: 'container:shop-cache-1', PidMode: 'container:shop-cache-1' });
    const across = service('sidecar', { platform: 'windows', command: ['x'], pid: 'service:cache' });
    expect(() => planOf(project([cache, across]), observed())).toThrow(/sidecar shares a container with cache, which runs on the other daemon/);
  });

  it('refuses service_healthy on a dependency without a healthcheck', () => {
    const p = project([db({ healthcheck: undefined }), web()]);
    // Returned, not thrown: the plan has no operations to run.
    const { plan, problems } = reconcile(p, observed());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBeInstanceOf(PlanError);
    expect(problems[0]!.message).toMatch(/web depends on db with condition service_healthy, but db has no healthcheck/);
    expect(plan.operations).toEqual([]);
  });

  it('finds a missing resolver image while planning: a problem, or with a builder an operation the resolver\'s create waits for', () => {
    const missing = observed({ helperImages: [{ platform: 'linux', reference: 'mixcompose/resolver:0.1.0', present: false }] });
    const { problems } = reconcile(mixed(), missing);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^the project resolver image mixcompose\/resolver:0\.1\.0 is not on the linux daemon \(linux \(/)]);
    const plan = planOf(mixed(), missing, { buildHelperImages: true });
    expect(plan.operations.find((op) => op.kind === 'ensure-helper-image')).toMatchObject({ id: 'helper-image:linux:resolver', daemon: 'linux', image: 'mixcompose/resolver:0.1.0', deps: [] });
    expect(plan.operations.find((op) => op.id === 'create:mixcompose-resolver:1')!.deps).toContain('helper-image:linux:resolver');
    // Nothing else waits for it: the services' creates wait for the resolver's start as before.
    expect(plan.operations.filter((op) => op.deps.includes('helper-image:linux:resolver')).map((op) => op.id)).toEqual(['create:mixcompose-resolver:1']);
    const present = observed({ helperImages: [{ platform: 'linux', reference: 'mixcompose/resolver:0.1.0', present: true }] });
    expect(reconcile(mixed(), present).problems).toEqual([]);
    expect(planOf(mixed(), present, { buildHelperImages: true }).operations.some((op) => op.kind === 'ensure-helper-image')).toBe(false);
    // An image the user named is theirs to provide: mixcompose builds only its own.
    const theirs = { ...mixed(), extension: { ...mixed().extension, resolver: { image: 'corp/dns:1' } } };
    const theirsMissing = observed({ helperImages: [{ platform: 'linux', reference: 'corp/dns:1', present: false }] });
    expect(reconcile(theirs, theirsMissing, { buildHelperImages: true }).problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^the project resolver image corp\/dns:1 is not on the linux daemon .*unset MIXCOMPOSE_RESOLVER_IMAGE/),
    ]);
  });

  it('uses the daemon address and the published port when reach is published', () => {
    const p = project([db(), web()], {}, { linux: { reach: 'published', address: '192.0.2.10' } });
    const plan = planOf(p, observed());
    const create = plan.operations.find((op) => op.id === 'create:web:1');
    const subs = create && create.kind === 'create-container' ? create.spec.substitutions : [];
    // Names still cross: windows containers ask the resolver at the linux daemon's address (test/unit/plan/resolver-published.test.ts).
    expect(plan.resolver).toBe(true);
    expect(subs).toEqual([
      { text: '{{ mixcompose.resolver.ip }}', value: '192.0.2.10' },
      { text: '{{ db.host }}', value: '192.0.2.10' },
      { text: '{{ db.port:8080 }}', value: '18080' },
    ]);
  });

  it('errors at plan time when published reach needs a port that is not published', () => {
    const p = project([db({ ports: [] }), web()], {}, { linux: { reach: 'published', address: '192.0.2.10' } });
    expect(() => planOf(p, observed())).toThrow(/port 8080 of db is not published on a fixed host port/);
    const noAddress = project([db(), web()], {}, { linux: { reach: 'published' } });
    expect(() => planOf(noAddress, observed())).toThrow(/x-mixcompose.daemons.linux.address is not set/);
  });

  it('auto reach takes the probe result and says so', () => {
    const p = project([db(), web()], {}, { linux: { reach: 'auto', address: '192.0.2.10' }, windows: { reach: 'auto' } });
    const plan = planOf(p, observed(), { probedReach: { linux: 'published' } });
    expect(formatPlan(plan)).toContain('reach linux containers from the other daemon: published (auto: probe)');
    expect(formatPlan(plan)).toContain('reach windows containers from the other daemon: ip (auto: daemons on one machine; not probed yet (up probes))');
  });

  it('puts both platforms on one daemon when they share it, with no resolver and names for addresses', () => {
    const shared = observed({ daemons: { linux: facts('linux', { sharedWith: 'windows' }), windows: facts('windows', { sharedWith: 'linux' }) } });
    expect(debugPlan(planOf(mixed(), shared))).toMatchInlineSnapshot(`
      "up shop
      placement linux=linux windows=linux
      network:linux:default create-network @linux driver=bridge ifExists=adopt-labelled({com.docker.compose.project=shop}) key=default name=shop_default
      create:cache:1 create-container @linux image=mixcompose-test/busybox:latest name=shop-cache-1 platform=linux reason=new <- network:linux:default
      create:db:1 create-container @linux image=mixcompose-test/busybox:latest name=shop-db-1 platform=linux reason=new <- network:linux:default
      create:web:1 create-container @linux image=mixcompose-test/busybox:latest subs=[{{ db.host }}=db, {{ db.port:8080 }}=8080] name=shop-web-1 platform=windows reason=new <- network:linux:default
      start:cache:1 start-container @linux container=<create:cache:1> inspect=false name=shop-cache-1 platform=linux <- create:cache:1
      start:db:1 start-container @linux container=<create:db:1> inspect=false name=shop-db-1 platform=linux <- create:db:1
      wait:db:1:healthy wait @linux condition=healthy container=<create:db:1> name=shop-db-1 platform=linux timeoutMs=300000 waiter=web <- start:db:1
      start:web:1 start-container @linux container=<create:web:1> inspect=false name=shop-web-1 platform=windows <- create:web:1 start:db:1 wait:db:1:healthy
      "
    `);
  });

  it('names only the platforms in use in the header, without reach lines for one daemon (Q5)', () => {
    const text = formatPlan(planOf(project([cache]), observed({ daemons: { linux: facts('linux') } })));
    expect(text.split('\n').slice(0, 2)).toEqual(['up project shop: linux → linux daemon', 'names across daemons: not needed']);
    const win = formatPlan(planOf(project([service('w', { platform: 'windows', command: ['x'] })]), observed({ daemons: { windows: facts('windows') } })));
    expect(win.split('\n')[0]).toBe('up project shop: windows → windows daemon');
  });

  it('uses nat for windows networks when the daemon lists it, unless the file says otherwise', () => {
    const nat = observed({ daemons: { linux: facts('linux'), windows: facts('windows', { osType: 'windows', networkDrivers: ['ics', 'nat', 'transparent'] }) } });
    const plan = planOf(mixed(), nat);
    const net = plan.operations.find((op) => op.id === 'network:windows:default');
    expect(net && net.kind === 'create-network' && net.body.Driver).toBe('nat');
    const fileDriver = project([db(), web(), cache], { networks: { default: { name: 'shop_default', driver: 'transparent' } } });
    const net2 = planOf(fileDriver, nat).operations.find((op) => op.id === 'network:windows:default');
    expect(net2 && net2.kind === 'create-network' && net2.body.Driver).toBe('transparent');
  });

  it('removes orphans only when asked, warns otherwise', () => {
    const orphan = container({ service: 'old', platform: 'windows', status: 'running' });
    const warned = planOf(project([cache]), observed({ containers: [orphan] }));
    expect(warned.warnings.join('\n')).toContain('found orphan container shop-old-1 (service old) on the windows daemon');
    expect(warned.operations.some((op) => op.kind === 'remove-container')).toBe(false);
    const removed = planOf(project([cache]), observed({ containers: [orphan] }), { removeOrphans: true });
    expect(removed.operations.filter((op) => ('service' in op && op.service === 'old') || ('name' in op && op.name === 'shop-old-1')).map((op) => op.id)).toEqual(['stop:old:1', 'remove:old:1']);
  });

  it('plans replicas for scale and removes the ones above it', () => {
    const scaled = project([service('worker', { scale: 2, command: ['sleep', '1'] })]);
    const plan = planOf(scaled, observed({ daemons: { linux: facts('linux') } }));
    expect(plan.operations.filter((op) => op.kind === 'create-container').map((op) => ('name' in op ? op.name : ''))).toEqual(['shop-worker-1', 'shop-worker-2']);
    const down = planOf(project([service('worker', { scale: 1, command: ['sleep', '1'] })]), observed({ daemons: { linux: facts('linux') }, containers: afterRun(plan), networks: NETWORKS }));
    expect(down.operations.map((op) => op.id)).toEqual(['stop:worker:2', 'remove:worker:2']);
  });

  it('restarts a kept dependant with restart: true when its dependency is recreated', () => {
    const api = service('api', { command: ['sleep', '1'], depends_on: { cache: { condition: 'service_started', required: true, restart: true } } });
    const first = planOf(project([cache, api]), observed({ daemons: { linux: facts('linux') } }));
    const state = observed({ daemons: { linux: facts('linux') }, containers: afterRun(first), networks: NETWORKS });
    const plan = planOf(project([service('cache', { command: ['sleep', '7200'] }), api]), state);
    expect(plan.operations.map((op) => op.id)).toEqual(['stop:cache:1', 'remove:cache:1', 'create:cache:1', 'start:cache:1', 'restart:api:1']);
    expect(plan.operations.find((op) => op.id === 'restart:api:1')!.deps).toEqual(['start:cache:1']);
  });

  it('names the unknown service of --services', () => {
    expect(() => planOf(mixed(), observed(), { services: ['nope'] })).toThrow('no such service: nope');
  });
});


describe('reach for auto without a probe', () => {
  it('decides from where the daemons are', async () => {
    const { reachFromEndpoints } = await import('../../../src/plan/reconcile-up.js');
    expect(reachFromEndpoints('npipe:////./pipe/docker_engine_linux', 'npipe:////./pipe/docker_engine_windows')).toEqual({ reach: 'published', why: 'auto: Docker Desktop engines' });
    expect(reachFromEndpoints('unix:///run/a.sock', 'unix:///run/b.sock')).toEqual({ reach: 'ip', why: 'auto: daemons on one machine' });
    expect(reachFromEndpoints('tcp://winhost:2376', 'ssh://me@linuxhost')).toEqual({ reach: 'published', why: 'auto: daemons on different machines' });
    expect(reachFromEndpoints('tcp://build01:2376', 'ssh://me@build01')).toEqual({ reach: 'ip', why: 'auto: daemons on one machine' });
    expect(reachFromEndpoints('tcp://127.0.0.1:2375', 'unix:///var/run/docker.sock')).toEqual({ reach: 'ip', why: 'auto: daemons on one machine' });
  });
});
