/**
 * The per-project lock against the fake engine: a tiny container table (create with 409 on a taken
 * name, inspect, remove, archive) added as extra routes, and a fake clock. No real time passes:
 * `sleep` advances the clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';

import { startFakeEngine, type FakeEngine, type FakeRoute } from '../../support/fake-engine.js';
import { createDockerodeClient } from '../../../src/engine/dockerode-client.js';
import { modemOptionsFor, parseDockerHost } from '../../../src/engine/daemon-endpoints.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import type { EngineEvent } from '../../../src/model/events.js';
import {
  acquireProjectLock,
  LOCK_LABELS,
  LOCK_RENEWED_FILE,
  lockName,
  ProjectLockedError,
  type ProjectLockOptions,
} from '../../../src/engine/project-lock.js';
import { tarFiles } from '../../../src/engine/tar.js';

interface FakeContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  files: Map<string, Buffer>;
}

function send(res: ServerResponse, status: number, body?: unknown, type = 'application/json'): void {
  const data = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': data.length });
  res.end(data);
}

/** Containers by name, with the few endpoints the lock uses. */
function containerRoutes(table: Map<string, FakeContainer>): FakeRoute[] {
  let next = 1;
  const byRef = (ref: string) => table.get(ref) ?? [...table.values()].find((c) => c.id === ref);
  return [
    {
      method: 'POST',
      path: /^\/containers\/create$/,
      handle: (req, res) => {
        const name = req.query.name!;
        const taken = table.get(name);
        if (taken) return send(res, 409, { message: `Conflict. The container name "/${name}" is already in use by container "${taken.id}".` });
        const body = req.body as { Labels?: Record<string, string> };
        const id = `lock${String(next++).padStart(60, '0')}`;
        table.set(name, { id, name, labels: body.Labels ?? {}, files: new Map() });
        send(res, 201, { Id: id, Warnings: [] });
      },
    },
    {
      method: 'GET',
      path: /^\/containers\/([^/]+)\/json$/,
      handle: (_req, res, m) => {
        const c = byRef(m[1]!);
        if (!c) return send(res, 404, { message: `No such container: ${m[1]}` });
        send(res, 200, { Id: c.id, Name: `/${c.name}`, Config: { Labels: c.labels } });
      },
    },
    {
      method: 'DELETE',
      path: /^\/containers\/([^/]+)$/,
      handle: (_req, res, m) => {
        const c = byRef(m[1]!);
        if (!c) return send(res, 404, { message: `No such container: ${m[1]}` });
        table.delete(c.name);
        send(res, 204);
      },
    },
    {
      method: 'PUT',
      path: /^\/containers\/([^/]+)\/archive$/,
      handle: (req, res, m) => {
        const c = byRef(m[1]!);
        if (!c) return send(res, 404, { message: `No such container: ${m[1]}` });
        for (const f of tarFiles(req.raw)) c.files.set(`/${f.path}`, f.content);
        send(res, 200);
      },
    },
    {
      method: 'GET',
      path: /^\/containers\/([^/]+)\/archive$/,
      handle: async (req, res, m) => {
        const c = byRef(m[1]!);
        const content = c?.files.get(req.query.path!);
        if (!content) return send(res, 404, { message: 'Could not find the file' });
        const { tarArchive } = await import('../../../src/engine/tar.js');
        send(res, 200, tarArchive([{ path: req.query.path!.slice(1), content }]), 'application/x-tar');
      },
    },
  ];
}

