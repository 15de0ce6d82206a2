/**
 * The client-side cache of the resolver's hosts files: a hit (the stat of the cached container's
 * hostsdir answers the cached mtime) reads nothing; a changed mtime, another resolver (a new ID) or
 * a corrupt cache file reads the files and saves them with the mtime the read's stat gave; an
 * unwritable cache never fails a command. After a run, the files written over the observed ones are
 * kept with the mtime a stat gives after the writes; for `up`, the static answers' hostsdirs alike
 * (published reach). In-memory clients that record their calls; the cache lives in a temporary directory.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContainerPathStat, ContainerSummary, DaemonClient } from '../../../src/engine/daemon-client.js';
import { observe, startObservationAhead } from '../../../src/engine/observe.js';
import { fileHostsCache, userHostsCache, type ResolverHostsCache } from '../../../src/engine/resolver-hosts-cache.js';
import { recordHostsWrites, rememberHosts } from '../../../src/engine/resolver-hosts-written.js';
import { tarArchive, tarFiles } from '../../../src/engine/tar.js';
import type { ObservedState, ResolverHostsFile } from '../../../src/plan/observed-state.js';
import type { Plan, UnregisterHostsOp } from '../../../src/plan/plan.js';
import { hostsEntry, type RunState } from '../../../src/engine/execute-ops.js';
import { LABEL_RESOLVER_ANSWERS, RESOLVER_DIRS, RESOLVER_HOSTS_DIR, RESOLVER_STATIC_DIRS } from '../../../src/plan/resolver.js';
import { encodeHostsBatch, type HostsFileWrite } from '../../../src/plan/resolver-hosts-protocol.js';
import { applyHostsBatch } from '../../support/hosts-batch.js';
import { facts, project, service } from '../plan/builders.js';
import { MemoryDaemon } from './memory-daemon.js';

const RESOLVER = 'shop-mixcompose-resolver';
const DIR = '/etc/mixcompose-hosts';
const M1 = '2026-12-02T10:00:00.100000000Z';
const M2 = '2026-12-02T10:05:00.200000000Z';

function resolverSummary(id: string, labels: Record<string, string> = {}): ContainerSummary {
  return {
    Id: id,
    Names: [`/${RESOLVER}`],
    Image: 'mixcompose/resolver:0.1.0',
    State: 'running',
    Status: 'Up 1 minute',
    Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'mixcompose-resolver', 'io.mixcompose.role': 'resolver', ...labels },
  };
}

const hostsTar = (files: Record<string, string>) => tarArchive(Object.entries(files).map(([name, content]) => ({ path: `mixcompose-hosts/${name}`, content })));

/**
 * A linux daemon whose resolver is `resolverId`, with the hostsdir `files` at `mtime` (for that
 * container and its name only), recording archive reads and stats; and a windows daemon.
 */
function rig(state: { resolverId: string; mtime: string; files: Record<string, string> }) {
  const calls: string[] = [];
  const linux = new MemoryDaemon('linux', '10.201.0');
  const windows = new MemoryDaemon('windows', '10.202.0');
  const isResolver = (container: string) => container === state.resolverId || container === RESOLVER;
  linux.listContainers = async (filters: unknown, all?: boolean) => {
    calls.push(`list ${JSON.stringify(filters)} ${all}`);
    return all ? [resolverSummary(state.resolverId)] : [];
  };
  Object.assign(linux, {
    statContainerPath: async (container: string, path: string): Promise<ContainerPathStat | undefined> => {
      calls.push(`stat ${container} ${path}`);
      return isResolver(container) ? { name: 'mixcompose-hosts', size: 4096, mode: 0o20000000755, mtime: state.mtime } : undefined;
    },
    archiveFrom: async (container: string, path: string) => {
      calls.push(`read ${container} ${path}`);
      if (!isResolver(container)) return undefined;
      return { stat: { name: 'mixcompose-hosts', size: 4096, mode: 0o20000000755, mtime: state.mtime }, tar: Readable.from([hostsTar(state.files)]) };
    },
  });
  return { calls, linux, windows };
}

const stack = () => project([service('db'), service('web', { platform: 'windows' })]);
const daemonFacts = { linux: facts('linux'), windows: facts('windows') };

