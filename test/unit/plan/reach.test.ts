/**
 * reach `auto` (issue 3): which source decides (configured > fresh probe > recorded > endpoints),
 * what the plan prints, what networks record, and when `up` must probe. Pure, no daemon.
 */
import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../../src/plan/format-plan.js';
import { PlanContext } from '../../../src/plan/plan-context.js';
import { decideReach, pingAnswered, pingCannotRun, pingCommand, reachFromProbe, reachToProbe, recordedReach } from '../../../src/plan/reach.js';
import type { ObservedNetwork } from '../../../src/plan/observed-state.js';
import type { CreateContainerOp, CreateNetworkOp, Plan } from '../../../src/plan/plan.js';
import { containersAfter, facts, observed, project, service, planOf } from './builders.js';
import { materializeSpec } from '../../../src/plan/materialize.js';

const db = service('db', { command: ['sleep', '3600'] });
const web = service('web', { platform: 'windows', command: ['sleep', '3600'] });
// Addresses: a published answer needs them (ports, and the resolver's names under published reach).
const auto = () => project([db, web], {}, { linux: { reach: 'auto', address: '192.0.2.1' }, windows: { reach: 'auto', address: '192.0.2.2' } });

function network(platform: 'linux' | 'windows', labels: Record<string, string>): ObservedNetwork {
  return { id: `n-${platform}`, name: 'shop_default', platform, driver: 'bridge', subnets: [], labels: { 'com.docker.compose.project': 'shop', ...labels } };
}
/** Names across daemons off (no resolver): the containers that consume an address across the daemons record reach. */
const consumer = service('web', { platform: 'windows', command: ['sleep', '3600'], environment: { DB: '{{ db.ip }}' } });
const noResolver = () => {
  const p = project([db, consumer], {}, { linux: { reach: 'auto', address: '192.0.2.1' }, windows: { reach: 'auto', address: '192.0.2.2' } });
  return { ...p, extension: { ...p.extension, resolver: { enabled: false } } };
};
const consumerLabels = (plan: Plan): Record<string, string> =>
  plan.operations.find((op): op is CreateContainerOp => op.kind === 'create-container' && op.service === 'web')!.spec.body.Labels as Record<string, string>;
/** The labels of the container the plan creates for `service`. */
const serviceLabels = (plan: Plan, name: string): Record<string, string> =>
  plan.operations.find((op): op is CreateContainerOp => op.kind === 'create-container' && op.service === name)!.spec.body.Labels as Record<string, string>;
/** The labels of the resolver the plan creates. */
function resolverLabels(plan: Plan): Record<string, string> {
  const create = plan.operations.find((op): op is CreateContainerOp => op.kind === 'create-container' && op.service === 'mixcompose-resolver');
  return create!.spec.body.Labels as Record<string, string>;
}
const RECORDED = { 'io.mixcompose.reach.linux': 'published', 'io.mixcompose.reach.windows': 'ip' };

