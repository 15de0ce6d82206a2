/**
 * observe reads the project resolver's hosts files by the resolver's container NAME beside the
 * container list (not after it), and takes that read only when the list shows the resolver it found
 * is the container of that name; otherwise it reads by ID after the list, as before. In-memory
 * clients that record the order of calls and hold the container list until the test lets it go.
 */
import { describe, expect, it } from 'vitest';
import { observe, prefetched, startResolverHostsRead } from '../../../src/engine/observe.js';
import type { ContainerSummary } from '../../../src/engine/daemon-client.js';
import { tarArchive } from '../../../src/engine/tar.js';
import { facts, project, service } from '../plan/builders.js';
import { MemoryDaemon } from './memory-daemon.js';

const RESOLVER = 'shop-mixcompose-resolver';

function resolverSummary(name = RESOLVER, id = 'resolver-id'): ContainerSummary {
  return {
    Id: id,
    Names: [`/${name}`],
    Image: 'mixcompose/resolver:0.1.0',
    State: 'running',
    Status: 'Up 1 minute',
    Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'mixcompose-resolver', 'io.mixcompose.role': 'resolver' },
  };
}

const hostsTar = (files: Record<string, string>) => tarArchive(Object.entries(files).map(([name, content]) => ({ path: `mixcompose-hosts/${name}`, content })));

/** Two daemons; the linux one lists `listed` once the test calls `releaseList`, and answers archive reads with `archive`. */
function rig(listed: ContainerSummary[], archive: (container: string) => Promise<Buffer | undefined>) {
  const calls: string[] = [];
  const linux = new MemoryDaemon('linux', '10.201.0');
  const windows = new MemoryDaemon('windows', '10.202.0');
  let releaseList!: () => void;
  const listHeld = new Promise<void>((resolve) => (releaseList = resolve));
  linux.listContainers = async () => {
    calls.push('list linux (asked)');
    await listHeld;
    calls.push('list linux (answered)');
    return listed;
  };
  linux.getArchive = async (container: string, path: string) => {
    calls.push(`archive ${container} ${path}`);
    return archive(container);
  };
  const stack = project([service('db'), service('web', { platform: 'windows' })]);
  const observing = observe(stack, { linux, windows }, { linux: facts('linux'), windows: facts('windows') });
  return { calls, releaseList, observing };
}

/** Lets every pending callback run (the in-memory calls answer in microtasks and immediates). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('observe: the resolver hosts read beside the container list', () => {
  it('asks for the hosts files by the resolver name before the container list has answered, and uses them', async () => {
    const { calls, releaseList, observing } = rig([resolverSummary()], async () => hostsTar({ 'web-1': '10.202.0.3 web shop-web-1\n' }));
    await settle();
    // Both asked, the list not answered yet: the read does not wait for it.
    expect([...calls].sort()).toEqual([`archive ${RESOLVER} /etc/mixcompose-hosts`, 'list linux (asked)']);
    releaseList();
    const state = await observing;
    expect(calls.filter((c) => c.startsWith('archive'))).toHaveLength(1);
    expect(state.resolverHosts).toEqual({ container: 'resolver-id', files: [{ file: 'web-1', ip: '10.202.0.3', names: ['web', 'shop-web-1'] }] });
  });

  it('a resolver without its files: the early read answers no files, and the planner sees them all missing', async () => {
    const { releaseList, observing } = rig([resolverSummary()], async () => undefined);
    releaseList();
    expect((await observing).resolverHosts).toEqual({ container: 'resolver-id', files: [] });
  });

  it('reads again by ID after the list when the early read failed', async () => {
    const { calls, releaseList, observing } = rig([resolverSummary()], async (container) => {
      if (container === RESOLVER) throw Object.assign(new Error('no such container'), { statusCode: 404 });
      return hostsTar({ 'web-1': '10.202.0.4 web shop-web-1\n' });
    });
    releaseList();
    const state = await observing;
    expect(calls.filter((c) => c.startsWith('archive'))).toEqual([`archive ${RESOLVER} /etc/mixcompose-hosts`, 'archive resolver-id /etc/mixcompose-hosts']);
    expect(state.resolverHosts?.files.map((f) => f.ip)).toEqual(['10.202.0.4']);
  });

  it('reads by ID when the resolver found has another name (the early read is not its files)', async () => {
    const { calls, releaseList, observing } = rig([resolverSummary('shop-mixcompose-resolver-old', 'old-id')], async (container) =>
      hostsTar({ 'web-1': container === 'old-id' ? '10.202.0.9 web shop-web-1\n' : '10.202.0.3 web shop-web-1\n' }),
    );
    releaseList();
    const state = await observing;
    expect(calls.filter((c) => c.startsWith('archive'))).toEqual([`archive ${RESOLVER} /etc/mixcompose-hosts`, 'archive old-id /etc/mixcompose-hosts']);
    expect(state.resolverHosts).toEqual({ container: 'old-id', files: [{ file: 'web-1', ip: '10.202.0.9', names: ['web', 'shop-web-1'] }] });
  });

  it('no resolver in the list: no hosts files, whatever the early read said', async () => {
    const { releaseList, observing } = rig([], async () => hostsTar({ 'web-1': '10.202.0.3 web\n' }));
    releaseList();
    expect((await observing).resolverHosts).toBeUndefined();
  });

  it('a stack on one daemon has no resolver: nothing is read', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const reads: string[] = [];
    linux.getArchive = async (container: string) => {
      reads.push(container);
      return undefined;
    };
    await observe(project([service('db')]), { linux }, { linux: facts('linux') });
    expect(reads).toEqual([]);
  });

  it('takes a read made ahead (under the lock) instead of asking again, once', async () => {
    const linux = new MemoryDaemon('linux', '10.201.0');
    const reads: string[] = [];
    linux.getArchive = async (container: string) => {
      reads.push(container);
      return hostsTar({ 'web-1': '10.202.0.3 web shop-web-1\n' });
    };
    linux.listContainers = async () => [resolverSummary()];
    const windows = new MemoryDaemon('windows', '10.202.0');
    const ahead = prefetched({ hosts: startResolverHostsRead(linux, 'shop') });
    expect(reads).toEqual([RESOLVER]);
    const stack = project([service('db'), service('web', { platform: 'windows' })]);
    const daemonFacts = { linux: facts('linux'), windows: facts('windows') };
    const first = await observe(stack, { linux, windows }, daemonFacts, { ahead: ahead.take()! });
    expect(reads).toEqual([RESOLVER]);
    expect(first.resolverHosts?.files.map((f) => f.file)).toEqual(['web-1']);
    expect(ahead.take()).toBeUndefined();
  });
});
