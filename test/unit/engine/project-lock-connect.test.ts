/**
 * The project lock taken beside connecting (connectDaemons' `beside`, the CLI's lockWhileConnecting):
 * the lock's create is asked while /version and /info are unanswered; a failed connect releases a
 * lock it took before closing the clients; a lock that cannot be taken fails the connect; the CLI
 * keeps the early lock only when it is on the daemon the lock belongs on. In-memory clients that
 * record calls and hold /version until the test lets it go.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { connectDaemons } from '../../../src/engine/connect-daemons.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import { lockWhileConnecting, openProjectLock, takeProjectLock, upHintDigest, type HeldLock } from '../../../src/cli/project-lock-hook.js';
import { fileUpHints } from '../../../src/engine/up-hint.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDaemon } from './memory-daemon.js';
import { stubProject, stubService } from './project-stub.js';

const mixed = () =>
  stubProject([stubService('db', 'linux'), stubService('web', 'windows')], { linux: { host: 'unix:///run/l.sock' }, windows: { host: 'unix:///run/w.sock' } }, 'shop');

/** Clients by label ("linux" / "windows") whose /version answers once `answer` is called (`fail`: the windows one fails, the linux one answers). */
function heldClients(calls: string[]) {
  const made: Record<string, MemoryDaemon> = {};
  let answer!: () => void;
  let fail!: (error: Error) => void;
  const versionHeld = new Promise<void>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  versionHeld.catch(() => undefined);
  const createClient = (_endpoint: unknown, label: string): DaemonClient => {
    const platform = label.startsWith('windows') ? 'windows' : 'linux';
    const client = new MemoryDaemon(platform, platform === 'linux' ? '10.201.0' : '10.202.0');
    client.version = async () => {
      calls.push(`version ${platform} (asked)`);
      await (platform === 'windows' ? versionHeld : versionHeld.catch(() => undefined));
      calls.push(`version ${platform} (answered)`);
      return { ApiVersion: '1.41' };
    };
    (client as DaemonClient).close = () => void calls.push(`close ${platform}`);
    made[platform] = client;
    return client;
  };
  return { made, createClient, answer: () => answer(), fail: (error: Error) => fail(error) };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** connectDaemons of the two-daemon stack on the rig's clients, with `beside`. */
function connectBeside(rig: ReturnType<typeof heldClients>, beside: Parameters<typeof connectDaemons>[1]['beside']) {
  return connectDaemons(mixed(), { allowOsMismatch: true, env: {}, createClient: rig.createClient as never, ...(beside ? { beside } : {}) });
}

describe('connectDaemons: work beside connecting', () => {
  it('starts the beside work with the required clients before /version answers, and returns what it holds', async () => {
    const calls: string[] = [];
    const rig = heldClients(calls);
    const released: string[] = [];
    const connecting = connectBeside(rig, async (clients) => {
      calls.push(`beside ${Object.keys(clients).sort().join('+')}`);
      await clients.linux!.createContainer('shop-mixcompose-lock', {});
      return { release: async () => void released.push('lock') };
    });
    await settle();
    expect(calls).toContain('beside linux+windows');
    expect(rig.made.linux!.calls).toEqual(['create shop-mixcompose-lock']);
    expect(calls.filter((c) => c.endsWith('(answered)'))).toEqual([]);
    rig.answer();
    const connected = await connecting;
    expect(connected.beside).toBeDefined();
    expect(released).toEqual([]);
    await connected.beside!.release();
    expect(released).toEqual(['lock']);
  });

  it('a failed connect (the windows daemon does not answer) releases what the beside work holds before the linux client closes', async () => {
    const calls: string[] = [];
    const rig = heldClients(calls);
    const connecting = connectBeside(rig, async () => ({ release: async () => void calls.push('release lock') }));
    await settle();
    rig.fail(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(connecting).rejects.toThrow(/ECONNREFUSED/);
    const release = calls.indexOf('release lock');
    expect(release).toBeGreaterThanOrEqual(0);
    // The failed daemon's client may close first (nothing can be released through it); the lock's may not.
    expect(calls.slice(release + 1)).toContain('close linux');
    expect(calls.slice(0, release)).not.toContain('close linux');
  });

  it('beside work that fails (the project is locked) fails the connect and closes the clients', async () => {
    const calls: string[] = [];
    const rig = heldClients(calls);
    const connecting = connectBeside(rig, async () => {
      throw new Error('project shop is locked by another mixcompose');
    });
    rig.answer();
    await expect(connecting).rejects.toThrow(/locked by another mixcompose/);
    expect(calls.filter((c) => c.startsWith('close')).sort()).toEqual(['close linux', 'close windows']);
  });
});

/** A commander command named `name` with the given flags parsed. */
function commandOf(name: string, flags: Record<string, unknown> = {}): Command {
  const command = new Command(name).option('--dry-run');
  for (const [k, v] of Object.entries(flags)) command.setOptionValue(k, v);
  return command;
}

describe('the CLI lock taken while connecting', () => {
  const sink = () => undefined;

  it('mutating commands take it on the linux daemon; dry runs and read-only commands do not', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const windows = new MemoryDaemon('windows', '10.202.0');
    const reads: string[] = [];
    const asked: string[] = [];
    linux.getArchive = async (container: string, path: string) => void reads.push(`${container} ${path}`);
    linux.listContainers = async (filters: unknown, all?: boolean) => {
      asked.push(`containers ${JSON.stringify(filters)} ${all}`);
      return [];
    };
    const held = await lockWhileConnecting(commandOf('up'), mixed(), sink)!({ linux, windows });
    expect(held?.client).toBe(linux);
    expect(linux.calls).toEqual(['create shop-mixcompose-lock']);
    expect(windows.calls).toEqual([]);
    await settle();
    // Once held, the next observation's calls are asked: the resolver's hosts files (by name, on the
    // linux daemon), the lists (here the linux container lists: the project's, and the running one for port 53).
    expect(reads).toEqual(['shop-mixcompose-resolver /etc/mixcompose-hosts']);
    expect(asked).toEqual(['containers {"label":["com.docker.compose.project=shop"]} true', 'containers {} false']);
    await held!.release();
    expect(linux.calls).toEqual(['create shop-mixcompose-lock', 'remove shop-mixcompose-lock']);
    const ahead = held?.observation?.take();
    expect(ahead?.hosts).toMatchObject({ platform: 'linux', name: 'shop-mixcompose-resolver' });
    expect(held?.observation?.take()).toBeUndefined();
    expect(lockWhileConnecting(commandOf('up', { dryRun: true }), mixed(), sink)).toBeUndefined();
    expect(lockWhileConnecting(commandOf('ps'), mixed(), sink)).toBeUndefined();
  });

  it('takeProjectLock keeps the early lock when it is on the lock daemon, and takes no second one', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const early = (await lockWhileConnecting(commandOf('down'), mixed(), sink)!({ linux }))!;
    const lock = await takeProjectLock(commandOf('down'), { project: { name: 'shop' }, daemons: { clients: { linux } }, reporter: { sink } }, early);
    expect(lock).toBe(early);
    expect(linux.calls).toEqual(['create shop-mixcompose-lock']);
  });

  it('an early lock on another daemon than the lock daemon (an optional linux daemon connected) is released and the lock taken there', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const windows = new MemoryDaemon('windows', '10.202.0');
    const early: HeldLock = (await lockWhileConnecting(commandOf('up'), mixed(), sink)!({ windows }))!;
    const lock = await takeProjectLock(commandOf('up'), { project: { name: 'shop' }, daemons: { clients: { linux, windows } }, reporter: { sink } }, early);
    expect(lock?.client).toBe(linux);
    expect(windows.calls).toEqual(['create shop-mixcompose-lock', 'remove shop-mixcompose-lock']); // no linux daemon there: nothing read ahead
    expect(linux.calls).toEqual(['create shop-mixcompose-lock']);
    await lock!.release();
  });
});