describe('decideReach precedence', () => {
  it('configured wins over a probe and a recorded result', () => {
    const p = project([db, web], {}, { linux: { reach: 'published', address: 'h' }, windows: { reach: 'auto' } });
    const ctx = new PlanContext(p, observed({ networks: [network('linux', RECORDED)] }), { probedReach: { linux: 'ip', windows: 'published' } });
    const reach = decideReach(ctx);
    expect(reach.linux).toEqual({ reach: 'published', why: 'configured', source: 'configured' });
    expect(reach.windows).toEqual({ reach: 'published', why: 'auto: probe', source: 'probe' });
  });

  it('a fresh probe wins over the recorded result', () => {
    const ctx = new PlanContext(auto(), observed({ networks: [network('linux', RECORDED)] }), { probedReach: { linux: 'ip' } });
    const reach = decideReach(ctx);
    expect(reach.linux).toEqual({ reach: 'ip', why: 'auto: probe', source: 'probe' });
    // windows was not probed this time: the recorded answer
    expect(reach.windows).toEqual({ reach: 'ip', why: 'auto: probe (recorded)', source: 'recorded' });
  });

  it('the recorded result wins over the endpoints', () => {
    const ctx = new PlanContext(auto(), observed({ networks: [network('windows', RECORDED)] }), {});
    expect(decideReach(ctx).linux).toEqual({ reach: 'published', why: 'auto: probe (recorded)', source: 'recorded' });
  });

  it('without any probe result, the endpoints decide and the reason says no probe ran yet', () => {
    const reach = decideReach(new PlanContext(auto(), observed({ networks: [network('linux', {})] }), {}));
    expect(reach.linux).toEqual({ reach: 'ip', why: 'auto: daemons on one machine; not probed yet (up probes)', source: 'endpoints' });
    const failed = decideReach(new PlanContext(auto(), observed(), { probeFailed: true }));
    expect(failed.windows?.why).toBe('auto: daemons on one machine; the probe could not run (see the warning)');
  });

  it('an up whose probe could not run records that on its reach record container (services and the resolver carry nothing): ps/plan say so afterwards, and up probes again (QA2 R6)', () => {
    const both = observed({ daemons: { linux: facts('linux'), windows: facts('windows') } });
    const failedUp = planOf(auto(), both, { command: 'up', probeFailed: true });
    expect(serviceLabels(failedUp, 'mixcompose-reach-record')['io.mixcompose.reach-probe']).toBe('could-not-run');
    expect('io.mixcompose.reach-probe' in serviceLabels(failedUp, 'db')).toBe(false);
    expect('io.mixcompose.reach-probe' in serviceLabels(failedUp, 'web')).toBe(false);
    expect('io.mixcompose.reach-probe' in resolverLabels(failedUp)).toBe(false);
    expect(consumerLabels(planOf(noResolver(), both, { command: 'up', probeFailed: true }))['io.mixcompose.reach-probe']).toBe('could-not-run');
    const after = observed({
      daemons: { linux: facts('linux'), windows: facts('windows') },
      networks: [network('linux', { 'io.mixcompose.reach-probe': 'could-not-run' })],
    });
    expect(decideReach(new PlanContext(auto(), after, {})).windows?.why).toBe('auto: daemons on one machine; the last probe could not run (up probes again)');
    expect(reachToProbe(auto(), after)).toEqual(['linux', 'windows']);
    // A successful up records no such label.
    const okUp = planOf(auto(), both, { command: 'up', probedReach: { linux: 'ip', windows: 'ip' } });
    expect('io.mixcompose.reach-probe' in serviceLabels(okUp, 'mixcompose-reach-record')).toBe(false);
  });

  it('the reach record container: read as a recorded answer (kept apart from the containers), replaced by a probing up, removed by down', () => {
    const record = {
      id: 'e'.repeat(64), name: 'shop-mixcompose-reach-record', platform: 'linux' as const, service: 'mixcompose-reach-record', number: 1, oneoff: false,
      status: 'created' as const, image: 'mixcompose/resolver:0.1.0', labels: { 'io.mixcompose.role': 'reach-record', ...RECORDED }, ips: {}, ports: [],
    };
    const withRecord = observed({ daemons: { linux: facts('linux'), windows: facts('windows') }, reachRecords: [record] });
    expect(recordedReach(withRecord)).toEqual({ linux: 'published', windows: 'ip' });
    expect(reachToProbe(auto(), withRecord)).toEqual([]);
    // A plain up keeps it; a probing one (the record said could-not-run, say) removes it before it records again.
    expect(planOf(auto(), withRecord, { command: 'up' }).operations.some((o) => o.id.includes('reach-record'))).toBe(false);
    const again = planOf(auto(), withRecord, { command: 'up', probedReach: { linux: 'ip', windows: 'ip' } });
    const create = again.operations.find((o): o is CreateContainerOp => o.id === 'create:mixcompose-reach-record:1')!;
    expect(create.deps).toContain('remove:mixcompose-reach-record:1');
    expect(create.spec.body).toMatchObject({ Image: 'mixcompose/resolver:0.1.0', HostConfig: { NetworkMode: 'none' } });
    expect(again.operations.some((o) => o.kind === 'start-container' && o.service === 'mixcompose-reach-record')).toBe(false);
    const down = planOf(auto(), withRecord, { command: 'down' });
    expect(down.operations.find((o) => o.id === 'remove:mixcompose-reach-record:1')).toMatchObject({ kind: 'remove-container', name: 'shop-mixcompose-reach-record', container: { id: record.id } });
  });

  it('service containers an older version made (the answer in their labels) keep their config hash (the labels are not in it), and count as a recorded answer', () => {
    const both = observed({ daemons: { linux: facts('linux'), windows: facts('windows') } });
    const probed = planOf(auto(), both, { command: 'up', probedReach: { linux: 'ip', windows: 'ip' } });
    const ips = new Map<string, string>();
    const addressOf = (id: string) => ips.get(id) ?? ips.set(id, `10.0.0.${ips.size + 2}`).get(id)!;
    const made = containersAfter(probed, addressOf).filter((c) => c.service !== 'mixcompose-reach-record');
    // As the older version made them: the same bodies, plus the answer's labels.
    const old = made.map((c) => {
      if (c.service === 'mixcompose-resolver') return c;
      const create = probed.operations.find((o): o is CreateContainerOp => o.kind === 'create-container' && o.name === c.name)!;
      const labels = { ...(create.spec.body.Labels as Record<string, string>), ...RECORDED };
      const hash = materializeSpec({ ...create.spec, body: { ...create.spec.body, Labels: labels } }, (ref) => addressOf(ref.ipOf))!.hash;
      expect(hash).toBe(c.configHash);
      return { ...c, labels: { ...c.labels, ...RECORDED } };
    });
    expect(old.filter((c) => c.labels['io.mixcompose.reach.linux'])).toHaveLength(2);
    expect(reachToProbe(auto(), observed({ daemons: both.daemons, containers: old }))).toEqual([]);
  });

  it('ping that cannot run (not in the image) is told from a ping without a reply', () => {
    expect(pingCannotRun(126, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "ping": executable file not found in $PATH')).toBe(true);
    expect(pingCannotRun(-1, 'container 1234 encountered an error during hcs::System::CreateProcess: ping: The system cannot find the file specified.')).toBe(true);
    expect(pingCannotRun(1, '1 packets transmitted, 0 packets received, 100% packet loss')).toBe(false);
    expect(pingCannotRun(1, 'Request timed out.')).toBe(false);
  });

  it('ping the service\'s user may not send (a non-root `user:`) cannot run either: the probe falls back to its own end', () => {
    expect(pingCannotRun(1, 'PING 10.201.0.2 (10.201.0.2): 56 data bytes\nping: permission denied (are you root?)')).toBe(true);
    expect(pingCannotRun(2, 'ping: socket: Operation not permitted')).toBe(true);
  });

  it('the answer recorded on the resolver container counts (networks made before the probe answered carry none)', () => {
    const resolver = {
      id: 'r'.repeat(64), name: 'shop-mixcompose-resolver', platform: 'linux' as const, service: 'mixcompose-resolver', number: 1, oneoff: false,
      status: 'running' as const, image: 'x', labels: { 'io.mixcompose.role': 'resolver', ...RECORDED }, ips: {}, ports: [],
    };
    expect(recordedReach({ networks: [network('linux', {})], containers: [resolver] })).toEqual({ linux: 'published', windows: 'ip' });
    const labelled = observed({ daemons: { linux: facts('linux'), windows: facts('windows') }, containers: [resolver] });
    expect(reachToProbe(auto(), labelled)).toEqual([]);
    expect(decideReach(new PlanContext(auto(), labelled, {})).linux?.source).toBe('recorded');
  });

  it('ignores reach labels that are not ip/published, and the probe\'s own network', () => {
    const odd = network('linux', { 'io.mixcompose.reach.linux': 'sometimes' });
    const probeNet = { ...network('linux', { ...RECORDED, 'io.mixcompose.role': 'reach-probe' }), name: 'shop_mixcompose-reach-probe' };
    expect(recordedReach({ networks: [odd, probeNet] })).toEqual({});
  });

  it('when two networks disagree, published wins (it works wherever ip does)', () => {
    const a = network('linux', { 'io.mixcompose.reach.linux': 'ip' });
    const b = network('windows', { 'io.mixcompose.reach.linux': 'published' });
    expect(recordedReach({ networks: [a, b] }).linux).toBe('published');
    expect(recordedReach({ networks: [b, a] }).linux).toBe('published');
  });
});

describe('plan output and recording', () => {
  it('plan prints each decision with its source, and JSON carries the source', () => {
    const plan = planOf(auto(), observed(), { probedReach: { linux: 'ip', windows: 'published' } });
    const text = formatPlan(plan);
    expect(text).toContain('reach linux containers from the other daemon: ip (auto: probe)');
    expect(text).toContain('reach windows containers from the other daemon: published (auto: probe)');
    expect(JSON.parse(JSON.stringify(plan)).reach.windows).toEqual({ reach: 'published', why: 'auto: probe', source: 'probe' });
  });

  it('the reach record made after a probe carries its answer (the services, the resolver and networks, made beside it, do not); a recorded answer is kept on a resolver made again; without a probe nothing', () => {
    const probed = planOf(auto(), observed(), { probedReach: { linux: 'ip', windows: 'published' } });
    expect(serviceLabels(probed, 'mixcompose-reach-record')['io.mixcompose.reach.linux']).toBe('ip');
    expect(serviceLabels(probed, 'mixcompose-reach-record')['io.mixcompose.reach.windows']).toBe('published');
    for (const name of ['db', 'web']) expect(Object.keys(serviceLabels(probed, name)).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
    expect(Object.keys(resolverLabels(probed)).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
    // A recorded answer (no probe this time) stays on a resolver the plan makes again.
    const recorded = planOf(auto(), observed({ networks: [network('linux', RECORDED)] }), {});
    expect(resolverLabels(recorded)['io.mixcompose.reach.linux']).toBe('published');
    for (const op of probed.operations.filter((o): o is CreateNetworkOp => o.kind === 'create-network')) {
      expect(Object.keys(op.body.Labels as object).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
    }
    const guessed = planOf(auto(), observed(), {});
    expect(Object.keys(resolverLabels(guessed)).filter((k) => k.startsWith('io.mixcompose.reach.'))).toEqual([]);
    // configured reach is in the file already: nothing to record
    const configured = planOf(project([db, web]), observed(), {});
    const labels = configured.operations.find((o): o is CreateNetworkOp => o.kind === 'create-network')!.body.Labels as Record<string, string>;
    expect(labels['io.mixcompose.reach.linux']).toBeUndefined();
  });

  it('without a resolver, the cross-daemon consumers carry the answer, the rest and the networks none; only then does reach matter', () => {
    const probed = planOf(noResolver(), observed(), { probedReach: { linux: 'ip', windows: 'published' } });
    expect(consumerLabels(probed)['io.mixcompose.reach.linux']).toBe('ip');
    expect(consumerLabels(probed)['io.mixcompose.reach.windows']).toBe('published');
    const others = probed.operations.flatMap((op) => (op.kind === 'create-network' ? [op.body.Labels] : op.kind === 'create-container' && op.service !== 'web' ? [op.spec.body.Labels] : []));
    expect(others.length).toBeGreaterThan(0);
    for (const labels of others) expect(Object.keys(labels as object).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
    // Nobody consumes across the daemons and no resolver: reach matters to nothing, no probe.
    const p = project([db, web], {}, { linux: { reach: 'auto' }, windows: { reach: 'auto' } });
    expect(reachToProbe({ ...p, extension: { ...p.extension, resolver: { enabled: false } } }, observed())).toEqual([]);
    expect(reachToProbe(noResolver(), observed())).toEqual(['linux', 'windows']);
  });
});

describe('when up probes', () => {
  it('probes the auto platforms without a recorded answer, only across two daemons', () => {
    expect(reachToProbe(auto(), observed())).toEqual(['linux', 'windows']);
    expect(reachToProbe(auto(), observed({ networks: [network('linux', RECORDED)] }))).toEqual([]);
    expect(reachToProbe(auto(), observed({ networks: [network('linux', { 'io.mixcompose.reach.windows': 'ip' })] }))).toEqual(['linux']);
    // networks without reach labels (an older mixcompose, or a probe that could not run): probe
    expect(reachToProbe(auto(), observed({ networks: [network('linux', {}), network('windows', {})] }))).toEqual(['linux', 'windows']);
    expect(reachToProbe(project([db, web]), observed())).toEqual([]);
    const oneDaemon = observed({ daemons: { linux: facts('linux', { sharedWith: 'windows' }), windows: facts('windows', { sharedWith: 'linux' }) } });
    expect(reachToProbe(auto(), oneDaemon)).toEqual([]);
    expect(reachToProbe(project([db], {}, { linux: { reach: 'auto' }, windows: { reach: 'auto' } }), observed())).toEqual([]);
  });
});

describe('probe answers', () => {
  it('a direction that answered means ip for the platform pinged, else published', () => {
    const ok = { ok: true, detail: '' };
    const no = { ok: false, detail: '' };
    expect(reachFromProbe({ 'linux->windows': ok, 'windows->linux': no })).toEqual({ windows: 'ip', linux: 'published' });
    expect(reachFromProbe({ 'linux->windows': no, 'windows->linux': ok })).toEqual({ windows: 'published', linux: 'ip' });
  });

  it('pings with the syntax of the probe container\'s OS', () => {
    expect(pingCommand('linux', '10.0.0.2', 2)).toEqual(['ping', '-c', '1', '-W', '2', '10.0.0.2']);
    expect(pingCommand('windows', '10.0.0.2', 2)).toEqual(['ping', '-n', '1', '-w', '2000', '10.0.0.2']);
  });

  it('counts a ping only with exit 0 and a TTL line (Windows exits 0 on "Destination host unreachable")', () => {
    expect(pingAnswered(0, '64 bytes from 10.202.1.2: seq=0 ttl=63 time=0.1 ms')).toBe(true);
    expect(pingAnswered(0, 'Reply from 10.0.0.2: bytes=32 time<1ms TTL=128')).toBe(true);
    expect(pingAnswered(0, 'Reply from 10.0.0.1: Destination host unreachable.')).toBe(false);
    expect(pingAnswered(1, '1 packets transmitted, 0 packets received, 100% packet loss')).toBe(false);
  });
});
