/**
 * The executor against in-memory daemons: parallelism, runtime addresses, condition waits, and the
 * fault report when a daemon fails.
 */
import { describe, expect, it } from 'vitest';
import { ExecutionInterrupted, execute } from '../../../src/engine/execute.js';
import { DaemonError, DependencyError, PlanError } from '../../../src/errors.js';
import type { Plan } from '../../../src/plan/plan.js';
import { EngineApiError } from '../../../src/engine/dockerode-client.js';
import type { StepEvent } from '../../../src/model/events.js';
import { tarArchive, tarFiles } from '../../../src/engine/tar.js';
import { container, observed, project, service, planOf } from '../plan/builders.js';
import type { ObservedContainer, ObservedState } from '../../../src/plan/observed-state.js';
import { MemoryDaemon } from './memory-daemon.js';

const stack = () =>
  project([
    service('db', { command: ['sleep', '1'], healthcheck: { test: ['CMD', 'true'] } }),
    service('cache', { command: ['sleep', '1'] }),
    service('web', {
      platform: 'windows',
      environment: { DB: '{{ db.ip }}:{{ db.port:5432 }}' },
      depends_on: { db: { condition: 'service_healthy', required: true, restart: false } },
    }),
  ]);

function daemons() {
  const linux = new MemoryDaemon('linux (mem)', '10.201.0');
  const windows = new MemoryDaemon('windows (mem)', '10.202.0');
  return { linux, windows, clients: { linux, windows } };
}