let dir: string;
let cache: ResolverHostsCache;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mixcompose-hosts-cache-'));
  cache = fileHostsCache(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the resolver hosts cache in observe', () => {
  it('a first observe reads the files and keeps them with the mtime of the read; the next one only stats', async () => {
    const state = { resolverId: 'resolver-1', mtime: M1, files: { 'web-1': '10.202.0.3 web shop-web-1\n' } };
    const { calls, linux, windows } = rig(state);
    const first = await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
    expect(calls.filter((c) => c.startsWith('read'))).toEqual([`read ${RESOLVER} ${DIR}`]);
    expect(await cache.load('shop', linux.label)).toEqual({ container: 'resolver-1', mtime: M1, files: first.resolverHosts!.files });

    calls.length = 0;
    const second = await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
    expect(calls.filter((c) => c.startsWith('read') || c.startsWith('stat'))).toEqual([`stat resolver-1 ${DIR}`]);
    expect(second.resolverHosts).toEqual({ container: 'resolver-1', files: [{ file: 'web-1', ip: '10.202.0.3', names: ['web', 'shop-web-1'] }] });
  });

  it('a changed mtime (a write since, ours or a docker cp) reads the files again and keeps the new ones', async () => {
    const state = { resolverId: 'resolver-1', mtime: M1, files: { 'web-1': '10.202.0.3 web\n' } };
    const { calls, linux, windows } = rig(state);
    await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
    Object.assign(state, { mtime: M2, files: { 'web-1': '10.202.0.7 web\n' } });
    calls.length = 0;
    const again = await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
    expect(calls.filter((c) => c.startsWith('read') || c.startsWith('stat'))).toEqual([`stat resolver-1 ${DIR}`, `read ${RESOLVER} ${DIR}`]);
    expect(again.resolverHosts?.files.map((f) => f.ip)).toEqual(['10.202.0.7']);
    expect((await cache.load('shop', linux.label))?.mtime).toBe(M2);
  });

  it('another resolver (recreated: a new ID) is read, whatever the mtime, and kept under its ID', async () => {
    const state = { resolverId: 'resolver-1', mtime: M1, files: { 'web-1': '10.202.0.3 web\n' } };
    const { calls, linux, windows } = rig(state);
    await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
    // Same mtime by chance, new container: the old ID's stat answers nothing.
    Object.assign(state, { resolverId: 'resolver-2', files: {} });
    calls.length = 0;
    const again = await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
    expect(calls.filter((c) => c.startsWith('read') || c.startsWith('stat'))).toEqual([`stat resolver-1 ${DIR}`, `read ${RESOLVER} ${DIR}`]);
    expect(again.resolverHosts).toEqual({ container: 'resolver-2', files: [] });
    expect((await cache.load('shop', linux.label))?.container).toBe('resolver-2');
  });

  it('a cache hit for a container that is not the resolver found is not taken (read by ID)', async () => {
    const state = { resolverId: 'resolver-1', mtime: M1, files: { 'web-1': '10.202.0.3 web\n' } };
    const { calls, linux, windows } = rig(state);
    await cache.save('shop', linux.label, { container: RESOLVER, mtime: M1, files: [{ file: 'web-1', ip: '10.9.9.9', names: ['web'] }] });
    const seen = await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
    expect(calls.filter((c) => c.startsWith('read'))).toEqual([`read resolver-1 ${DIR}`]);
    expect(seen.resolverHosts?.files.map((f) => f.ip)).toEqual(['10.202.0.3']);
  });

  it('a corrupt cache file reads the files, and is replaced by a good one', async () => {
    const state = { resolverId: 'resolver-1', mtime: M1, files: { 'web-1': '10.202.0.3 web\n' } };
    const { calls, linux, windows } = rig(state);
    await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
    const [file] = await readdir(join(dir, 'resolver-hosts'));
    for (const corrupt of ['{"version":1,"project":"shop"', 'null', JSON.stringify({ version: 1, project: 'shop', daemon: linux.label, container: 'resolver-1', mtime: M1, files: [{ file: 3 }] })]) {
      await writeFile(join(dir, 'resolver-hosts', file!), corrupt);
      calls.length = 0;
      const seen = await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
      expect(calls.filter((c) => c.startsWith('read'))).toEqual([`read ${RESOLVER} ${DIR}`]);
      expect(seen.resolverHosts?.files.map((f) => f.ip)).toEqual(['10.202.0.3']);
    }
    expect(JSON.parse(await readFile(join(dir, 'resolver-hosts', file!), 'utf8'))).toMatchObject({ container: 'resolver-1', mtime: M1 });
  });

  it('a cache that cannot be written fails nothing', async () => {
    await writeFile(join(dir, 'resolver-hosts'), 'a file where the directory should be');
    const { linux, windows } = rig({ resolverId: 'resolver-1', mtime: M1, files: { 'web-1': '10.202.0.3 web\n' } });
    const seen = await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache });
    expect(seen.resolverHosts?.files).toHaveLength(1);
    expect(await cache.load('shop', linux.label)).toBeUndefined();
  });

  it('lives in the user cache directory; MIXCOMPOSE_CACHE_DIR empty keeps nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mixcompose-user-cache-'));
    try {
      const entry = { container: 'r1', mtime: '2026-12-02T10:00:00.000000001Z', files: [] };
      await userHostsCache({ MIXCOMPOSE_CACHE_DIR: dir }).save('shop', 'linux', entry);
      expect(await readdir(join(dir, 'resolver-hosts'))).toHaveLength(1);
      expect(await userHostsCache({ XDG_CACHE_HOME: '/nowhere', MIXCOMPOSE_CACHE_DIR: dir }).load('shop', 'linux')).toEqual(entry);
      const off = userHostsCache({ MIXCOMPOSE_CACHE_DIR: '', HOME: dir });
      await off.save('shop', 'linux', entry);
      expect(await off.load('shop', 'linux')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the observation asked ahead under the lock', () => {
  it('asks the lists and the cache stat at once, and observe takes each answer instead of asking again', async () => {
    const state = { resolverId: 'resolver-1', mtime: M1, files: { 'web-1': '10.202.0.3 web\n' } };
    const { calls, linux, windows } = rig(state);
    await cache.save('shop', linux.label, { container: 'resolver-1', mtime: M1, files: [{ file: 'web-1', ip: '10.202.0.3', names: ['web'] }] });
    const windowsLists: string[] = [];
    windows.listContainers = async (filters: unknown) => {
      windowsLists.push(`list ${JSON.stringify(filters)}`);
      return [];
    };
    const ahead = startObservationAhead(stack(), { linux, windows }, { hostsCache: cache }).take()!;
    await ahead.hosts!.read;
    expect(calls).toEqual([`list {"label":["com.docker.compose.project=shop"]} true`, `stat resolver-1 ${DIR}`]);
    expect(windowsLists).toEqual(['list {"label":["com.docker.compose.project=shop"]}']);
    const seen = await observe(stack(), { linux, windows }, daemonFacts, { hostsCache: cache, ahead });
    // Nothing asked twice, nothing read.
    expect(calls).toHaveLength(2);
    expect(windowsLists).toHaveLength(1);
    expect(seen.resolverHosts?.files.map((f) => f.ip)).toEqual(['10.202.0.3']);
  });

  it('a call observe makes otherwise (another resolver image asked for) is asked then; the others are taken', async () => {
    const { linux, windows } = rig({ resolverId: 'resolver-1', mtime: M1, files: {} });
    const images: string[] = [];
    linux.listImages = async (filters: unknown) => {
      images.push(JSON.stringify(filters));
      return [];
    };
    const ahead = startObservationAhead(stack(), { linux, windows });
    await observe(stack(), { linux, windows }, daemonFacts, { resolverImage: 'my/resolver:1', ahead: ahead.take()! });
    expect(images).toHaveLength(2);
    expect(images[1]).toContain('my/resolver:1');
  });
});

