/**
 * The reach probe as an operation of the plan (plan/probe-plan.ts): what waits for its answer and
 * what does not, the variants per outcome, and problems of some outcomes only. Pure, no daemon.
 */
import { describe, expect, it } from 'vitest';
import { debugPlan } from '../../../src/plan/debug-plan.js';
import type { ByReachOp, Operation, Plan, ProbeReachOp } from '../../../src/plan/plan.js';
import { reconcile } from '../../../src/plan/reconcile.js';
import { probeOutcomes, reachOutcomeKey } from '../../../src/plan/reach.js';
import type { Project } from '../../../src/model/project.js';
import { observed, project, service } from './builders.js';

const AUTO = { linux: { reach: 'auto' as const, address: '192.0.2.1' }, windows: { reach: 'auto' as const, address: '192.0.2.2' } };
const db = service('db', { command: ['sleep', '3600'], ports: [{ target: 5432, published: '5432', protocol: 'tcp', mode: 'host' }] as never });
const cache = service('cache', { command: ['sleep', '3600'] });
// web (windows) uses db (linux) across the daemons.
const web = service('web', { platform: 'windows', environment: { DB: '{{ db.host }}:{{ db.port:5432 }}' } });

function withoutResolver(services = [db, cache, web]): Project {
  const p = project(services, {}, AUTO);
  return { ...p, extension: { ...p.extension, resolver: { enabled: false } } };
}

function probingPlan(p = withoutResolver()): Plan {
  const { plan, problems } = reconcile(p, observed(), { command: 'up', probeReach: true });
  expect(problems).toEqual([]);
  return plan;
}

const op = (plan: Plan, id: string): Operation => plan.operations.find((o) => o.id === id)!;

describe('outcome keys', () => {
  it('one per answer of the probed platforms, and one for a probe that could not run', () => {
    expect(probeOutcomes(['windows', 'linux']).map((o) => o.key)).toEqual([
      'linux=ip windows=ip',
      'linux=ip windows=published',
      'linux=published windows=ip',
      'linux=published windows=published',
      'could-not-run',
    ]);
    expect(probeOutcomes(['windows']).map((o) => o.key)).toEqual(['windows=ip', 'windows=published', 'could-not-run']);
    expect(reachOutcomeKey(['windows'], { linux: 'published', windows: 'ip' })).toBe('windows=ip');
    expect(reachOutcomeKey(['windows'])).toBe('could-not-run');
  });
});

