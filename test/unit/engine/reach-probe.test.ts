/**
 * `up`'s reach probe (engine/reach-probe.ts) against fake daemons: the probe's answer → reach per
 * platform (both outcomes, both ping syntaxes), cleanup in every case, and the fallback when the
 * probe cannot run. The rig cannot cut the route between its daemons while others' tests run, so
 * the `published` outcome is covered here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContainerSummary, DaemonClient, EngineBody, EngineFilters, ExecResult } from '../../../src/engine/daemon-client.js';
import { observe } from '../../../src/engine/observe.js';
import { formatPlan } from '../../../src/plan/format-plan.js';
import { DEFAULT_WINDOWS_PROBE_IMAGE, probeFailureWarning, probeReach, removeReachProbes } from '../../../src/engine/reach-probe.js';
import type { EngineEvent } from '../../../src/model/events.js';
import type { DaemonFacts } from '../../../src/plan/observed-state.js';
import { facts as daemonFacts, project, service, planOf } from '../plan/builders.js';

interface FakeContainer {
  id: string;
  name: string;
  body: EngineBody;
  running: boolean;
  ip?: string;
}

/** Just what the probe and observe use; containers and networks are matched by label filters. */
class FakeDaemon {
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, EngineBody>();
  readonly images = new Set<string>();
  readonly execs: string[][] = [];
  readonly pulls: string[] = [];
  /** Answer of an exec: (command) → result. */
  onExec: (cmd: readonly string[]) => ExecResult = () => ({ exitCode: 0, stdout: '64 bytes from x: seq=0 ttl=63 time=0.1 ms', stderr: '' });
  failCreateContainer?: Error;
  private next = 1;
  constructor(
    readonly label: string,
    private readonly subnet: string,
  ) {}

  private matches(labels: Readonly<Record<string, string>> | undefined, filters: EngineFilters): boolean {
    return (filters.label ?? []).every((f) => {
      const [k, v] = f.split('=');
      return labels?.[k!] === v;
    });
  }
  async listContainers(filters: EngineFilters): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((c) => this.matches(c.body.Labels as Record<string, string>, filters))
      .map((c) => ({ Id: c.id, Names: [`/${c.name}`], Image: String(c.body.Image), State: c.running ? 'running' : 'created', Labels: c.body.Labels as Record<string, string> }));
  }
  async listNetworks(filters: EngineFilters): Promise<EngineBody[]> {
    return [...this.networks.values()].filter((n) => this.matches(n.Labels as Record<string, string>, filters));
  }
  async listVolumes(): Promise<EngineBody[]> {
    return [];
  }
  async listImages(): Promise<EngineBody[]> {
    return [];
  }
  async inspectImage(name: string): Promise<EngineBody | undefined> {
    return this.images.has(name) ? { Id: name, Os: 'linux', Architecture: 'amd64' } : undefined;
  }
  async distributionInspect(): Promise<EngineBody> {
    return { Descriptor: { digest: 'sha256:d' }, Platforms: [{ os: 'linux', architecture: 'amd64' }] };
  }
  /** Resolver image builds (engine/helper-images.ts): the tag is on the daemon afterwards. */
  readonly builds: string[] = [];
  async buildImage(_context: NodeJS.ReadableStream, query: EngineBody): Promise<string> {
    this.builds.push(`${String(query.t)} from ${String((query.buildargs as Record<string, string>).BASE)}`);
    this.images.add(String(query.t));
    return 'sha256:built';
  }
  async pullImage(name: string): Promise<void> {
    this.pulls.push(name);
    this.images.add(name);
  }
  async createNetwork(body: EngineBody): Promise<{ id: string }> {
    if (this.networks.has(String(body.Name))) throw new Error('network exists');
    this.networks.set(String(body.Name), { ...body, Id: `${String(body.Name)}-id` });
    return { id: `${String(body.Name)}-id` };
  }
  async removeNetwork(idOrName: string): Promise<void> {
    for (const [name, n] of this.networks) if (n.Id === idOrName || name === idOrName) this.networks.delete(name);
  }
  async createContainer(name: string, body: EngineBody): Promise<{ id: string; warnings: string[] }> {
    if (this.failCreateContainer) throw this.failCreateContainer;
    if ([...this.containers.values()].some((c) => c.name === name)) throw new Error(`Conflict. The container name "/${name}" is already in use`);
    const id = `${name}-id`;
    this.containers.set(id, { id, name, body, running: false });
    return { id, warnings: [] };
  }
  async startContainer(id: string): Promise<void> {
    const c = this.containers.get(id)!;
    c.running = true;
    c.ip = `${this.subnet}.${++this.next}`;
  }
  async inspectContainer(id: string): Promise<EngineBody> {
    const c = this.containers.get(id)!;
    return { Id: id, NetworkSettings: { Networks: { probe: { IPAddress: c.ip } } } };
  }
  async removeContainer(id: string): Promise<void> {
    this.containers.delete(id);
  }
  /** The containers execs ran in. */
  readonly execIn: string[] = [];
  async exec(id: string, cmd: readonly string[]): Promise<ExecResult> {
    this.execIn.push(id);
    this.execs.push([...cmd]);
    return this.onExec(cmd);
  }
  /** What is left of the project on this daemon. */
  leftovers(): string[] {
    return [...[...this.containers.values()].map((c) => c.name), ...this.networks.keys()];
  }
}