/** One hosts batch through the client's stdin exchange, as engine/resolver-hosts-write.ts sends it. */
const batch = (client: DaemonClient, id: string, files: HostsFileWrite[]) =>
  client.exchangeStdin!(id, encodeHostsBatch(files, 'tok', RESOLVER_DIRS), { answered: (line) => line === 'ok tok', timeoutMs: 1000 });

describe('the cache after a run that wrote hosts', () => {
  const observedWith = (container: string, files: ObservedState['resolverHosts'] extends infer T ? (T extends { files: infer F } ? F : never) : never): ObservedState =>
    ({ daemons: daemonFacts, containers: [], networks: [], volumes: [], images: [], resolverHosts: { container, files } }) as unknown as ObservedState;
  const emptyPlan = { operations: [] } as unknown as Plan;

  it('keeps the observed files with the writes over them, at the mtime a stat gives after the writes', async () => {
    const { linux, windows } = rig({ resolverId: 'resolver-1', mtime: M2, files: {} });
    linux.exchangeStdin = async (_id, input) => applyHostsBatch(input).answer;
    const recorded = recordHostsWrites({ linux, windows });
    // Written as the executor writes them: batches through the resolver's stdin; a static dir's file is not the hostsdir's.
    await batch(recorded.clients.linux!, 'resolver-1', [{ dir: RESOLVER_HOSTS_DIR, file: 'web-1', content: '10.202.0.9 web\n' }]);
    await batch(recorded.clients.linux!, 'resolver-1', [
      { dir: RESOLVER_HOSTS_DIR, file: 'api-1', content: '' },
      { dir: RESOLVER_STATIC_DIRS.linux, file: 'x', content: '1.1.1.1 x\n' },
    ]);
    expect(recorded.clients.linux!.label).toBe(linux.label);
    const observed = observedWith('resolver-1', [
      { file: 'api-1', ip: '10.202.0.4', names: ['api'] },
      { file: 'db-1', ip: '10.202.0.5', names: ['db'] },
    ]);
    await rememberHosts(cache, 'shop', observed, { plan: emptyPlan, completed: [], created: [] }, { linux, windows }, recorded.writes);
    expect(await cache.load('shop', linux.label)).toEqual({
      container: 'resolver-1',
      mtime: M2,
      files: [
        { file: 'api-1', names: [] },
        { file: 'db-1', ip: '10.202.0.5', names: ['db'] },
        { file: 'web-1', ip: '10.202.0.9', names: ['web'] },
      ],
    });
  });

  it('a resolver the run created starts empty; one whose files were not observed drops the entry', async () => {
    const { linux, windows } = rig({ resolverId: 'resolver-2', mtime: M2, files: {} });
    linux.exchangeStdin = async (_id, input) => applyHostsBatch(input).answer;
    const write = async () => {
      const recorded = recordHostsWrites({ linux, windows });
      await batch(recorded.clients.linux!, 'resolver-2', [{ dir: RESOLVER_HOSTS_DIR, file: 'web-1', content: '10.202.0.9 web\n' }]);
      return recorded.writes;
    };
    await rememberHosts(cache, 'shop', observedWith('resolver-1', []), { plan: emptyPlan, completed: [], created: ['resolver-2'] }, { linux, windows }, await write());
    expect((await cache.load('shop', linux.label))?.files.map((f) => f.file)).toEqual(['web-1']);
    await rememberHosts(cache, 'shop', observedWith('resolver-1', []), { plan: emptyPlan, completed: [], created: [] }, { linux, windows }, await write());
    expect(await cache.load('shop', linux.label)).toBeUndefined();
  });

  it('a run that removed the observed resolver (down) drops the entry', async () => {
    const { linux, windows } = rig({ resolverId: 'resolver-1', mtime: M1, files: {} });
    await cache.save('shop', linux.label, { container: 'resolver-1', mtime: M1, files: [] });
    const observed = { ...observedWith('resolver-1', []), containers: [{ id: 'resolver-1', platform: 'linux' }] } as unknown as ObservedState;
    const plan = { operations: [{ kind: 'remove-container', id: 'rm-resolver', container: { id: 'resolver-1' } }] } as unknown as Plan;
    await rememberHosts(cache, 'shop', observed, { plan, completed: [], created: [] }, { linux, windows }, []);
    expect(await cache.load('shop', linux.label)).toBeDefined(); // not done: kept
    await rememberHosts(cache, 'shop', observed, { plan, completed: ['rm-resolver'], created: [] }, { linux, windows }, []);
    expect(await cache.load('shop', linux.label)).toBeUndefined();
  });
});