describe('the probe as an operation of the plan', () => {
  it('runs first, beside networks and the containers no other daemon consumes; the cross-daemon consumer waits for it', () => {
    const plan = probingPlan();
    const probe = op(plan, 'reach-probe') as ProbeReachOp;
    expect(probe.kind).toBe('probe-reach');
    // Its two ends start at once (each its own operation); it pings once both have.
    expect(probe.deps).toEqual(['reach-probe:linux', 'reach-probe:windows']);
    // Each end joins the project's network on its daemon (made beside it), not a network of its own.
    for (const side of ['linux', 'windows'] as const) {
      const end = op(plan, `reach-probe:${side}`) as ProbeReachOp;
      expect(end).toMatchObject({ kind: 'probe-reach', side, daemon: side, deps: [`network:${side}:default`], network: 'shop_default' });
      expect(probe[`${side}Peer`]).toEqual({ container: { createdBy: end.id }, startedBy: end.id, network: 'shop_default' });
    }
    expect(probe.platforms).toEqual(['linux', 'windows']);
    expect(Object.keys(probe.outcomes).sort()).toEqual(['could-not-run', 'linux=ip windows=ip', 'linux=ip windows=published', 'linux=published windows=ip', 'linux=published windows=published']);
    // Nothing else waits for it, except what holds the answer.
    for (const id of ['network:linux:default', 'network:windows:default', 'create:cache:1', 'start:cache:1', 'create:db:1', 'start:db:1']) {
      expect(op(plan, id).kind).not.toBe('by-reach');
      expect(op(plan, id).deps).not.toContain('reach-probe');
    }
    const webCreate = op(plan, 'create:web:1') as ByReachOp;
    expect(webCreate.kind).toBe('by-reach');
    expect(webCreate.deps).toEqual(['reach-probe']);
    // Each variant holds its address: db's IP under ip reach of linux, the linux address under published.
    const envOf = (key: string) => {
      const v = webCreate.variants[key]!;
      return v.kind === 'create-container' ? v.spec.substitutions.map((s) => `${s.text}=${s.value ?? `<${s.runtime!.ipOf}>`}`) : [];
    };
    expect(envOf('linux=ip windows=ip')).toEqual(['{{ db.host }}=<start:db:1>', '{{ db.port:5432 }}=5432']);
    expect(envOf('linux=published windows=ip')).toEqual(['{{ db.host }}=192.0.2.1', '{{ db.port:5432 }}=5432']);
    // Under the fallback (the endpoints' guess: one machine, so ip) as under ip.
    expect(envOf('could-not-run')).toEqual(envOf('linux=ip windows=ip'));
    // Its variant waits for db's start only where it needs db's IP.
    expect(webCreate.variants['linux=ip windows=ip']!.deps).toContain('start:db:1');
    expect(webCreate.variants['linux=published windows=ip']!.deps).not.toContain('start:db:1');
  });

  it('debugPlan shows the probe, its outcomes, and each variant of a by-reach operation', () => {
    const text = debugPlan(probingPlan());
    expect(text).toContain('reach linux=ip (auto: probe (runs with up)); windows=ip (auto: probe (runs with up))');
    expect(text).toContain(
      'reach-probe probe-reach @linux platforms=[linux windows] linuxPeer=<ip reach-probe:linux shop_default> windowsPeer=<ip reach-probe:windows shop_default> <- reach-probe:linux reach-probe:windows\n  outcome could-not-run\n  outcome linux=ip windows=ip\n',
    );
    expect(text).toContain('\nreach-probe:windows probe-reach @windows side=windows network=shop_default platforms=[linux windows] <- network:windows:default\n');
    expect(text).toMatch(/\ncreate:web:1 by-reach @windows <- reach-probe\n {2}\[could-not-run\] create:web:1 create-container @windows image=mixcompose-test\/busybox:latest subs=\[\{\{ db.host \}\}=<ip start:db:1 shop_default>, \{\{ db.port:5432 \}\}=5432\] .* <- network:windows:default start:db:1\n/);
    expect(text).toContain('\n  [linux=published windows=ip] create:web:1 create-container @windows image=mixcompose-test/busybox:latest subs=[{{ db.host }}=192.0.2.1, {{ db.port:5432 }}=5432]');
    expect(text).toMatch(/\ncreate:cache:1 create-container @linux .*<- network:linux:default\n/);
  });

  it('the resolver whose layout depends on reach waits for the probe; networks and services do not; the answer is recorded on the reach record', () => {
    const plan = probingPlan(project([db, cache, web], {}, AUTO));
    expect(op(plan, 'create:mixcompose-resolver:1').kind).toBe('by-reach');
    expect(op(plan, 'network:linux:default').deps).toEqual([]);
    const labelsOf = (id: string, key: string) => {
      const v = (op(plan, id) as ByReachOp).variants[key]!;
      return v.kind === 'create-container' ? (v.spec.body.Labels as Record<string, string>) : {};
    };
    expect(labelsOf('create:mixcompose-resolver:1', 'linux=ip windows=published')['io.mixcompose.reach.windows']).toBeUndefined();
    // The service containers do not wait for the answer (but web, whose body holds db's address); one record holds it.
    expect(op(plan, 'create:cache:1')).toMatchObject({ kind: 'create-container', deps: ['network:linux:default', 'start:mixcompose-resolver:1'] });
    expect(op(plan, 'create:web:1').kind).toBe('by-reach');
    expect(labelsOf('create:web:1', 'linux=ip windows=published')['io.mixcompose.reach.windows']).toBeUndefined();
    expect(op(plan, 'create:mixcompose-reach-record:1').deps).toEqual(['reach-probe']);
    expect(labelsOf('create:mixcompose-reach-record:1', 'linux=ip windows=ip')['io.mixcompose.reach.windows']).toBe('ip');
    expect(labelsOf('create:mixcompose-reach-record:1', 'linux=ip windows=published')['io.mixcompose.reach.windows']).toBe('published');
    expect(labelsOf('create:mixcompose-reach-record:1', 'could-not-run')['io.mixcompose.reach-probe']).toBe('could-not-run');
    // The resolver image to build first: the probe (which probes with it on linux) waits for that build, nothing else does.
    const helperImages = [{ platform: 'linux' as const, reference: 'mixcompose/resolver:0.1.0', present: false }];
    const building = reconcile(project([db, cache, web], {}, AUTO), observed({ helperImages }), { command: 'up', probeReach: true, buildHelperImages: true }).plan;
    expect(op(building, 'reach-probe:linux').deps).toEqual(['helper-image:linux:resolver', 'network:linux:default']);
    expect(op(building, 'reach-probe:windows').deps).toEqual(['network:windows:default']);
    expect(op(building, 'helper-image:linux:resolver').deps).toEqual([]);
    // The resolver waits for the answer here: the probe cannot ping from it (a throw-away container instead).
    expect((op(building, 'reach-probe') as ProbeReachOp).linuxPeer?.startedBy).toBe('reach-probe:linux');
  });

  it('problems of some outcomes only: that outcome carries them; what is the same under the others runs beside the probe', () => {
    // db publishes no port: reached by published reach, web's {{ db.port:5432 }} has no host port.
    const hidden = service('db', { command: ['sleep', '3600'] });
    const plan = probingPlan(withoutResolver([hidden, cache, web]));
    const probe = op(plan, 'reach-probe') as ProbeReachOp;
    expect(probe.outcomes['linux=ip windows=ip']!.problems).toEqual([]);
    expect(probe.outcomes['linux=published windows=ip']!.problems.join('\n')).toContain('port 5432 of db is not published');
    for (const id of ['create:db:1', 'create:cache:1', 'start:db:1']) expect(op(plan, id).deps).not.toContain('reach-probe');
    expect(op(plan, 'create:web:1')).toMatchObject({ kind: 'by-reach', deps: ['reach-probe'] });
  });

  it('golden: the rig\'s case (no daemon address, so every published answer has problems): the probe pings between the resolver and the windows chain head, no container of its own; the services run beside it; one record holds the answer', () => {
    // The bench stack's shape: a chain per daemon, names across daemons (the resolver), reach auto, no address.
    const noAddress = { linux: { reach: 'auto' as const }, windows: { reach: 'auto' as const } };
    const a1 = service('a1', { command: ['sleep', '3600'] });
    const a2 = service('a2', { command: ['sleep', '3600'], depends_on: { a1: { condition: 'service_started', required: true, restart: false } } });
    const c1 = service('c1', { platform: 'windows', command: ['sleep', '3600'] });
    const c2 = service('c2', { platform: 'windows', command: ['sleep', '3600'], depends_on: { c1: { condition: 'service_started', required: true, restart: false } } });
    const helperImages = [{ platform: 'linux' as const, reference: 'mixcompose/resolver:0.1.0', present: false }];
    const { plan, problems } = reconcile(project([a1, a2, c1, c2], {}, noAddress), observed({ helperImages }), { command: 'up', probeReach: true, buildHelperImages: true });
    expect(problems).toEqual([]);
    const probe = op(plan, 'reach-probe') as ProbeReachOp;
    expect(probe.outcomes['linux=ip windows=published']!.problems.join('\n')).toContain('x-mixcompose.daemons.windows.address is not set');
    // One line per operation: its id, kind and dependencies (the variants of by-reach operations left out).
    const lines = debugPlan(plan)
      .split('\n')
      .filter((l) => /^\S/.test(l) && !/^(project|reach |placement|platforms|resolver |warning)/.test(l))
      .map((l) => l.replace(/ (image|spec|body|subs|name|reason|inspect|platforms|files)=.*?(?= <-|$)/, ''));
    expect(lines.join('\n')).toMatchInlineSnapshot(`
      "up shop
      resolver
      helper-image:linux:resolver ensure-helper-image @linux
      network:linux:default create-network @linux driver=bridge ifExists=adopt-labelled({com.docker.compose.project=shop}) key=default
      create:mixcompose-resolver:1 create-container @linux <- helper-image:linux:resolver network:linux:default
      network:windows:default create-network @windows driver=bridge ifExists=adopt-labelled({com.docker.compose.project=shop}) key=default
      start:mixcompose-resolver:1 start-container @linux container=<create:mixcompose-resolver:1> explainFailure=resolver-bind <- create:mixcompose-resolver:1
      create:a1:1 create-container @linux <- network:linux:default start:mixcompose-resolver:1
      create:a2:1 create-container @linux <- network:linux:default start:mixcompose-resolver:1
      create:c1:1 create-container @windows <- network:windows:default start:mixcompose-resolver:1
      create:c2:1 create-container @windows <- network:windows:default start:mixcompose-resolver:1
      hosts:mixcompose-host-gateway register-hosts @linux askers=windows dir=/etc/mixcompose-hosts file=mixcompose-host-gateway ifNoAddress=skip ip=<gateway network:windows:default> names=[host.docker.internal] <- network:windows:default start:mixcompose-resolver:1
      start:a1:1 start-container @linux container=<create:a1:1> <- create:a1:1
      start:a2:1 start-container @linux container=<create:a2:1> <- create:a2:1 start:a1:1
      start:c1:1 start-container @windows container=<create:c1:1> <- create:c1:1
      hosts:c1:1 register-hosts @linux file=c1-1 ifNoAddress=skip ip=<ip start:c1:1 shop_default> names=[c1 shop-c1-1] resolver=<create:mixcompose-resolver:1> <- start:c1:1 start:mixcompose-resolver:1
      reach-probe probe-reach @linux <- start:c1:1 start:mixcompose-resolver:1
      create:mixcompose-reach-record:1 by-reach @linux <- reach-probe
      start:c2:1 start-container @windows container=<create:c2:1> <- create:c2:1 start:c1:1
      hosts:c2:1 register-hosts @linux file=c2-1 ifNoAddress=skip ip=<ip start:c2:1 shop_default> names=[c2 shop-c2-1] resolver=<create:mixcompose-resolver:1> <- start:c2:1 start:mixcompose-resolver:1"
    `);
    // No throw-away end, no network of the probe: the windows chain head is its windows end.
    expect(plan.operations.filter((o) => o.kind === 'probe-reach').map((o) => o.id)).toEqual(['reach-probe']);
    expect(probe.windowsPeer).toEqual({ container: { createdBy: 'create:c1:1' }, startedBy: 'start:c1:1', network: 'shop_default' });
    expect(probe.windowsFallback).toEqual({ network: 'shop_default' });
    expect(probe.linuxPeer).toEqual({ container: { createdBy: 'create:mixcompose-resolver:1' }, startedBy: 'start:mixcompose-resolver:1', network: 'shop_default', pingBy: 'hosts-reader' });
    expect(probe.deps).toEqual(['start:c1:1', 'start:mixcompose-resolver:1']);
    // Every service (the same under each answer without problems) runs beside the probe, c1's start
    // inspecting (its address is the probe's).
    for (const id of ['create:c1:1', 'start:c1:1', 'network:windows:default', 'create:mixcompose-resolver:1', 'start:mixcompose-resolver:1', 'create:a1:1', 'start:a2:1', 'create:c2:1']) {
      expect(op(plan, id).kind).not.toBe('by-reach');
      expect(op(plan, id).deps).not.toContain('reach-probe');
    }
    expect(op(plan, 'start:c1:1')).toMatchObject({ inspect: true });
    // The answer goes on one never-started container; no service container carries it.
    const record = op(plan, 'create:mixcompose-reach-record:1') as ByReachOp;
    const recorded = record.variants['linux=ip windows=ip']!;
    expect(recorded.kind === 'create-container' && (recorded.spec.body.Labels as Record<string, string>)['io.mixcompose.reach.windows']).toBe('ip');
    for (const id of ['create:a1:1', 'create:c1:1']) {
      const body = (op(plan, id) as unknown as { spec: { body: { Labels: Record<string, string> } } }).spec.body;
      expect(Object.keys(body.Labels).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
    }
    // A probe image of the user's on windows: its throw-away end there (on the project's network), as before.
    const own = project([a1, a2, c1, c2], {}, { ...noAddress, windows: { reach: 'auto' as const, probe_image: 'busybox:1' } });
    const withImage = reconcile(own, observed({ helperImages }), { command: 'up', probeReach: true, buildHelperImages: true }).plan;
    expect((op(withImage, 'reach-probe') as ProbeReachOp).windowsPeer?.startedBy).toBe('reach-probe:windows');
    expect(op(withImage, 'reach-probe:windows')).toMatchObject({ network: 'shop_default', deps: ['network:windows:default'] });
    expect((op(withImage, 'reach-probe') as ProbeReachOp).windowsFallback).toBeUndefined();
  });

  it('without problems in any answer, no service container waits for the probe; a windows service whose body depends on the answer is no peer', () => {
    const c1 = service('c1', { platform: 'windows', command: ['sleep', '3600'] });
    const plan = probingPlan(withoutResolver([db, cache, web, c1]));
    const probe = op(plan, 'reach-probe') as ProbeReachOp;
    // web consumes db across the daemons (by-reach): c1 is the peer.
    expect(probe.windowsPeer?.startedBy).toBe('start:c1:1');
    expect(op(plan, 'create:web:1').kind).toBe('by-reach');
    for (const id of ['create:cache:1', 'start:cache:1', 'create:db:1', 'create:c1:1']) expect(op(plan, id).deps).not.toContain('reach-probe');
    // With web alone on windows, none qualifies: the throw-away end.
    expect((op(probingPlan(withoutResolver()), 'reach-probe') as ProbeReachOp).windowsPeer?.startedBy).toBe('reach-probe:windows');
    // With the resolver and daemon addresses, windows containers ask it at an address the answer decides: no peer either.
    expect((op(probingPlan(project([db, cache, web, c1], {}, AUTO)), 'reach-probe') as ProbeReachOp).windowsPeer?.startedBy).toBe('reach-probe:windows');
  });

  it('problems of every outcome stop the plan before anything runs', () => {
    const broken = service('web', { platform: 'windows', depends_on: { db: { condition: 'service_healthy', required: true, restart: false } } });
    const { plan, problems } = reconcile(withoutResolver([db, broken]), observed(), { command: 'up', probeReach: true });
    expect(problems.map((p) => p.message).join('\n')).toContain('has no healthcheck');
    expect(plan.operations).toEqual([]);
  });

  it('no probe operation: a dry run, a recorded answer, configured reach, or one daemon', () => {
    const p = withoutResolver();
    expect(reconcile(p, observed(), { command: 'up' }).plan.operations.some((o) => o.kind === 'probe-reach')).toBe(false);
    const recorded = observed({ networks: [{ id: 'n', name: 'shop_default', platform: 'linux', driver: 'bridge', subnets: [], labels: { 'io.mixcompose.reach.linux': 'ip', 'io.mixcompose.reach.windows': 'ip' } }] });
    expect(reconcile(p, recorded, { command: 'up', probeReach: true }).plan.operations.some((o) => o.kind === 'probe-reach' || o.kind === 'by-reach')).toBe(false);
    const configured = { ...p, extension: { ...p.extension, daemons: { linux: { ...p.extension.daemons.linux, reach: 'ip' as const }, windows: { ...p.extension.daemons.windows, reach: 'ip' as const } } } };
    expect(reconcile(configured, observed(), { command: 'up', probeReach: true }).plan.operations.some((o) => o.kind === 'probe-reach')).toBe(false);
    expect(reconcile(p, observed(), { command: 'down', probeReach: true }).plan.operations.some((o) => o.kind === 'probe-reach')).toBe(false);
  });

  it('an end joins the project network that is there already (no dependency), and down removes a killed probe\'s end before that network', () => {
    const net = (platform: 'linux' | 'windows') => ({ id: `n-${platform}`, name: 'shop_default', platform, driver: 'bridge', subnets: [], labels: { 'com.docker.compose.project': 'shop' } });
    const plan = probingPlan(withoutResolver());
    expect(plan.operations.some((o) => o.kind === 'create-network' && o.name.includes('reach-probe'))).toBe(false);
    const existing = reconcile(withoutResolver(), observed({ networks: [net('linux'), net('windows')] }), { command: 'up', probeReach: true }).plan;
    expect(op(existing, 'reach-probe:windows')).toMatchObject({ network: 'shop_default', deps: [] });
    const leftovers = [{ kind: 'container' as const, platform: 'windows' as const, name: 'shop-mixcompose-reach-probe-windows', id: 'p'.repeat(64) }];
    const down = reconcile(withoutResolver(), observed({ networks: [net('linux'), net('windows')], probeLeftovers: leftovers }), { command: 'down' }).plan;
    expect(op(down, 'network-rm:windows:shop_default').deps).toEqual(['remove-probe:windows:shop-mixcompose-reach-probe-windows']);
  });

  it('leftovers of a killed earlier probe are the probe operation\'s to remove, not the plan\'s', () => {
    const leftovers = [{ kind: 'container' as const, platform: 'linux' as const, name: 'shop-mixcompose-reach-probe-linux', id: 'p'.repeat(64) }];
    const plan = reconcile(withoutResolver(), observed({ probeLeftovers: leftovers }), { command: 'up', probeReach: true }).plan;
    expect(plan.operations.some((o) => o.id.includes('reach-probe-linux') || (o.kind === 'remove-container' && o.name.includes('reach-probe')))).toBe(false);
  });
});