describe('execute', () => {
  it('runs the plan with runtime addresses filled in and the resolver registered', async () => {
    const { linux, windows, clients } = daemons();
    const plan = planOf(stack(), observed());
    await execute(plan, { clients, pollIntervalMs: 1 });
    const web = [...windows.containers.values()].find((c) => c.name === 'shop-web-1')!;
    const db = [...linux.containers.values()].find((c) => c.name === 'shop-db-1')!;
    const resolver = [...linux.containers.values()].find((c) => c.name === 'shop-mixcompose-resolver')!;
    expect(web.body.Env).toEqual([`DB=${db.ip}:5432`]);
    expect((web.body.HostConfig as { Dns: string[] }).Dns).toEqual([resolver.ip]);
    expect((web.body.Labels as Record<string, string>)['com.docker.compose.config-hash']).toMatch(/^[0-9a-f]{64}$/);
    // The hosts file for web went into the resolver after web started.
    const written = resolver.hostsBatches.flat().map((f) => `${f.dir.slice(1)}/${f.file}: ${f.content}`);
    expect(written.join('')).toContain(`${web.ip} web\n${web.ip} shop-web-1\n`);
    // host.docker.internal for windows askers: the gateway read after the windows network's create.
    expect(written).toContain('etc/mixcompose-hosts/mixcompose-host-gateway: 172.30.0.1 host.docker.internal\n');
    expect(windows.calls.indexOf('start shop-web-1')).toBeGreaterThan(-1);
  });

  it('starts independent operations together, on both daemons', async () => {
    const { clients } = daemons();
    const events: StepEvent[] = [];
    await execute(planOf(stack(), observed()), { clients, pollIntervalMs: 1, onEvent: (e) => e.type === 'step' && events.push(e) });
    const firstDone = events.findIndex((e) => e.status === 'done');
    const startedBefore = events.slice(0, firstDone).map((e) => e.id).sort();
    expect(startedBefore).toEqual(['network:linux:default', 'network:windows:default']);
    // cache and db creates start together once the resolver is up.
    const order = events.map((e) => `${e.id}:${e.status}`);
    expect(order.indexOf('create:cache:1:started')).toBeLessThan(order.indexOf('create:db:1:done'));
    expect(order.indexOf('create:db:1:started')).toBeLessThan(order.indexOf('create:cache:1:done'));
  });

  it('keeps at most maxPerDaemon operations in flight per daemon, critical path first', async () => {
    const { clients } = daemons();
    const events: StepEvent[] = [];
    const plan = planOf(stack(), observed());
    await execute(plan, { clients, pollIntervalMs: 1, maxPerDaemon: 1, onEvent: (e) => e.type === 'step' && events.push(e) });
    const inFlight = { linux: 0, windows: 0 };
    let max = 0;
    const daemonOf = (id: string) => plan.operations.find((op) => op.id === id)!.daemon;
    // Hosts writes ready together are one write (one slot) for several steps: counted apart.
    const isHosts = (id: string) => plan.operations.find((op) => op.id === id)!.kind === 'register-hosts';
    for (const e of events.filter((e) => !isHosts(e.id))) {
      const d = daemonOf(e.id);
      inFlight[d] += e.status === 'started' ? 1 : -1;
      max = Math.max(max, inFlight[d]);
    }
    expect(max).toBe(1);
    // db's create (on the way to web) goes before cache's, which nothing waits for.
    const started = events.filter((e) => e.status === 'started').map((e) => e.id);
    expect(started.indexOf('create:db:1')).toBeLessThan(started.indexOf('create:cache:1'));
  });

  it('waits for health, and fails naming the service and its last health log', async () => {
    const { linux, clients } = daemons();
    linux.states.set('shop-db-1', [
      { Status: 'running', Running: true, Health: { Status: 'starting', Log: [] } },
      { Status: 'running', Running: true, Health: { Status: 'unhealthy', Log: [{ Output: 'connection refused\n', ExitCode: 1 }] } },
    ]);
    const error = await execute(planOf(stack(), observed()), { clients, pollIntervalMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toBe(
      'service db (shop-db-1) is unhealthy (web waits for it); last health check: connection refused (exit 1)',
    );
  });

  it('times out a wait with the clock it is given', async () => {
    const { linux, clients } = daemons();
    linux.states.set('shop-db-1', [{ Status: 'running', Running: true, Health: { Status: 'starting', Log: [{ Output: 'not yet', ExitCode: 1 }] } }]);
    let t = 0;
    const plan = planOf(stack(), observed(), { dependencyTimeoutMs: 5_000 });
    const error = await execute(plan, { clients, now: () => t, delay: async () => void (t += 1000), pollIntervalMs: 1000 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'timed out after 5s waiting for service db (shop-db-1) to be healthy (web waits for it); last health check: not yet (exit 1)',
    );
  });

  it('gives up a pending wait when another operation fails', async () => {
    const { linux, windows, clients } = daemons();
    linux.states.set('shop-db-1', [{ Status: 'running', Running: true, Health: { Status: 'starting', Log: [] } }]);
    windows.failures.set('createContainer', new Error('no space left on device'));
    const events: StepEvent[] = [];
    const error = await execute(planOf(stack(), observed()), { clients, pollIntervalMs: 1, onEvent: (e) => e.type === 'step' && events.push(e) }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('no space left on device');
    expect(events.find((e) => e.id === 'wait:db:1:healthy' && e.status !== 'started')?.status).toBe('skipped');
  });

  /** The error of an `up` whose `method` call fails on `daemon` with an error of that `code`. */
  const failedUp = async (daemon: 'linux' | 'windows', method: string, failure: { message: string; code: string }): Promise<DaemonError> => {
    const all = daemons();
    all[daemon].failures.set(method, Object.assign(new Error(failure.message), { code: failure.code }));
    const error = await execute(planOf(stack(), observed()), {
      clients: all.clients,
      pollIntervalMs: 1,
      command: 'up',
      resume: { files: ['compose.yaml'], projectName: 'shop', command: 'up', args: ['-d'] },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    return error as DaemonError;
  };

  it('turns a daemon failure into a DaemonError with what was done, not done, and how to continue', async () => {
    const e = await failedUp('windows', 'startContainer', { message: 'connect ECONNREFUSED /run/windows.sock', code: 'ECONNREFUSED' });
    expect(e.daemon).toBe('windows (mem)');
    expect(e.message).toContain('start container shop-web-1');
    expect(e.progress?.done).toContain('start container shop-db-1 (linux)');
    expect(e.progress?.notDone).toContain('start container shop-web-1 (windows)');
    expect(e.progress?.notDone).toContain('register web shop-web-1 in the resolver (linux)');
    // Address details stay in the plan, out of the fault lists.
    expect(e.progress?.notDone.join('\n')).not.toContain('{{');
    expect(e.progress?.resume).toBe('mixcompose -f compose.yaml -p shop up -d');
  });

  it('a resolver that does not confirm a hosts write fails the run naming the resolver, with how to continue', async () => {
    const e = await failedUp('linux', 'exchangeStdin', { message: 'no answer within 30 s', code: 'ENOANSWER' });
    expect(e.message).toContain('in the resolver');
    expect(e.message).toContain('the project resolver (container shop-mixcomp) did not confirm the write: no answer within 30 s; its hosts reader is not running');
    expect(e.progress?.resume).toBe('mixcompose -f compose.yaml -p shop up -d');
  });
});

/** What observe would report of the memory daemons (service containers and the resolver). */
function observedOf(daemons: Record<'linux' | 'windows', MemoryDaemon>): ObservedState {
  const containers: ObservedContainer[] = (['linux', 'windows'] as const).flatMap((platform) =>
    [...daemons[platform].containers.values()].map((c) => {
      const labels = c.body.Labels as Record<string, string>;
      return container({
        id: c.id,
        name: c.name,
        service: labels['com.docker.compose.service']!,
        number: Number(labels['com.docker.compose.container-number'] ?? 1),
        platform,
        labels,
        configHash: labels['com.docker.compose.config-hash']!,
        status: c.running ? 'running' : 'exited',
        ips: c.running && c.ip ? { shop_default: c.ip } : {},
      });
    }),
  );
  const networks = (['linux', 'windows'] as const).map((platform) => ({ id: platform, name: 'shop_default', platform, driver: 'bridge', subnets: [], labels: {} }));
  return observed({ containers, networks });
}

describe('up after stop (Q8): a consumer is kept unless its resolved addresses change', () => {
  const stopAll = async (d: Record<'linux' | 'windows', MemoryDaemon>) => {
    for (const platform of ['linux', 'windows'] as const)
      for (const c of d[platform].containers.values()) if (!c.name.includes('resolver')) c.running = false;
  };

  it('keeps (and starts) the consumer when the provider comes back with the same IP', async () => {
    const { linux, windows, clients } = daemons();
    linux.keepIps = true;
    await execute(planOf(stack(), observed()), { clients, pollIntervalMs: 1 });
    const webId = [...windows.containers.values()].find((c) => c.name === 'shop-web-1')!.id;
    await stopAll({ linux, windows });
    windows.calls.length = 0;
    const events: StepEvent[] = [];
    await execute(planOf(stack(), observedOf({ linux, windows })), { clients, pollIntervalMs: 1, onEvent: (e) => e.type === 'step' && events.push(e) });
    expect(windows.calls.filter((c) => !c.startsWith('inspect'))).toEqual(['start shop-web-1']);
    expect([...windows.containers.values()].find((c) => c.name === 'shop-web-1')!.id).toBe(webId);
    expect(events.find((e) => e.id === 'create:web:1' && e.status === 'done')?.message).toMatch(/^unchanged \(\{\{ db\.ip \}\}=10\.201\.0\.\d+.*\): kept$/);
  });

  it('keeps a running consumer running (no start) when its provider restarted with the same IP', async () => {
    const { linux, windows, clients } = daemons();
    linux.keepIps = true;
    await execute(planOf(stack(), observed()), { clients, pollIntervalMs: 1 });
    [...linux.containers.values()].find((c) => c.name === 'shop-db-1')!.running = false;
    windows.calls.length = 0;
    await execute(planOf(stack(), observedOf({ linux, windows })), { clients, pollIntervalMs: 1 });
    expect(windows.calls.filter((c) => !c.startsWith('inspect'))).toEqual([]);
  });

  it('replaces the consumer (stop, remove, create) when the provider got another IP', async () => {
    const { linux, windows, clients } = daemons();
    await execute(planOf(stack(), observed()), { clients, pollIntervalMs: 1 });
    [...linux.containers.values()].find((c) => c.name === 'shop-db-1')!.running = false;
    windows.calls.length = 0;
    await execute(planOf(stack(), observedOf({ linux, windows })), { clients, pollIntervalMs: 1 });
    expect(windows.calls.filter((c) => !c.startsWith('inspect'))).toEqual(['stop shop-web-1', 'remove shop-web-1', 'create shop-web-1', 'start shop-web-1']);
    const db = [...linux.containers.values()].find((c) => c.name === 'shop-db-1')!;
    expect([...windows.containers.values()].find((c) => c.name === 'shop-web-1')!.body.Env).toEqual([`DB=${db.ip}:5432`]);
  });
});

describe('tarArchive', () => {
  it('writes ustar entries with their parent directories', () => {
    const tar = tarArchive([{ path: 'etc/hosts.d/web-1', content: 'x\n', mode: 0o600 }]);
    expect(tar.length).toBe(512 * 2 + 512 + 512 + 1024);
    expect(tar.subarray(0, 4).toString()).toBe('etc/');
    expect(tar.subarray(156, 157).toString()).toBe('5');
    expect(tar.subarray(1024, 1024 + 16).toString()).toBe('etc/hosts.d/web-');
    expect(tar.subarray(1024 + 100, 1024 + 107).toString()).toBe('0000600');
    expect(tar.subarray(1536, 1538).toString()).toBe('x\n');
  });
});

describe('execute: the plan decides, the executor does', () => {
  /** Four windows services registered in the resolver: they start together, so their entries are one write. */
  const wide = () =>
    project([
      service('db', { command: ['sleep', '1'] }),
      ...['a', 'b', 'c', 'd'].map((n) => service(n, { platform: 'windows', command: ['sleep', '1'] })),
    ]);

  it('writes registrations that are ready together as one batch per resolver (not one write per container), through its stdin', async () => {
    const { linux, clients } = daemons();
    await execute(planOf(wide(), observed()), { clients, pollIntervalMs: 1 });
    const resolver = [...linux.containers.values()].find((c) => c.name === 'shop-mixcompose-resolver')!;
    const written = resolver.hostsBatches.flat().filter((f) => f.content.length > 0).map((f) => `${f.dir.slice(1)}/${f.file}`);
    expect(written.sort()).toEqual([
      'etc/mixcompose-hosts/a-1',
      'etc/mixcompose-hosts/b-1',
      'etc/mixcompose-hosts/c-1',
      'etc/mixcompose-hosts/d-1',
      'etc/mixcompose-hosts/mixcompose-host-gateway',
    ]);
    // Four entries, fewer writes: the ones that became ready while a write was in flight went together.
    expect(resolver.hostsBatches.length).toBeLessThan(4);
    // No archive into the resolver (PUT archive costs the daemon ~50x the CPU of an attach).
    expect(resolver.files).toEqual([]);
    expect(linux.calls.filter((c) => c.startsWith('putArchive'))).toEqual([]);
  });

  it('stops at the AbortSignal: nothing new starts, and the run ends with ExecutionInterrupted saying what was not done', async () => {
    const { linux, windows, clients } = daemons();
    const abort = new AbortController();
    const error = await execute(planOf(stack(), observed()), {
      clients,
      pollIntervalMs: 1,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'step' && e.id === 'start:mixcompose-resolver:1' && e.status === 'done') abort.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionInterrupted);
    expect((error as ExecutionInterrupted).notDone).toContain('create container shop-db-1 (linux)');
    expect(linux.calls.some((c) => c.startsWith('create shop-db-1'))).toBe(false);
    expect(windows.calls.some((c) => c.startsWith('create '))).toBe(false);
  });

  it('adopts an existing network only when it carries the labels the plan names, else fails with the plan\'s refusal', async () => {
    const { linux, windows, clients } = daemons();
    const exists = new EngineApiError('network with name shop_default already exists', 409);
    linux.failures.set('createNetwork', exists);
    windows.failures.set('createNetwork', exists);
    linux.inspectNetwork = async () => ({ Labels: { 'com.docker.compose.project': 'shop' } });
    windows.inspectNetwork = async () => ({ Labels: { 'com.docker.compose.project': 'other' } });
    const error = await execute(planOf(stack(), observed()), { clients, pollIntervalMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as Error).message).toBe(
      'network shop_default already exists on the windows daemon and does not belong to project shop; remove it, or declare it `external: true` to use it',
    );
  });

  it('skips a registration with no address only where the plan says so', async () => {
    const { linux, windows, clients } = daemons();
    const plan = planOf(wide(), observed());
    // a exits at once: it has no address; its registration says "skip".
    windows.startContainer = async function (this: MemoryDaemon, id: string) {
      this.calls.push(`start ${id}`);
    };
    const events: StepEvent[] = [];
    await execute(plan, { clients, pollIntervalMs: 1, onEvent: (e) => e.type === 'step' && events.push(e) });
    expect(events.find((e) => e.id === 'hosts:a:1' && e.status === 'done')?.message).toBe('no address to register');
    const strict: Plan = { ...plan, operations: plan.operations.map((op) => (op.kind === 'register-hosts' ? { ...op, ifNoAddress: 'fail' as const } : op)) };
    const fresh = daemons();
    fresh.windows.startContainer = windows.startContainer;
    const error = await execute(strict, { clients: fresh.clients, pollIntervalMs: 1 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^a: no address to register \(start:a:1 has none on shop_default\)/);
    expect(linux.calls.length).toBeGreaterThan(0);
  });
});