describe('hosts archives', () => {
  it('carry no directory entries when asked (the write then changes the directory mtime), and do by default', () => {
    const entries = [{ path: 'etc/mixcompose-hosts/web-1', content: '10.0.0.1 web\n' }];
    const types = (tar: Buffer) => {
      const out: string[] = [];
      for (let offset = 0; offset + 512 <= tar.length; offset += 512) if (tar[offset] !== 0 && tar.subarray(offset + 257, offset + 262).toString() === 'ustar') out.push(String.fromCharCode(tar[offset + 156]!));
      return out;
    };
    expect(types(tarArchive(entries, { directories: false }))).toEqual(['0']);
    expect(types(tarArchive(entries))).toEqual(['5', '5', '0']);
    expect(tarFiles(tarArchive(entries, { directories: false })).map((f) => f.path)).toEqual(['etc/mixcompose-hosts/web-1']);
  });
});

/**
 * `up`'s observation reads back the resolver's static answers (published reach): the hostsdirs its
 * answers label names, by ID; none for a resolver without that label (ip reach) or for other
 * commands. The cache keeps each static dir with its own mtime: a second `up` only stats them, a
 * changed dir is read again, and a run's writes into them are kept.
 */
const ID = 'resolver-1';
const FOR_LINUX = RESOLVER_STATIC_DIRS.linux;
const FOR_WINDOWS = RESOLVER_STATIC_DIRS.windows;