const RESOLVER = 'mixcompose/resolver:0.1.0';
const stack = () =>
  project([service('db'), service('web', { platform: 'windows' })], {}, { linux: { reach: 'auto' }, windows: { reach: 'auto' } });

function rig(windowsFacts: Partial<DaemonFacts> = {}) {
  const linux = new FakeDaemon('linux (fake)', '10.201.9');
  const windows = new FakeDaemon('windows (fake)', '10.202.9');
  linux.images.add(RESOLVER);
  windows.images.add(RESOLVER);
  const events: EngineEvent[] = [];
  const options = {
    project: stack(),
    clients: { linux: linux as unknown as DaemonClient, windows: windows as unknown as DaemonClient },
    facts: { linux: daemonFacts('linux'), windows: daemonFacts('windows', windowsFacts) },
    onEvent: (e: EngineEvent) => events.push(e),
  };
  return { linux, windows, events, options };
}

/**
 * On a Windows daemon without the probe image, the stack's own ends (the resolver by its hosts
 * reader, a windows service without ping on `shop_default`): the probe falls back to a throw-away
 * end there, whose image pull waits for `release` (or fails with `fail`).
 */
function fallbackRig() {
  const r = rig({ osType: 'windows', networkDrivers: ['nat'] });
  (r.linux as unknown as DaemonClient).exchangeStdin = async (_id, input) => `ok ${input.split('\t')[1]}`;
  let execs = 0;
  r.windows.onExec = () =>
    execs++ === 0 ? { exitCode: 1, stdout: '', stderr: 'The system cannot find the file specified.' } : { exitCode: 0, stdout: 'Reply from 10.201.9.77: bytes=32 time<1ms TTL=63', stderr: '' };
  let pulling!: () => void;
  const started = new Promise<void>((resolve) => (pulling = resolve));
  let release!: () => void;
  let fail!: (error: Error) => void;
  const pulled = new Promise<void>((resolve, reject) => ((release = resolve), (fail = reject)));
  pulled.catch(() => undefined);
  r.windows.pullImage = async (name: string) => {
    pulling();
    await pulled;
    r.windows.pulls.push(name);
    r.windows.images.add(name);
  };
  const peers = { linux: { id: 'resolver-id', ip: '10.201.9.77', pingBy: 'hosts-reader' as const }, windows: { id: 'c1-id', ip: '10.202.9.50' } };
  const options = { ...r.options, peers, fallbackNetworks: { windows: 'shop_default' }, limitSeconds: 1 };
  return { ...r, options, pull: { started, release, fail } };
}

/** The probe's answer once its clean-up (which goes on after the answer) is done too. */
async function probed(options: Parameters<typeof probeReach>[0]) {
  const result = await probeReach(options);
  if (result.ok) await result.cleanup;
  return result;
}

