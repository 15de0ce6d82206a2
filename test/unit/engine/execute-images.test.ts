/**
 * The executor's pull-image and build-image operations against in-memory daemons: a service whose
 * image is present is created while another service's image is still being pulled; progress comes
 * under the operation's id; a pulled image that differs from a kept container's recreates it, one
 * that does not keeps it; the OS checked after a pull; a failed pull that builds instead.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExecutionInterrupted, execute } from '../../../src/engine/execute.js';
import type { EngineEvent, StepEvent } from '../../../src/model/events.js';
import type { EngineBody, ProgressMessage } from '../../../src/engine/daemon-client.js';
import type { ServiceImageFact } from '../../../src/plan/image-facts.js';
import { materializeSpec } from '../../../src/plan/materialize.js';
import type { Plan } from '../../../src/plan/plan.js';
import { container, observed, planOf, project, service } from '../plan/builders.js';
import { MemoryDaemon } from './memory-daemon.js';

const now = 1_800_000_000_000;
const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;
const linuxImage = { platforms: [{ os: 'linux', architecture: 'amd64' }] };

beforeAll(() => {
  // Registry credentials come from $DOCKER_CONFIG: an empty one, not this machine's.
  process.env.DOCKER_CONFIG = mkdtempSync(join(tmpdir(), 'mixcompose-docker-config-'));
});

/** A daemon with images: a pull waits for `release()` when gated, then leaves `pulled` under the name. */
class ImageDaemon extends MemoryDaemon {
  readonly images = new Map<string, EngineBody>();
  pulled: EngineBody = { Id: NEW, Os: 'linux' };
  pullFails?: Error;
  built: string[] = [];
  private gate?: Promise<void>;
  release: () => void = () => undefined;

  constructor(label: string, subnet: string) {
    super(label, subnet);
    // The memory daemon's image calls answer nothing; these hold images.
    Object.assign(this, {
      inspectImage: async (name: string) => this.images.get(name),
      pullImage: (name: string, options: { signal?: AbortSignal }, onProgress: (m: ProgressMessage) => void) => this.pull(name, onProgress, options.signal),
      buildImage: async (_context: unknown, query: EngineBody) => {
        this.calls.push(`build ${String(query.t)} remote=${String(query.remote)}`);
        this.built.push(String(query.t));
        this.images.set(String(query.t), { Id: NEW, Os: 'linux' });
        return NEW;
      },
    });
  }

  gatePulls(): void {
    this.gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }
  private async pull(name: string, onProgress: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<void> {
    this.calls.push(`pull ${name}`);
    // As the adapter does: an aborted signal closes the stream, and the pull rejects.
    const aborted = new Promise<never>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('pull image: aborted')), { once: true }));
    aborted.catch(() => undefined);
    onProgress({ id: 'abcdef012345', status: 'Downloading', progressDetail: { current: 5, total: 10 } });
    await Promise.race([aborted, this.gate]);
    if (this.pullFails) throw this.pullFails;
    onProgress({ id: 'abcdef012345', status: 'Pull complete' });
    this.images.set(name, this.pulled);
  }
}

function fact(serviceName: string, extra: Partial<ServiceImageFact> = {}): ServiceImageFact {
  return { service: serviceName, daemon: 'linux', image: 'mixcompose-test/busybox:latest', ...extra };
}

function run(plan: Plan, linux: ImageDaemon): Promise<{ events: EngineEvent[] }> {
  const events: EngineEvent[] = [];
  return execute(plan, { clients: { linux }, pollIntervalMs: 1, onEvent: (e) => events.push(e) }).then(() => ({ events }));
}