type Dirs = Record<string, { mtime: string; files: Record<string, string> }>;

/** A linux daemon whose resolver (by ID and name) has `dirs`; a dir not in it cannot be read. */
function staticRig(dirs: Dirs, answers: string | null = 'windows=192.0.2.20,linux=192.0.2.10') {
  const calls: string[] = [];
  const linux = new MemoryDaemon('linux', '10.201.0');
  const windows = new MemoryDaemon('windows', '10.202.0');
  const isResolver = (container: string) => container === ID || container === RESOLVER;
  const stat = (path: string): ContainerPathStat => ({ name: path.split('/').pop()!, size: 4096, mode: 0o20000000755, mtime: dirs[path]!.mtime });
  linux.listContainers = async (_filters: unknown, all?: boolean) => (all ? [resolverSummary(ID, answers ? { [LABEL_RESOLVER_ANSWERS]: answers } : {})] : []);
  Object.assign(linux, {
    statContainerPath: async (container: string, path: string) => {
      calls.push(`stat ${container} ${path}`);
      return isResolver(container) && dirs[path] ? stat(path) : undefined;
    },
    archiveFrom: async (container: string, path: string) => {
      calls.push(`read ${container} ${path}`);
      if (!isResolver(container)) return undefined;
      if (!dirs[path]) throw Object.assign(new Error('archive failed'), { statusCode: 500 });
      const entries = Object.entries(dirs[path]!.files).map(([name, content]) => ({ path: `${path.split('/').pop()}/${name}`, content }));
      return { stat: stat(path), tar: Readable.from([tarArchive(entries)]) };
    },
  });
  return { calls, linux, windows };
}

const published = (): Dirs => ({
  [RESOLVER_HOSTS_DIR]: { mtime: M1, files: { 'web-1': '10.202.0.3 web\n' } },
  [FOR_LINUX]: { mtime: M1, files: { web: '192.0.2.20 web\n192.0.2.20 shop-web-1\n' } },
  [FOR_WINDOWS]: { mtime: M1, files: {} },
});
const readsAndStats = (calls: string[]) => calls.filter((c) => c.startsWith('read') || c.startsWith('stat'));