describe('reach probe', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a pull of the fallback end's image slower than limitSeconds is not the probe's time: it answers; its own work after the pull is still limited", async () => {
    vi.useFakeTimers();
    const { linux, windows, options, pull } = fallbackRig();
    const result = probed(options);
    await pull.started;
    await vi.advanceTimersByTimeAsync(30_000);
    pull.release();
    const answer = await result;
    expect(answer.ok ? answer.reach : answer.reason).toEqual({ linux: 'ip', windows: 'ip' });
    expect(windows.pulls).toEqual([DEFAULT_WINDOWS_PROBE_IMAGE]);
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
    // With the image there: a start of the end that takes longer than the limit is no answer.
    const again = fallbackRig();
    again.windows.images.add(DEFAULT_WINDOWS_PROBE_IMAGE);
    again.windows.startContainer = () => new Promise<void>(() => undefined);
    let failed: unknown;
    void probeReach(again.options).then((r) => (failed = r.ok ? 'answered' : r.reason));
    await vi.advanceTimersByTimeAsync(1_000 + 5_000);
    expect(failed).toBe('probe container (ping cannot run in a service container): the reach probe: no answer within 1s');
  });

  it("an interrupt during the fallback end's pull stops the probe there (the pull still under way), leaving nothing", async () => {
    vi.useFakeTimers();
    const { linux, windows, events, options, pull } = fallbackRig();
    let interrupt!: () => void;
    let answer: unknown;
    void probeReach({ ...options, interrupts: (onInterrupt) => ((interrupt = onInterrupt), () => undefined) }).then((r) => (answer = r));
    await pull.started;
    interrupt();
    // The probe lets what it was doing settle for at most 5s before it removes what it made.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(answer).toMatchObject({ ok: false, interrupted: true });
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
    expect(events.filter((e) => e.type === 'step' && e.id === 'reach-probe').at(-1)).toMatchObject({ status: 'skipped', message: 'interrupted (the probe was removed)' });
    // The pull that ends after the probe was removed starts nothing.
    pull.release();
    await vi.advanceTimersByTimeAsync(5_000);
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
  });

  it("a failed pull of the fallback end's image is the probe's failure, at its image stage", async () => {
    const { linux, windows, options, pull } = fallbackRig();
    pull.fail(new Error('manifest unknown'));
    const result = await probed(options);
    expect(!result.ok && result.reason).toBe('probe image (ping cannot run in a service container): manifest unknown');
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
  });

  it('answers as soon as the pings are done: the removal of its containers and networks goes on after the answer (its `cleanup`)', async () => {
    const { linux, windows, options } = rig();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The linux daemon removes containers only once released: the answer must not wait for that.
    const remove = linux.removeContainer.bind(linux);
    linux.removeContainer = async (id: string) => {
      await held;
      await remove(id);
    };
    const result = await probeReach(options);
    expect(result.ok && result.reach).toEqual({ linux: 'ip', windows: 'ip' });
    expect(linux.leftovers()).toContain('shop-mixcompose-reach-probe-linux');
    release();
    if (result.ok) await result.cleanup;
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
  });

  it('with a linux peer (the plan\'s resolver): pings from and to it, makes a throw-away network and container on windows only, never removes the peer', async () => {
    const { linux, windows, events, options } = rig();
    const result = await probed({ ...options, peers: { linux: { id: 'resolver-id', ip: '10.201.9.77' } } });
    expect(result.ok && result.reach).toEqual({ linux: 'ip', windows: 'ip' });
    expect(linux.execs).toEqual([['ping', '-c', '1', '-W', '2', '10.202.9.2']]);
    expect(linux.execIn).toEqual(['resolver-id']);
    expect(windows.execs).toEqual([['ping', '-c', '1', '-W', '2', '10.201.9.77']]);
    expect(linux.networks.size).toBe(0);
    expect(linux.containers.size).toBe(0);
    const started = events.find((e) => e.type === 'step' && e.id === 'reach-probe' && e.status === 'started');
    expect(started?.type === 'step' && started.message).toContain('linux: the project resolver');
  });

  it('with the resolver as its linux peer pinging by its hosts reader: one ping record through its stdin, no exec there', async () => {
    const { linux, windows, options } = rig();
    const sent: string[] = [];
    (linux as unknown as DaemonClient).exchangeStdin = async (id, input) => {
      sent.push(`${id} ${input}`);
      return `ok ${input.split('\t')[1]}`;
    };
    const result = await probed({ ...options, peers: { linux: { id: 'resolver-id', ip: '10.201.9.77', pingBy: 'hosts-reader' } } });
    expect(result.ok && result.reach).toEqual({ linux: 'ip', windows: 'ip' });
    expect(linux.execs).toEqual([]);
    expect(sent).toEqual([expect.stringMatching(/^resolver-id ping\t[0-9a-f]{12}\t10\.202\.9\.2\t2\t3\n$/)]);
    expect(windows.execs).toEqual([['ping', '-c', '1', '-W', '2', '10.201.9.77']]);
    // Its refusal is a direction without an answer, with what the loop said.
    (linux as unknown as DaemonClient).exchangeStdin = async (_id, input) => `failed ${input.split('\t')[1]} 100% packet loss`;
    const refused = await probed({ ...options, peers: { linux: { id: 'resolver-id', ip: '10.201.9.77', pingBy: 'hosts-reader' } } });
    expect(refused.ok && refused.reach).toEqual({ linux: 'ip', windows: 'published' });
    expect(refused.ok && refused.pings['linux->windows'].detail).toContain("by the resolver's hosts reader): 100% packet loss (3 tries)");
  });

  it('with a windows service container as its peer that has no ping: its throw-away end on the given network pings both ways instead, then goes', async () => {
    const { linux, windows, events, options } = rig();
    const sent: string[] = [];
    (linux as unknown as DaemonClient).exchangeStdin = async (_id, input) => {
      sent.push(input.split('\t')[2]!);
      return `ok ${input.split('\t')[1]}`;
    };
    windows.onExec = () => ({ exitCode: 126, stdout: '', stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "ping": executable file not found in $PATH' });
    let pinged = 0;
    const answer = windows.onExec;
    windows.onExec = (cmd) => (pinged++ === 0 ? answer(cmd) : { exitCode: 0, stdout: '64 bytes from x: seq=0 ttl=63', stderr: '' });
    const peers = { linux: { id: 'resolver-id', ip: '10.201.9.77', pingBy: 'hosts-reader' as const }, windows: { id: 'c1-id', ip: '10.202.9.50' } };
    const result = await probeReach({ ...options, peers, fallbackNetworks: { windows: 'shop_default' } });
    expect(result.ok && result.reach).toEqual({ linux: 'ip', windows: 'ip' });
    // The end joined the project network (no network of its own); linux pinged the service, then the end.
    const end = [...windows.containers.values()].find((c) => c.name === 'shop-mixcompose-reach-probe-windows')!;
    expect((end.body.HostConfig as { NetworkMode: string }).NetworkMode).toBe('shop_default');
    expect(windows.networks.size).toBe(0);
    expect(windows.execIn).toEqual(['c1-id', end.id]);
    expect(sent).toEqual(['10.202.9.50', end.ip]);
    if (result.ok) await result.cleanup;
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
    const started = events.find((e) => e.type === 'step' && e.id === 'reach-probe' && e.status === 'started');
    expect(started?.type === 'step' && started.message).toBe("the stack's own containers (linux: the project resolver, windows: a service container)");
    // Without a fallback network, ping that cannot run is a direction without an answer (as before).
    windows.onExec = answer;
    const bare = await probed({ ...options, peers });
    expect(bare.ok && bare.pings['windows->linux']).toMatchObject({ ok: false, cannotRun: true });
  });

  it('makes its two throw-away networks at once (the adapter asks again on the two-daemon iptables race)', async () => {
    const { linux, windows, options } = rig();
    const order: string[] = [];
    for (const [name, daemon] of [['linux', linux], ['windows', windows]] as const) {
      const create = daemon.createNetwork.bind(daemon);
      daemon.createNetwork = async (body: EngineBody) => {
        order.push(`${name} started`);
        await new Promise<void>((resolve) => setImmediate(resolve));
        order.push(`${name} done`);
        return create(body);
      };
    }
    await probed(options);
    expect(order.slice(0, 2).sort()).toEqual(['linux started', 'windows started']);
  });

  it('both directions answer: ip both ways; pings the other probe with the linux syntax; leaves nothing', async () => {
    const { linux, windows, events, options } = rig();
    const result = await probed(options);
    expect(result.ok && result.reach).toEqual({ linux: 'ip', windows: 'ip' });
    expect(linux.execs).toEqual([['ping', '-c', '1', '-W', '2', '10.202.9.2']]);
    expect(windows.execs).toEqual([['ping', '-c', '1', '-W', '2', '10.201.9.2']]);
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
    const steps = events.filter((e) => e.type === 'step' && e.id === 'reach-probe');
    expect(steps.map((e) => (e.type === 'step' ? e.status : ''))).toEqual(['started', 'done']);
    expect(steps.map((e) => (e.type === 'step' ? e.reach : undefined))).toEqual([undefined, { linux: 'ip', windows: 'ip' }]);
    expect(steps[1]!.type === 'step' && steps[1]!.message).toMatch(/^linux containers by ip, windows containers by ip \(\d+\.\ds\)$/);
  });

  it('a direction that does not answer makes the pinged platform published', async () => {
    const { linux, windows, events, options } = rig();
    linux.onExec = () => ({ exitCode: 1, stdout: '1 packets transmitted, 0 packets received, 100% packet loss', stderr: '' });
    const result = await probed(options);
    expect(result.ok && result.reach).toEqual({ windows: 'published', linux: 'ip' });
    expect(result.ok && result.pings['linux->windows']).toEqual({ ok: false, detail: 'ping -c 1 -W 2 10.202.9.2: 1 packets transmitted, 0 packets received, 100% packet loss (3 tries)' });
    expect(linux.execs).toHaveLength(3);
    const done = events.find((e) => e.type === 'step' && e.id === 'reach-probe' && e.status === 'done');
    expect(done?.type === 'step' && done.message).toMatch(
      /^linux containers by ip, windows containers by published \(\d+\.\ds\); no answer linux → windows: ping -c 1 -W 2 10\.202\.9\.2: 1 packets transmitted, 0 packets received, 100% packet loss \(3 tries\)$/,
    );
    // The answer as a field too (--progress json), not only in the message (QA2 R11).
    expect(done?.type === 'step' && done.reach).toEqual({ linux: 'ip', windows: 'published' });
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
  });

  it('a lost first ping is asked again: a peer that answers the second time is reachable by ip', async () => {
    const { linux, windows, options } = rig();
    let calls = 0;
    linux.onExec = () =>
      ++calls === 1
        ? { exitCode: 1, stdout: '1 packets transmitted, 0 packets received, 100% packet loss', stderr: '' }
        : { exitCode: 0, stdout: '64 bytes from 10.202.9.2: seq=0 ttl=63 time=0.2 ms', stderr: '' };
    const result = await probed(options);
    expect(result.ok && result.reach).toEqual({ linux: 'ip', windows: 'ip' });
    expect(linux.execs).toHaveLength(2);
    expect(windows.execs).toHaveLength(1);
  });

  it('on a Windows daemon: the nanoserver image (pulled when missing), nat, Windows ping syntax; "unreachable" with exit 0 is no answer', async () => {
    const { linux, windows, options } = rig({ osType: 'windows', networkDrivers: ['nat', 'transparent'] });
    let natAsked = false;
    const create = windows.createNetwork.bind(windows);
    windows.createNetwork = async (body) => {
      natAsked = body.Driver === 'nat';
      return create(body);
    };
    windows.onExec = () => ({ exitCode: 0, stdout: 'Reply from 10.202.9.1: Destination host unreachable.', stderr: '' });
    const result = await probed(options);
    expect(windows.pulls).toEqual([DEFAULT_WINDOWS_PROBE_IMAGE]);
    expect(natAsked).toBe(true);
    expect(windows.execs).toEqual(Array(3).fill(['ping', '-n', '1', '-w', '2000', '10.201.9.2']));
    expect(result.ok && result.reach).toEqual({ linux: 'published', windows: 'ip' });
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
  });

  it('uses x-mixcompose.daemons.<p>.probe_image when set; a failed pull ends its step skipped (no error line) and no probe', async () => {
    const { linux, events, options } = rig();
    const p = stack();
    const withImage = { ...p, extension: { ...p.extension, daemons: { ...p.extension.daemons, linux: { ...p.extension.daemons.linux, probe_image: 'my/probe:1' } } } };
    await probed({ ...options, project: withImage });
    expect(linux.pulls).toEqual(['my/probe:1']);
    linux.images.delete('my/probe:1');
    linux.pullImage = async () => {
      throw new Error('manifest unknown');
    };
    const result = await probed({ ...options, project: withImage });
    expect(!result.ok && result.reason).toBe('probe image: manifest unknown');
    const pulls = events.filter((e) => e.type === 'step' && e.id === 'pull:linux:my/probe:1').map((e) => (e.type === 'step' ? e.status : ''));
    // Not an error line (up goes on): the step ends skipped, the warning says why (QA2 R6).
    expect(pulls).toEqual(['started', 'done', 'started', 'skipped']);
    const ends = events.filter((e) => e.type === 'step' && e.status !== 'started' && e.status !== 'done');
    expect(ends.map((e) => (e.type === 'step' ? `${e.id}: ${e.message}` : ''))).toEqual([
      'pull:linux:my/probe:1: not pulled: the reach probe could not run (see the warning)',
      'reach-probe: could not run (see the warning)',
    ]);
    expect(events.some((e) => e.type === 'step' && e.status === 'failed')).toBe(false);
  });

  it("mixcompose's own resolver image missing on fresh daemons: built there first (not pulled), then the probe runs", async () => {
    const { linux, windows, events, options } = rig();
    linux.images.clear();
    windows.images.clear();
    // The windows stand-in has the base; the linux one pulls it.
    windows.images.add('registry.local/alpine:3.20');
    const result = await probed({ ...options, env: { MIXCOMPOSE_RESOLVER_BASE: 'registry.local/alpine:3.20' } });
    expect(result.ok ? 'ok' : result.reason).toBe('ok');
    // The base from the environment wins over the default (the env is the probe's, not this process's).
    expect(linux.builds).toEqual([`${RESOLVER} from registry.local/alpine:3.20`]);
    expect(windows.builds).toEqual([`${RESOLVER} from registry.local/alpine:3.20`]);
    expect([...linux.pulls, ...windows.pulls]).toEqual(['registry.local/alpine:3.20']);
    // With progress: one build step per daemon (the helper's steps say linux: a Linux image).
    const builds = events.flatMap((e) => (e.type === 'step' && e.action === 'build' ? [e.status] : []));
    expect(builds.sort()).toEqual(['done', 'done', 'started', 'started']);
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
  });

  it("a missing resolver image of the user's (MIXCOMPOSE_RESOLVER_IMAGE): no probe, not pulled nor built, a reason that names the image, nothing created", async () => {
    const { linux, windows, events, options: base } = rig();
    const options = { ...base, resolverImage: 'my/resolver:1' };
    linux.images.add('my/resolver:1');
    const result = await probed(options);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe('probe image: the probe image my/resolver:1 (the resolver image) is not on the windows daemon');
    expect(windows.builds).toEqual([]);
    expect(windows.pulls).toEqual([]);
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
    expect(events.some((e) => e.type === 'step' && e.id === 'reach-probe' && e.status === 'skipped')).toBe(true);
    expect(probeFailureWarning(!result.ok ? result.reason : '')).toMatch(/deciding from the endpoints instead\. Fix: .*probe_image.*reach to ip or published/);
  });

  it('a probe that fails half-way removes what it made', async () => {
    const { linux, windows, options } = rig();
    windows.failCreateContainer = new Error('no space left on device');
    const result = await probed(options);
    expect(!result.ok && result.reason).toBe('probe container: no space left on device');
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
  });

  it('removes what a killed up left before probing (same names), and removeReachProbes touches only probe resources', async () => {
    const { linux, windows, options } = rig();
    const probeLabels = { 'com.docker.compose.project': 'shop', 'io.mixcompose.role': 'reach-probe' };
    await linux.createNetwork({ Name: 'shop_mixcompose-reach-probe', Labels: probeLabels });
    await linux.createContainer('shop-mixcompose-reach-probe-linux', { Image: RESOLVER, Labels: probeLabels });
    await linux.createContainer('shop-db-1', { Image: 'x', Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'db' } });
    await linux.createNetwork({ Name: 'shop_default', Labels: { 'com.docker.compose.project': 'shop' } });
    const result = await probed(options);
    expect(result.ok).toBe(true);
    expect(linux.leftovers().sort()).toEqual(['shop-db-1', 'shop_default']);
    await linux.createContainer('shop-mixcompose-reach-probe-linux', { Image: RESOLVER, Labels: probeLabels });
    await removeReachProbes('shop', [linux as unknown as DaemonClient, windows as unknown as DaemonClient]);
    expect(linux.leftovers().sort()).toEqual(['shop-db-1', 'shop_default']);
  });

  it('observe leaves probe containers and networks out (no plan sees them)', async () => {
    const { linux, options } = rig();
    const probeLabels = { 'com.docker.compose.project': 'shop', 'io.mixcompose.role': 'reach-probe' };
    await linux.createNetwork({ Name: 'shop_mixcompose-reach-probe', Labels: probeLabels });
    await linux.createContainer('shop-mixcompose-reach-probe-linux', { Image: RESOLVER, Labels: probeLabels });
    await linux.createContainer('shop-db-1', { Image: 'x', Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'db' } });
    // The reach record is no service either: listed apart, read as the recorded answer, removed by down.
    const recordLabels = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'mixcompose-reach-record', 'io.mixcompose.role': 'reach-record', 'io.mixcompose.reach.windows': 'ip' };
    await linux.createContainer('shop-mixcompose-reach-record', { Image: RESOLVER, Labels: recordLabels });
    const observed = await observe(stack(), { linux: options.clients.linux }, { linux: options.facts.linux });
    expect(observed.containers.map((c) => c.name)).toEqual(['shop-db-1']);
    expect(observed.reachRecords?.map((c) => c.name)).toEqual(['shop-mixcompose-reach-record']);
    expect(formatPlan(planOf(stack(), observed, { command: 'down' }))).toContain('[linux] remove container shop-mixcompose-reach-record');
    expect(observed.networks).toEqual([]);
    // ... but lists them apart, so down / up plan their removal and say so (QA2 R5).
    expect(observed.probeLeftovers?.map((l) => `${l.kind} ${l.platform} ${l.name}`)).toEqual([
      'container linux shop-mixcompose-reach-probe-linux',
      'network linux shop_mixcompose-reach-probe',
    ]);
    const down = formatPlan(planOf(stack(), observed, { command: 'down' }));
    expect(down).toContain('[linux] remove container shop-mixcompose-reach-probe-linux (reach probe left over)');
    expect(down).toMatch(/\[linux\] remove network shop_mixcompose-reach-probe {2}after \d+/);
    expect(down).not.toContain('nothing to do');
  });

  it('an interrupt (Ctrl-C) while probing stops it, removes what it made, and answers interrupted (QA2 R5)', async () => {
    const { linux, windows, events, options } = rig();
    let interrupt: (() => void) | undefined;
    let unsubscribed = false;
    // The pings are under way when the interrupt comes (they end soon after, as bounded pings do).
    let pinging!: () => void;
    const inPing = new Promise<void>((resolve) => (pinging = resolve));
    let endPing!: (r: ExecResult) => void;
    const pingEnds = new Promise<ExecResult>((resolve) => (endPing = resolve));
    linux.onExec = () => {
      pinging();
      return pingEnds as unknown as ExecResult;
    };
    const running = probeReach({
      ...options,
      limitSeconds: 60,
      interrupts: (onInterrupt) => {
        interrupt = onInterrupt;
        return () => (unsubscribed = true);
      },
    });
    await inPing;
    expect(linux.leftovers().length).toBeGreaterThan(0);
    interrupt!();
    endPing({ exitCode: 1, stdout: '', stderr: '' });
    const result = await running;
    expect(result).toMatchObject({ ok: false, interrupted: true });
    expect([...linux.leftovers(), ...windows.leftovers()]).toEqual([]);
    expect(unsubscribed).toBe(true);
    const last = events.filter((e) => e.type === 'step' && e.id === 'reach-probe').at(-1);
    expect(last).toMatchObject({ status: 'skipped', message: 'interrupted (the probe was removed)' });
  });
});