describe('project lock (fake engine, fake clock)', () => {
  let engine: FakeEngine;
  let table: Map<string, FakeContainer>;
  let client: DaemonClient;
  let clock: number;
  let events: EngineEvent[];
  let sleeps: number[];

  beforeEach(async () => {
    table = new Map();
    engine = await startFakeEngine({ daemon: 'linux', routes: containerRoutes(table) });
    client = createDockerodeClient({ label: 'linux (fake)', modem: modemOptionsFor(parseDockerHost(engine.host), undefined, {}) });
    clock = Date.UTC(2026, 11, 2, 0, 40);
    events = [];
    sleeps = [];
  });
  afterEach(async () => {
    client.close?.();
    await engine.close();
  });

  const options = (over: Partial<ProjectLockOptions> = {}): ProjectLockOptions => ({
    client,
    project: 'shop',
    command: 'up',
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    hostname: 'ci-7',
    pid: 4242,
    isAlive: () => true,
    onEvent: (e) => events.push(e),
    every: () => () => undefined,
    ...over,
  });

  it('creates a labelled, never-started container named after the project, and removes it on release', async () => {
    const lock = await acquireProjectLock(options());
    const held = table.get(lockName('shop'))!;
    expect(held.labels).toEqual({
      [LOCK_LABELS.lock]: 'true',
      [LOCK_LABELS.project]: 'shop',
      [LOCK_LABELS.host]: 'ci-7',
      [LOCK_LABELS.pid]: '4242',
      [LOCK_LABELS.command]: 'up',
      [LOCK_LABELS.since]: '2026-12-02T00:40:00.000Z',
    });
    expect(engine.find('POST', /\/start$/)).toEqual([]);
    const create = engine.find('POST', '/containers/create')[0]!;
    expect(create.body).toMatchObject({ Cmd: ['mixcompose-lock'], HostConfig: { NetworkMode: 'none' } });
    expect((create.body as { Image?: string }).Image).toBeUndefined();
    await lock.release();
    await lock.release(); // idempotent
    expect(table.size).toBe(0);
    expect(engine.find('DELETE', /^\/containers\//)).toHaveLength(1);
  });

  it('refuses a second taker at once, naming the holder (host, pid, command, since)', async () => {
    await acquireProjectLock(options());
    const error = await acquireProjectLock(options({ pid: 5000, command: 'down' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectLockedError);
    expect((error as Error).message).toBe(
      'project shop is locked by another mixcompose: up on host ci-7 (pid 4242) since 2026-12-02T00:40:00.000Z. ' +
        'Only one command at a time may change a project. Wait for it with --wait-lock[=seconds]; ' +
        'if that process is gone for good, remove the lock: docker rm -f shop-mixcompose-lock (on daemon linux (fake))',
    );
    expect(sleeps).toEqual([]);
    expect(table.get('shop-mixcompose-lock')!.labels[LOCK_LABELS.pid]).toBe('4242');
  });

  it('other projects are not blocked', async () => {
    await acquireProjectLock(options());
    await acquireProjectLock(options({ project: 'other' }));
    expect([...table.keys()].sort()).toEqual(['other-mixcompose-lock', 'shop-mixcompose-lock']);
  });

  it('--wait-lock waits with growing pauses and takes the lock once the holder releases it', async () => {
    const first = await acquireProjectLock(options());
    let tries = 0;
    const second = acquireProjectLock(
      options({
        pid: 5000,
        waitSeconds: 60,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
          if (++tries === 4) await first.release();
        },
      }),
    );
    const lock = await second;
    expect(sleeps).toEqual([200, 400, 800, 1600]);
    expect(table.get('shop-mixcompose-lock')!.id).toBe(lock.id);
    expect(table.get('shop-mixcompose-lock')!.labels[LOCK_LABELS.pid]).toBe('5000');
    expect(events.map((e) => (e.type === 'warning' ? e.message : ''))).toEqual([
      'project shop is locked by up on host ci-7 (pid 4242) since 2026-12-02T00:40:00.000Z: waiting up to 60 s',
    ]);
  });

  it('--wait-lock gives up after its time, never sleeping past it, and says how long it waited', async () => {
    await acquireProjectLock(options());
    const error = await acquireProjectLock(options({ pid: 5000, waitSeconds: 10 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectLockedError);
    expect((error as Error).message).toContain('(waited 10 s)');
    expect(sleeps).toEqual([200, 400, 800, 1600, 3200, 3800]);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('takes over a lock whose owner on this host is gone, with a warning', async () => {
    await acquireProjectLock(options({ pid: 111 }));
    const lock = await acquireProjectLock(options({ pid: 222, isAlive: (pid) => pid !== 111 }));
    expect(table.get('shop-mixcompose-lock')!.id).toBe(lock.id);
    expect(table.get('shop-mixcompose-lock')!.labels[LOCK_LABELS.pid]).toBe('222');
    expect(events[0]).toMatchObject({ type: 'warning', message: expect.stringContaining('its process 111 on this host is gone') });
  });

  it('does not judge a pid of another host (it may be alive there) until the stale bound', async () => {
    await acquireProjectLock(options({ hostname: 'ci-8', pid: 111 }));
    await expect(acquireProjectLock(options({ isAlive: () => false }))).rejects.toBeInstanceOf(ProjectLockedError);
    clock += 60 * 60 * 1000 + 1;
    const lock = await acquireProjectLock(options({ isAlive: () => false }));
    expect(table.get('shop-mixcompose-lock')!.id).toBe(lock.id);
    expect(events.at(-1)).toMatchObject({ message: expect.stringContaining('it was not renewed for 3600 s (bound 3600 s)') });
  });

  it('a renewed lock is not stale: renewal writes the time into the lock container', async () => {
    const ticks: (() => void)[] = [];
    const holder = await acquireProjectLock(options({ hostname: 'ci-8', every: (ms, tick) => (expect(ms).toBe(15 * 60 * 1000), ticks.push(tick), () => undefined) }));
    clock += 50 * 60 * 1000;
    await holder.renew();
    expect(table.get('shop-mixcompose-lock')!.files.get(`/${LOCK_RENEWED_FILE}`)!.toString()).toBe(String(clock));
    clock += 50 * 60 * 1000; // 100 min after taking it, 50 after renewing
    await expect(acquireProjectLock(options())).rejects.toBeInstanceOf(ProjectLockedError);
    clock += 11 * 60 * 1000;
    await acquireProjectLock(options());
    expect(ticks).toHaveLength(1);
  });

  it('refuses a container of that name that is no lock, and leaves it alone', async () => {
    table.set('shop-mixcompose-lock', { id: 'foreign1', name: 'shop-mixcompose-lock', labels: { owner: 'someone' }, files: new Map() });
    const error = await acquireProjectLock(options({ waitSeconds: 30 })).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'project shop cannot be locked: a container named shop-mixcompose-lock on daemon linux (fake) is not a mixcompose lock ' +
        '(it has no io.mixcompose.lock label). Rename or remove it, or use another project name (-p)',
    );
    expect(table.get('shop-mixcompose-lock')!.id).toBe('foreign1');
    expect(engine.find('DELETE', /^\/containers\//)).toEqual([]);
  });

  it('two takers at once: exactly one gets it', async () => {
    const results = await Promise.allSettled([acquireProjectLock(options({ pid: 1 })), acquireProjectLock(options({ pid: 2 }))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ProjectLockedError)).toHaveLength(1);
    expect(table.size).toBe(1);
  });

  it('a stale lock is removed by its ID: a fresh lock taken meanwhile under the same name survives', async () => {
    await acquireProjectLock(options({ pid: 111 }));
    const staleId = table.get('shop-mixcompose-lock')!.id;
    // A taker found the stale lock; before it removes it, someone else replaced it.
    const wrapped: DaemonClient = Object.create(client) as DaemonClient;
    let swapped = false;
    wrapped.removeContainer = async (id, o) => {
      if (!swapped) {
        swapped = true;
        await client.removeContainer(staleId, o);
        await client.createContainer('shop-mixcompose-lock', {
          Cmd: ['x'],
          Labels: { [LOCK_LABELS.lock]: 'true', [LOCK_LABELS.host]: 'ci-7', [LOCK_LABELS.pid]: '333', [LOCK_LABELS.command]: 'down', [LOCK_LABELS.since]: new Date(clock).toISOString() },
        });
      }
      return client.removeContainer(id, o);
    };
    const error = await acquireProjectLock(options({ client: wrapped, pid: 222, isAlive: (pid) => pid !== 111 })).catch((e: unknown) => e);
    expect((error as Error).message).toContain('down on host ci-7 (pid 333)');
    expect(table.get('shop-mixcompose-lock')!.labels[LOCK_LABELS.pid]).toBe('333');
  });

  it('a daemon error other than a conflict passes through', async () => {
    await engine.close();
    await expect(acquireProjectLock(options())).rejects.toThrow(/create container shop-mixcompose-lock/);
    engine = await startFakeEngine({ daemon: 'linux' });
  });
});