describe('observe for up: the static answers read back', () => {
  it('reads the dirs the resolver\'s answers label names, by ID once the list shows it', async () => {
    const { calls, linux, windows } = staticRig(published());
    const seen = await observe(stack(), { linux, windows }, daemonFacts, { staticAnswers: true });
    expect(readsAndStats(calls)).toEqual([`read ${RESOLVER} ${RESOLVER_HOSTS_DIR}`, `read ${ID} ${FOR_LINUX}`, `read ${ID} ${FOR_WINDOWS}`]);
    expect(seen.resolverHosts?.static).toEqual({
      [FOR_LINUX]: [{ file: 'web', ip: '192.0.2.20', names: ['web', 'shop-web-1'] }],
      [FOR_WINDOWS]: [],
    });
  });

  it('reads nothing more for a resolver without static answers (ip reach), nor for other commands', async () => {
    const ipReach = staticRig(published(), null);
    expect((await observe(stack(), { linux: ipReach.linux, windows: ipReach.windows }, daemonFacts, { staticAnswers: true })).resolverHosts?.static).toBeUndefined();
    expect(readsAndStats(ipReach.calls)).toEqual([`read ${RESOLVER} ${RESOLVER_HOSTS_DIR}`]);
    const other = staticRig(published());
    expect((await observe(stack(), { linux: other.linux, windows: other.windows }, daemonFacts)).resolverHosts?.static).toBeUndefined();
    expect(readsAndStats(other.calls)).toEqual([`read ${RESOLVER} ${RESOLVER_HOSTS_DIR}`]);
  });

  it('leaves out a static dir that cannot be read (the planner then cannot see it)', async () => {
    const dirs = published();
    delete dirs[FOR_WINDOWS];
    const { linux, windows } = staticRig(dirs);
    const seen = await observe(stack(), { linux, windows }, daemonFacts, { staticAnswers: true });
    expect(Object.keys(seen.resolverHosts?.static ?? {})).toEqual([FOR_LINUX]);
  });

  it('keeps them in the hosts cache: a second up only stats, a changed dir alone is read again', async () => {
    const dirs = published();
    const { calls, linux, windows } = staticRig(dirs);
    const first = await observe(stack(), { linux, windows }, daemonFacts, { staticAnswers: true, hostsCache: cache });
    expect((await cache.load('shop', linux.label))?.static).toEqual({
      [FOR_LINUX]: { mtime: M1, files: first.resolverHosts!.static![FOR_LINUX] },
      [FOR_WINDOWS]: { mtime: M1, files: [] },
    });

    calls.length = 0;
    const second = await observe(stack(), { linux, windows }, daemonFacts, { staticAnswers: true, hostsCache: cache });
    expect(readsAndStats(calls).sort()).toEqual([`stat ${ID} ${RESOLVER_HOSTS_DIR}`, `stat ${ID} ${FOR_LINUX}`, `stat ${ID} ${FOR_WINDOWS}`]);
    expect(second.resolverHosts).toEqual(first.resolverHosts);

    // A file deleted by hand: that dir's mtime moves, it alone is read, and kept at its new mtime.
    dirs[FOR_LINUX] = { mtime: M2, files: {} };
    calls.length = 0;
    const third = await observe(stack(), { linux, windows }, daemonFacts, { staticAnswers: true, hostsCache: cache });
    expect(readsAndStats(calls).filter((c) => c.startsWith('read'))).toEqual([`read ${ID} ${FOR_LINUX}`]);
    expect(third.resolverHosts?.static?.[FOR_LINUX]).toEqual([]);
    expect((await cache.load('shop', linux.label))?.static?.[FOR_LINUX]).toEqual({ mtime: M2, files: [] });
  });

  /** The cache after a run that wrote `files` into a resolver whose FOR_LINUX dir held `before` (mtime M2 after the writes). */
  async function cachedAfter(before: ResolverHostsFile[], files: HostsFileWrite[]) {
    const dirs = published();
    dirs[FOR_LINUX] = { mtime: M2, files: {} };
    const { linux, windows } = staticRig(dirs);
    linux.exchangeStdin = async (_id, input) => applyHostsBatch(input).answer;
    const recorded = recordHostsWrites({ linux, windows });
    await batch(recorded.clients.linux!, ID, files);
    const observed = {
      daemons: daemonFacts,
      containers: [],
      resolverHosts: { container: ID, files: [], static: { [FOR_LINUX]: before, [FOR_WINDOWS]: [] } },
    } as unknown as ObservedState;
    await rememberHosts(cache, 'shop', observed, { plan: { operations: [] } as unknown as Plan, completed: [], created: [] }, { linux, windows }, recorded.writes);
    return cache.load('shop', linux.label);
  }

  it('after a run that wrote static answers, the cache holds them at the mtime a stat gives', async () => {
    expect(await cachedAfter([], [{ dir: FOR_LINUX, file: 'web', content: '192.0.2.20 web\n' }])).toEqual({
      container: ID,
      mtime: M1,
      files: [],
      static: { [FOR_LINUX]: { mtime: M2, files: [{ file: 'web', ip: '192.0.2.20', names: ['web'] }] }, [FOR_WINDOWS]: { mtime: M1, files: [] } },
    });
  });

  it('after a run that emptied a static file (a removed service), the cache holds it empty in its dir', async () => {
    const unregister: UnregisterHostsOp = { kind: 'unregister-hosts', id: 'unnames:windows:api', deps: [], daemon: 'linux', resolver: { id: ID }, dir: FOR_LINUX, file: 'api', names: ['api'], service: 'api' };
    const web = { file: 'web', ip: '192.0.2.20', names: ['web'] };
    const cached = await cachedAfter([{ file: 'api', ip: '192.0.2.20', names: ['api'] }, web], [hostsEntry({} as RunState, unregister).file!]);
    expect(cached?.static?.[FOR_LINUX]).toEqual({ mtime: M2, files: [{ file: 'api', names: [] }, web] });
  });
});