describe('pull and build operations', () => {
  it("creates a service whose image is present before another service's pull ends", async () => {
    const linux = new ImageDaemon('linux (mem)', '10.201.0');
    linux.gatePulls();
    const stack = project([service('db', { image: 'mixcompose-test/db:1' }), service('web', { image: 'mixcompose-test/web:1' })]);
    const gathered = [fact('db', { image: 'mixcompose-test/db:1', local: { id: OLD, os: 'linux' } }), fact('web', { image: 'mixcompose-test/web:1', registry: linuxImage })];
    const plan = planOf(stack, observed({ imageFacts: gathered }), { images: { now } });
    const order: string[] = [];
    // The pull ends only once db has started: an executor that made db wait for it would never finish.
    const events: EngineEvent[] = [];
    const done = execute(plan, {
      clients: { linux },
      pollIntervalMs: 1,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step') order.push(`${e.id}:${e.status}`);
        if (e.type === 'step' && e.id === 'start:db:1' && e.status === 'done') linux.release();
      },
    });
    await done;
    expect(order.indexOf('start:db:1:done')).toBeLessThan(order.indexOf('pull:linux:mixcompose-test/web:1:done'));
    expect(order.indexOf('pull:linux:mixcompose-test/web:1:done')).toBeLessThan(order.indexOf('create:web:1:started'));
    expect(linux.calls.filter((c) => c.startsWith('pull '))).toEqual(['pull mixcompose-test/web:1']);
    // Progress under the operation's id, and the pull step says what it moved.
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.id === 'pull:linux:mixcompose-test/web:1')).toBe(true);
    const pullDone = events.find((e): e is StepEvent => e.type === 'step' && e.id === 'pull:linux:mixcompose-test/web:1' && e.status === 'done');
    expect(pullDone).toMatchObject({ resource: 'image', action: 'pull', name: 'mixcompose-test/web:1', message: '1 layer, 10 B' });
  });

  describe('a kept container whose image is pulled again (--pull always)', () => {
    const alone = project([service('db')]);
    const create = planOf(alone, observed()).operations.find((op) => op.kind === 'create-container')!;
    const hash = materializeSpec((create as Extract<typeof create, { kind: 'create-container' }>).spec, () => undefined)!.hash;
    const running = container({ service: 'db', platform: 'linux', configHash: hash, imageId: OLD });
    const plan = () =>
      planOf(alone, observed({ containers: [running], imageFacts: [fact('db', { local: { id: OLD, os: 'linux' }, registry: linuxImage })] }), { images: { now, pull: 'always' } });

    it('is recreated when the pull brings another image', async () => {
      const linux = new ImageDaemon('linux (mem)', '10.201.0');
      linux.containers.set(running.id, { id: running.id, name: running.name, body: {}, running: true, files: [], hostsBatches: [] });
      const { events } = await run(plan(), linux);
      expect(linux.calls).toContain(`remove ${running.name}`);
      expect(events.find((e) => e.type === 'step' && e.id === 'create:db:1' && e.status === 'done')).toMatchObject({ message: 'recreated (image changed)' });
    });

    it('is kept when the pull leaves the image it runs', async () => {
      const linux = new ImageDaemon('linux (mem)', '10.201.0');
      linux.pulled = { Id: OLD, Os: 'linux' };
      linux.containers.set(running.id, { id: running.id, name: running.name, body: {}, running: true, files: [], hostsBatches: [] });
      const { events } = await run(plan(), linux);
      expect(linux.calls.filter((c) => /^(remove|create|start) /.test(c))).toEqual([]);
      expect(events.find((e) => e.type === 'step' && e.id === 'create:db:1' && e.status === 'done')).toMatchObject({ message: 'unchanged: kept' });
    });
  });

  it('fails a pull whose image comes with another OS than the registry listed', async () => {
    const linux = new ImageDaemon('linux (mem)', '10.201.0');
    linux.pulled = { Id: NEW, Os: 'windows' };
    const plan = planOf(project([service('db')]), observed({ imageFacts: [fact('db', { registry: linuxImage })] }), { images: { now } });
    await expect(run(plan, linux)).rejects.toThrow(/came from the registry as windows, not linux/);
    expect(linux.calls.filter((c) => c.startsWith('create '))).toEqual([]);
  });

  it('builds instead when the pull of a pull_policy: always service with a build section fails', async () => {
    const linux = new ImageDaemon('linux (mem)', '10.201.0');
    linux.pullFails = new Error('manifest unknown');
    const app = service('app', { pull_policy: 'always', build: { context: 'https://example.com/app.git' } } as never);
    const plan = planOf(project([app]), observed({ imageFacts: [fact('app', { registry: linuxImage })] }), { images: { now, dockerBuildKit: '0' } });
    const { events } = await run(plan, linux);
    expect(linux.calls).toContain('build mixcompose-test/busybox:latest remote=https://example.com/app.git');
    expect(events.find((e) => e.type === 'step' && e.id === 'pull:linux:mixcompose-test/busybox:latest' && e.status === 'done')).toMatchObject({ message: expect.stringMatching(/^pull failed \(manifest unknown\); built/) });
    expect(linux.calls.indexOf('create shop-app-1')).toBeGreaterThan(linux.calls.findIndex((c) => c.startsWith('build ')));
  });

  it('ends a pull under way when the run is interrupted: skipped, no build in its place, nothing created', async () => {
    const linux = new ImageDaemon('linux (mem)', '10.201.0');
    linux.gatePulls();
    const app = service('app', { pull_policy: 'always', build: { context: 'https://example.com/app.git' } } as never);
    const plan = planOf(project([app]), observed({ imageFacts: [fact('app', { registry: linuxImage })] }), { images: { now, dockerBuildKit: '0' } });
    const interrupt = new AbortController();
    const events: EngineEvent[] = [];
    const run = execute(plan, {
      clients: { linux },
      pollIntervalMs: 1,
      signal: interrupt.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type !== 'progress' || interrupt.signal.aborted) return;
        // Ctrl-C while the pull downloads; a pull that did not take the signal ends by itself after.
        interrupt.abort();
        linux.release();
      },
    });
    await expect(run).rejects.toBeInstanceOf(ExecutionInterrupted);
    const pullStep = events.filter((e): e is StepEvent => e.type === 'step' && e.id === 'pull:linux:mixcompose-test/busybox:latest').map((e) => e.status);
    expect(pullStep).toEqual(['started', 'skipped']);
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
    expect(linux.calls.filter((c) => /^(build|create|start) /.test(c))).toEqual([]);
  });

  it('builds a service on its daemon before creating it', async () => {
    const linux = new ImageDaemon('linux (mem)', '10.201.0');
    const app = service('app', { image: undefined, build: { context: 'https://example.com/app.git' } } as never);
    const plan = planOf(project([app]), observed({ imageFacts: [fact('app', { image: 'shop-app' })] }), { images: { now, dockerBuildKit: '0' } });
    expect(plan.operations.find((op) => op.id === 'create:app:1')!.deps).toContain('build:linux:app');
    await run(plan, linux);
    expect(linux.built).toEqual(['shop-app']);
    expect(linux.calls.indexOf('create shop-app-1')).toBeGreaterThan(linux.calls.indexOf('build shop-app remote=https://example.com/app.git'));
  });
});
