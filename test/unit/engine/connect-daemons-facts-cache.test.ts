/**
 * connectDaemons with the client-side facts cache (engine/daemon-facts-cache.ts), against the fake
 * engine (recorded /info and /version, /_ping headers as dockerd sends them): an untrusted run asks
 * /version and /info and writes the cache; a trusted run with /_ping unchanged asks neither and
 * gives confirmFacts, which asks them afresh (and checks them as connecting does); a changed /_ping
 * (another engine version) is asked as always.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDaemons, type FactsCacheUse } from '../../../src/engine/connect-daemons.js';
import { fileDaemonFactsCache } from '../../../src/engine/daemon-facts-cache.js';
import { PlanError } from '../../../src/errors.js';
import type { ServerResponse } from 'node:http';
import { recorded, startFakeEngine, type FakeEngine, type FakeEngineOptions, type FakeRoute, type RecordedDaemon } from '../../support/fake-engine.js';
import { stubProject, stubService } from './project-stub.js';

const engines: FakeEngine[] = [];
async function engine(options: FakeEngineOptions): Promise<FakeEngine> {
  const e = await startFakeEngine(options);
  engines.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

const selfAsked = (e: FakeEngine) => e.find('GET', /^\/(version|info)$/).length;

async function connect(linux: FakeEngine, windows: FakeEngine, factsCache: FactsCacheUse) {
  const project = stubProject([stubService('db', 'linux'), stubService('web', 'windows')], { linux: { host: linux.host }, windows: { host: windows.host } });
  const connected = await connectDaemons(project, { allowOsMismatch: false, env: {}, factsCache });
  return connected;
}

/** A facts cache in a fresh temporary directory. */
const tempCache = () => fileDaemonFactsCache(mkdtempSync(join(tmpdir(), 'mixcompose-connect-cache-')));

describe('connectDaemons with the facts cache', () => {
  it('untrusted: asks /version and /info (and /_ping), writes the cache, nothing to confirm; trusted next: asks neither, same facts', async () => {
    const cache = tempCache();
    const linux = await engine({ daemon: 'linux' });
    const windows = await engine({ daemon: 'windows-server-2022' });
    const fresh = await connect(linux, windows, { cache, trusted: () => false });
    expect(fresh.confirmFacts).toBeUndefined();
    expect([selfAsked(linux), selfAsked(windows)]).toEqual([2, 2]);
    for (const c of Object.values(fresh.clients)) c?.close?.();

    const cached = await connect(linux, windows, { cache, trusted: () => true });
    expect([selfAsked(linux), selfAsked(windows)]).toEqual([2, 2]);
    expect(cached.facts).toEqual(fresh.facts);
    expect(cached.confirmFacts).toBeDefined();
    const confirmed = await cached.confirmFacts!();
    expect([selfAsked(linux), selfAsked(windows)]).toEqual([4, 4]);
    expect(confirmed).toEqual({ facts: fresh.facts, warnings: [] });
    for (const c of Object.values(cached.clients)) c?.close?.();
  });

  it('trusted, but /_ping names another engine version: /version and /info are asked', async () => {
    const cache = tempCache();
    const windows = await engine({ daemon: 'windows-server-2022' });
    const daemon = restartable('linux');
    const linux = await engine({ daemon: 'linux', routes: daemon.routes });
    (await connect(linux, windows, { cache, trusted: () => false })).clients.linux?.close?.();
    // upgraded and restarted
    daemon.version = { ...daemon.version, Version: '24.0.7' };
    daemon.info = { ...daemon.info, ServerVersion: '24.0.7' };
    const after = await connect(linux, windows, { cache, trusted: () => true });
    expect(selfAsked(linux)).toBe(4);
    expect(after.facts.linux?.serverVersion).toBe('24.0.7');
    expect(selfAsked(windows)).toBe(2); // unchanged: from the cache
    expect(after.confirmFacts).toBeDefined();
    for (const c of new Set(Object.values(after.clients))) c?.close?.();
  });

  it('a /_ping that disagrees with /version (an engine upgraded between the calls) writes nothing', async () => {
    const cache = tempCache();
    const windows = await engine({ daemon: 'windows-server-2022' });
    const daemon = restartable('linux');
    daemon.pingVersion = '24.0.7'; // /_ping answered by the new engine, /version and /info by the old one
    const linux = await engine({ daemon: 'linux', routes: daemon.routes });
    (await connect(linux, windows, { cache, trusted: () => false })).clients.linux?.close?.();
    const again = await connect(linux, windows, { cache, trusted: () => true });
    expect(selfAsked(linux)).toBe(4);
    for (const c of Object.values(again.clients)) c?.close?.();
  });

  it('confirmFacts gives what the daemon says now (and keeps it), and refuses a daemon that runs the wrong OS now', async () => {
    const cache = tempCache();
    const windows = await engine({ daemon: 'windows-server-2022' });
    // A Windows daemon with LCOW serving linux, restarted (same version, same /_ping) without it.
    const daemon = restartable('windows-lcow');
    const linux = await engine({ daemon: 'windows-lcow', routes: daemon.routes });
    const fresh = await connect(linux, windows, { cache, trusted: () => false });
    expect(fresh.facts.linux?.lcow).toBe(true);
    for (const c of Object.values(fresh.clients)) c?.close?.();
    daemon.info = { ...daemon.info, Driver: 'windowsfilter' };
    const cached = await connect(linux, windows, { cache, trusted: () => true });
    expect(cached.facts.linux?.lcow).toBe(true); // the cache does not know yet
    await expect(cached.confirmFacts!()).rejects.toThrow(PlanError);
    for (const c of Object.values(cached.clients)) c?.close?.();
    // The cache was brought up to date by the confirmation: connecting now refuses at once.
    await expect(connect(linux, windows, { cache, trusted: () => true })).rejects.toThrow(/linux daemon .* reports OSType "windows"/);
  });
});

/** A daemon whose /info, /version and /_ping answers a test changes (a restart with other settings or another version). */
function restartable(daemon: RecordedDaemon) {
  const state = {
    info: recorded(daemon, 'info'),
    version: recorded(daemon, 'version'),
    routes: [] as FakeRoute[],
    /** The version /_ping names (default: /version's). */
    pingVersion: undefined as string | undefined,
  };
  const send = (res: ServerResponse, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  state.routes = [
    { method: 'GET', path: /^\/info$/, handle: (_req, res) => send(res, state.info) },
    { method: 'GET', path: /^\/version$/, handle: (_req, res) => send(res, state.version) },
    {
      method: 'GET',
      path: /^\/_ping$/,
      handle: (_req, res) => {
        const os = String(state.info.OSType);
        res.writeHead(200, { 'Api-Version': String(state.version.ApiVersion), OSType: os, 'Docker-Experimental': 'false', Server: `Docker/${state.pingVersion ?? String(state.version.Version)} (${os})` });
        res.end('OK');
      },
    },
  ];
  return state;
}
