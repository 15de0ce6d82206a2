/**
 * connectDaemons against the fake engine, which answers with RECORDED /info and /version responses
 * of a Windows Server 2022 daemon and an LCOW daemon (recorded from Docker's and Microsoft's
 * documentation, see test/fixtures/engine/README.md), and of a Debian Linux daemon.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDaemons } from '../../../src/engine/connect-daemons.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import { createDockerodeClient } from '../../../src/engine/dockerode-client.js';
import { DaemonError, PlanError } from '../../../src/errors.js';
import { createPlatformFor, pullPlatformFor } from '../../../src/plan/daemon-check.js';
import { startFakeEngine, type FakeEngine, type RecordedDaemon } from '../../support/fake-engine.js';
import { stubProject, stubService } from './project-stub.js';

const engines: FakeEngine[] = [];
async function engine(daemon: RecordedDaemon, extra: Parameters<typeof startFakeEngine>[0] extends infer O ? Partial<O> : never = {}) {
  const e = await startFakeEngine({ daemon, ...extra });
  engines.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

const mixed = (linuxHost: string, windowsHost: string) =>
  stubProject([stubService('db', 'linux'), stubService('web', 'windows')], { linux: { host: linuxHost }, windows: { host: windowsHost } });

describe('connectDaemons: OS check matrix (recorded Windows responses)', () => {
  it('accepts a linux daemon for linux and a Windows Server 2022 daemon for windows', async () => {
    const linux = await engine('linux');
    const windows = await engine('windows-server-2022');
    const result = await connectDaemons(mixed(linux.host, windows.host), { allowOsMismatch: false, env: {} });
    expect(result.warnings).toEqual([]);
    expect(result.facts.windows).toMatchObject({
      platform: 'windows',
      osType: 'windows',
      storageDriver: 'windowsfilter',
      isolation: 'process',
      lcow: false,
      apiVersion: '1.41',
      osVersion: '10.0.20348.2113',
      networkDrivers: ['ics', 'internal', 'l2bridge', 'l2tunnel', 'nat', 'null', 'overlay', 'private', 'transparent'],
    });
    expect(result.facts.linux).toMatchObject({ osType: 'linux', lcow: false, storageDriver: 'overlay2' });
    expect(result.clients.linux).not.toBe(result.clients.windows);
    expect(result.clients.windows?.apiVersion).toBe('1.41');
    expect(createPlatformFor(result.facts.windows!)).toBeUndefined();
  });

  it('accepts an LCOW daemon for linux services and asks for platform=linux', async () => {
    const lcow = await engine('windows-lcow');
    const windows = await engine('windows-server-2022');
    const result = await connectDaemons(mixed(lcow.host, windows.host), { allowOsMismatch: false, env: {} });
    expect(result.warnings).toEqual([]);
    expect(result.facts.linux).toMatchObject({ osType: 'windows', lcow: true, storageDriver: 'windowsfilter (windows) lcow (linux)' });
    expect(result.notes.join('\n')).toMatch(/LCOW/);
    expect(pullPlatformFor(result.facts.linux!)).toBe('linux');
    expect(createPlatformFor(result.facts.linux!)).toBe('linux');
  });

  it('sends platform=linux on create and pull to an LCOW daemon, as the daemon sees it', async () => {
    const lcow = await engine('windows-lcow');
    const project = stubProject([stubService('db', 'linux')], { linux: { host: lcow.host } });
    const { clients, facts } = await connectDaemons(project, { allowOsMismatch: false, env: {} });
    const client = clients.linux!;
    await client.pullImage('busybox:latest', { platform: pullPlatformFor(facts.linux!) }, () => {});
    await client.createContainer('stub-db-1', { Image: 'busybox:latest' }, createPlatformFor(facts.linux!));
    expect(lcow.find('POST', '/images/create')[0]!.query).toMatchObject({ fromImage: 'busybox', tag: 'latest', platform: 'linux' });
    expect(lcow.find('POST', '/containers/create')[0]!.query).toMatchObject({ name: 'stub-db-1', platform: 'linux' });
  });

  it('warns on an LCOW daemon too old to take platform on create', async () => {
    const lcow = await engine('windows-lcow', { versionOverrides: { ApiVersion: '1.40' } });
    const project = stubProject([stubService('db', 'linux')], { linux: { host: lcow.host } });
    const result = await connectDaemons(project, { allowOsMismatch: false, env: {} });
    expect(result.warnings.join('\n')).toMatch(/API 1\.40: creates need API 1\.41\+/);
    expect(pullPlatformFor(result.facts.linux!)).toBe('linux');
    expect(createPlatformFor(result.facts.linux!)).toBeUndefined();
  });

  it('refuses a Windows daemon for linux services, naming the daemon and what it reported', async () => {
    const windows = await engine('windows-server-2022');
    const project = stubProject([stubService('db', 'linux')], { linux: { host: windows.host } });
    const error = await connectDaemons(project, { allowOsMismatch: false, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toContain(`linux daemon linux (${windows.host})`);
    expect(message).toContain('OSType "windows"');
    expect(message).toContain('Windows Server 2022 Datacenter');
    expect(message).toContain('--allow-os-mismatch');
  });

  it('refuses a Linux daemon for windows services unless the mismatch is allowed, then warns', async () => {
    const linux = await engine('linux');
    const standIn = await engine('linux');
    const project = mixed(linux.host, standIn.host);
    await expect(connectDaemons(project, { allowOsMismatch: false, env: {} })).rejects.toThrow(
      /windows daemon windows \(unix:.*\) reports OSType "linux" \(Debian GNU\/Linux 12 \(bookworm\), storage driver overlay2\), so it cannot run windows services/,
    );
    const allowed = await connectDaemons(project, { allowOsMismatch: true, env: {} });
    expect(allowed.warnings).toHaveLength(1);
    expect(allowed.warnings[0]).toMatch(/windows daemon .* reports OSType "linux".*--allow-os-mismatch/);
    expect(allowed.facts.windows).toMatchObject({ platform: 'windows', osType: 'linux' });
  });

  it('shares one client when both platforms name the same endpoint', async () => {
    const lcow = await engine('windows-lcow');
    const result = await connectDaemons(mixed(lcow.host, lcow.host), { allowOsMismatch: false, env: {} });
    expect(result.clients.linux).toBe(result.clients.windows);
    expect(result.facts.linux?.sharedWith).toBe('windows');
    expect(result.facts.windows?.sharedWith).toBe('linux');
    expect(lcow.find('GET', '/info')).toHaveLength(1);
  });

  it('connects only the platforms the services use', async () => {
    const linux = await engine('linux');
    const project = stubProject([stubService('db', 'linux')], { linux: { host: linux.host }, windows: { host: 'unix:///nonexistent.sock' } });
    const result = await connectDaemons(project, { allowOsMismatch: false, env: {} });
    expect(Object.keys(result.clients)).toEqual(['linux']);
  });

  it('names an unreachable daemon and the call that failed', async () => {
    const linux = await engine('linux');
    const project = mixed(linux.host, 'unix:///nonexistent/mixcompose.sock');
    const error = await connectDaemons(project, { allowOsMismatch: true, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as DaemonError).daemon).toBe('windows (unix:///nonexistent/mixcompose.sock)');
    expect((error as Error).message).toMatch(/daemon windows \(unix:\/\/\/nonexistent\/mixcompose\.sock\): (version|info) failed: .*ENOENT/);
  });

  it('gives up on a daemon that does not answer, naming it', async () => {
    const silent = await engine('windows-server-2022', {
      routes: [{ method: 'GET', path: /^\/(version|info)$/, handle: () => new Promise<void>(() => {}) }],
    });
    const project = stubProject([stubService('web', 'windows')], { windows: { host: silent.host } });
    const error = await connectDaemons(project, { allowOsMismatch: false, env: {}, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as Error).message).toBe(`daemon windows (${silent.host}): connect failed: no answer to /version and /info within 0.2 s`);
  });

  it('reaches a daemon over loopback tcp', async () => {
    const windows = await engine('windows-server-2022', { listen: 'tcp' });
    const project = stubProject([stubService('web', 'windows')], { windows: { host: windows.host } });
    const result = await connectDaemons(project, { allowOsMismatch: false, env: {} });
    expect(result.facts.windows?.label).toBe(`windows (${windows.host})`);
  });
});

/** A loopback TCP port that accepts connections and never answers (a wedged or half-up daemon). */
async function blackhole() {
  const sockets = new Set<Socket>();
  let onClose = () => {};
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.resume(); // read (and drop) the request, so the client's hang-up is seen
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      onClose();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: `tcp://127.0.0.1:${port}`,
    sockets,
    /** Resolves once every connection it accepted was closed by the client. */
    allClosed: () => new Promise<void>((resolve) => {
      onClose = () => sockets.size === 0 && resolve();
      onClose();
    }),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('connectDaemons: nothing left open', () => {
  it('closes its connections to a daemon that never answers, so the process can exit', async () => {
    const hole = await blackhole();
    try {
      const project = stubProject([stubService('db', 'linux')], { linux: { host: hole.host } });
      const error = await connectDaemons(project, { allowOsMismatch: false, env: {}, timeoutMs: 200 }).catch((e: unknown) => e);
      expect((error as Error).message).toBe(`daemon linux (${hole.host}): connect failed: no answer to /version and /info within 0.2 s`);
      await hole.allClosed(); // the vitest timeout fails this if a socket stays open
      expect(hole.sockets.size).toBe(0);
    } finally {
      await hole.close();
    }
  });

  it('closes every client it opened when one daemon fails or runs the wrong OS', async () => {
    const linux = await engine('linux');
    const closed: string[] = [];
    const createClient = (endpoint: Parameters<typeof createDockerodeClient>[0]['modem'] extends infer M ? { modem: M; label: string } : never, label: string): DaemonClient => {
      const inner = createDockerodeClient({ label, modem: endpoint.modem });
      return Object.assign(inner, { close: () => closed.push(label) });
    };
    // Wrong OS: a linux daemon named for windows services, mismatch not allowed.
    const wrongOs = mixed(linux.host, (await engine('linux')).host);
    await expect(connectDaemons(wrongOs, { allowOsMismatch: false, env: {}, createClient })).rejects.toBeInstanceOf(PlanError);
    expect([...new Set(closed)].sort()).toEqual([`linux (${linux.host})`, expect.stringMatching(/^windows /)]);
    closed.length = 0;
    // Unreachable windows daemon: the reachable linux client is closed too.
    const unreachable = mixed(linux.host, 'unix:///nonexistent/mixcompose.sock');
    await expect(connectDaemons(unreachable, { allowOsMismatch: true, env: {}, createClient })).rejects.toBeInstanceOf(DaemonError);
    expect([...new Set(closed)].sort()).toEqual([`linux (${linux.host})`, 'windows (unix:///nonexistent/mixcompose.sock)']);
  });
});

describe('connectDaemons: only the daemons of active services are required', () => {
  const withDisabledWindows = (linuxHost: string, windowsHost: string) => {
    const project = stubProject([stubService('db', 'linux')], { linux: { host: linuxHost }, windows: { host: windowsHost } });
    return { ...project, disabledServices: { win: stubService('win', 'windows', { profiles: ['win'] }) } };
  };

  it('does not need the windows daemon when only a disabled profile uses it', async () => {
    const linux = await engine('linux');
    const result = await connectDaemons(withDisabledWindows(linux.host, 'unix:///nonexistent/mixcompose.sock'), { allowOsMismatch: false, env: {} });
    expect(Object.keys(result.clients)).toEqual(['linux']);
    expect(Object.keys(result.facts)).toEqual(['linux']);
    expect(Object.keys(result.endpoints)).toEqual(['linux']);
    expect(result.warnings).toEqual([]);
    expect(result.notes.join('\n')).toMatch(/the windows daemon is not connected \(only services of disabled profiles use it\): .*ENOENT/);
  });

  it('does not fail over the OS of a daemon only a disabled profile would use (both platforms on one linux daemon)', async () => {
    const linux = await engine('linux');
    const result = await connectDaemons(withDisabledWindows(linux.host, linux.host), { allowOsMismatch: false, env: {} });
    expect(Object.keys(result.clients)).toEqual(['linux']);
    expect(result.facts.linux?.sharedWith).toBeUndefined();
    expect(result.notes.join('\n')).toMatch(/windows daemon is not connected .*OSType "linux"/);
  });

  it('still connects that daemon when it is there, so down and ps see containers of disabled services', async () => {
    const linux = await engine('linux');
    const windows = await engine('windows-server-2022');
    const result = await connectDaemons(withDisabledWindows(linux.host, windows.host), { allowOsMismatch: false, env: {} });
    expect(Object.keys(result.clients).sort()).toEqual(['linux', 'windows']);
    expect(result.facts.windows?.osType).toBe('windows');
  });

  it('gives up on such a daemon quickly when it does not answer, and closes the connection', async () => {
    const linux = await engine('linux');
    const hole = await blackhole();
    try {
      const started = Date.now();
      const result = await connectDaemons(withDisabledWindows(linux.host, hole.host), { allowOsMismatch: false, env: {}, timeoutMs: 60_000 });
      expect(Date.now() - started).toBeLessThan(10_000); // capped (3 s), not the 60 s connect timeout
      expect(Object.keys(result.clients)).toEqual(['linux']);
      expect(result.notes.join('\n')).toMatch(/no answer to \/version and \/info within 3 s/);
      await hole.allClosed();
    } finally {
      await hole.close();
    }
  });

  it('requires every platform named explicitly', async () => {
    const linux = await engine('linux');
    const error = await connectDaemons(withDisabledWindows(linux.host, 'unix:///nonexistent/mixcompose.sock'), {
      allowOsMismatch: false,
      env: {},
      platforms: ['linux', 'windows'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
  });
});