describe('the optimistic up (a hint that the last up from here completed)', () => {
  const sink = () => undefined;
  const hintsIn = () => fileUpHints(mkdtempSync(join(tmpdir(), 'mixcompose-lock-hint-')));
  const listing = (linux: MemoryDaemon) => {
    const asked: string[] = [];
    linux.listContainers = async (filters: unknown, all?: boolean) => {
      asked.push(`containers ${JSON.stringify(filters)} ${all}`);
      linux.calls.push('list containers');
      return [];
    };
    return asked;
  };

  it('with the hint, up -d starts its observation beside connecting and creates no lock', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const windows = new MemoryDaemon('windows', '10.202.0');
    const asked = listing(linux);
    const hints = hintsIn();
    const up = commandOf('up', { detach: true });
    const digest = upHintDigest(up, mixed(), {})!;
    hints.save('shop', linux.label, digest);
    const early = await lockWhileConnecting(up, mixed(), sink, {}, { hints, digest })!({ linux, windows });
    expect(early).toMatchObject({ unlocked: true, client: linux });
    await settle();
    expect(asked).toContain('containers {"label":["com.docker.compose.project=shop"]} true');
    expect(linux.calls).not.toContain('create shop-mixcompose-lock');
  });

  it('without the hint, or with one for another digest, up -d takes the lock first as before', async () => {
    for (const saved of [undefined, 'another project or flags']) {
      const linux = new MemoryDaemon('linux', '10.201.0');
      const asked = listing(linux);
      const hints = hintsIn();
      const up = commandOf('up', { detach: true });
      if (saved) hints.save('shop', linux.label, saved);
      const early = await lockWhileConnecting(up, mixed(), sink, {}, { hints, digest: upHintDigest(up, mixed(), {})! })!({ linux });
      expect(early).not.toHaveProperty('unlocked');
      await settle();
      // Nothing listed before the lock was held.
      expect(linux.calls[0]).toBe('create shop-mixcompose-lock');
      expect(asked.length).toBeGreaterThan(0);
      await early!.release();
    }
  });

  it('only a detached up without forced work is optimistic: attached, --dry-run, --force-recreate, --pull always, --build and other commands are not', () => {
    const digest = (name: string, flags: Record<string, unknown>) => upHintDigest(commandOf(name, flags), mixed(), {});
    expect(digest('up', { detach: true })).toMatch(/^[0-9a-f]{32}$/);
    expect(digest('up', { wait: true })).toMatch(/^[0-9a-f]{32}$/);
    expect(digest('up', { start: false })).toMatch(/^[0-9a-f]{32}$/);
    expect(digest('up', {})).toBeUndefined();
    expect(digest('up', { detach: true, dryRun: true })).toBeUndefined();
    expect(digest('up', { detach: true, forceRecreate: true })).toBeUndefined();
    expect(digest('up', { detach: true, pull: 'always' })).toBeUndefined();
    expect(digest('up', { detach: true, build: true })).toBeUndefined();
    expect(digest('down', {})).toBeUndefined();
    // Another file content or flag: another digest (the hint then sends the run to the lock first).
    const other = stubProject([stubService('db', 'linux')], { linux: { host: 'unix:///run/l.sock' } }, 'shop');
    expect(upHintDigest(commandOf('up', { detach: true }), other, {})).not.toBe(digest('up', { detach: true }));
    expect(digest('up', { detach: true, removeOrphans: true })).not.toBe(digest('up', { detach: true }));
    // The process environment the project keeps for interpolation differs between shells: not part of it.
    expect(upHintDigest(commandOf('up', { detach: true }), { ...mixed(), environment: { SHLVL: '3' } }, {})).toBe(
      upHintDigest(commandOf('up', { detach: true }), { ...mixed(), environment: { SHLVL: '2' } }, {}),
    );
  });

  it('the session takes the deferred lock once, when asked; a completed up writes the hint and releases', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const hints = hintsIn();
    const up = commandOf('up', { detach: true });
    const digest = upHintDigest(up, mixed(), {})!;
    const session = { project: { name: 'shop' }, daemons: { clients: { linux } }, reporter: { sink } };
    const early = { unlocked: true as const, client: linux, observation: { take: () => undefined }, release: async () => undefined };
    const lock = await openProjectLock(up, session, early, { hints, digest });
    expect(linux.calls).toEqual([]);
    expect(lock.ahead.observationAhead).toBe(early.observation);
    expect(lock.ahead.projectLock?.held).toBe(false);
    await lock.ahead.projectLock!.take();
    await lock.ahead.projectLock!.take();
    expect(lock.ahead.projectLock?.held).toBe(true);
    expect(linux.calls).toEqual(['create shop-mixcompose-lock']);
    expect(hints.holds('shop', linux.label, digest)).toBe(false);
    await lock.end(true);
    expect(linux.calls).toEqual(['create shop-mixcompose-lock', 'remove shop-mixcompose-lock']);
    expect(hints.holds('shop', linux.label, digest)).toBe(true);
  });

  it('an optimistic up that found nothing to do takes no lock and leaves the hint; a failed one writes none', async () => {
    const hints = hintsIn();
    const up = commandOf('up', { detach: true });
    const digest = upHintDigest(up, mixed(), {})!;
    const linux = new MemoryDaemon('linux', '10.201.0');
    const session = { project: { name: 'shop' }, daemons: { clients: { linux } }, reporter: { sink } };
    hints.save('shop', linux.label, digest);
    const early = { unlocked: true as const, client: linux, observation: { take: () => undefined }, release: async () => undefined };
    await (await openProjectLock(up, session, early, { hints, digest })).end(true);
    expect(linux.calls).toEqual([]);
    expect(hints.holds('shop', linux.label, digest)).toBe(true);
    const failing = await openProjectLock(up, session, early, { hints, digest });
    await failing.ahead.projectLock!.take();
    await failing.end(false);
    expect(hints.holds('shop', linux.label, digest)).toBe(false);
  });

  it('every command that takes the lock drops the hint (down here)', async () => {
    const hints = hintsIn();
    const linux = new MemoryDaemon('linux', '10.201.0');
    hints.save('shop', linux.label, 'd1');
    const lock = await takeProjectLock(commandOf('down'), { project: { name: 'shop' }, daemons: { clients: { linux } }, reporter: { sink } }, undefined, hints);
    expect(hints.holds('shop', linux.label, 'd1')).toBe(false);
    await lock!.release();
  });
});
