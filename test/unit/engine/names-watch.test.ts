/**
 * Attached `up`'s watch: a start event of a project container on the daemon away from the resolver
 * registers, in the resolver, every running container whose entry is stale or missing; nothing for
 * fresh entries or the resolver's own events; failures are warnings and the watch goes on.
 */
import { describe, expect, it } from 'vitest';
import type { DaemonClient, EngineBody } from '../../../src/engine/daemon-client.js';
import { watchNames } from '../../../src/engine/names-watch.js';
import { applyHostsBatch } from '../../support/hosts-batch.js';
import type { EngineEvent } from '../../../src/model/events.js';
import type { ObservedState } from '../../../src/plan/observed-state.js';
import { parseHostsFile } from '../../../src/plan/resolver-entries.js';
import { container, observed, project, service } from '../plan/builders.js';

const stack = project([service('db'), service('web', { platform: 'windows' })]);
const resolver = container({ service: 'mixcompose-resolver', platform: 'linux', labels: { 'io.mixcompose.role': 'resolver' } });
const web = (ip: string) => container({ service: 'web', platform: 'windows', ips: { shop_default: ip } });
const stateWith = (webIp: string, entryIp: string): ObservedState =>
  observed({
    containers: [resolver, container({ service: 'db', platform: 'linux' }), web(webIp)],
    resolverHosts: { container: resolver.id, files: [parseHostsFile('web-1', `${entryIp} web\n${entryIp} shop-web-1\n`)] },
  });
const start = (labels: Record<string, string>): EngineBody => ({ Type: 'container', Action: 'start', Actor: { ID: 'x', Attributes: labels } });

/** A windows daemon whose event stream yields `events`, then stays open until the watch ends. */
function windowsDaemon(events: EngineBody[], seen: { filters?: unknown }): DaemonClient {
  return {
    label: 'windows',
    async *events(filters: unknown, signal?: AbortSignal) {
      seen.filters = filters;
      for (const e of events) yield e;
      if (!signal?.aborted) await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
    },
  } as unknown as DaemonClient;
}

/** A linux daemon that records what is written into the resolver. */
function linuxDaemon(): { client: DaemonClient; writes: { id: string; file: string; content: string }[]; written: Promise<void> } {
  const writes: { id: string; file: string; content: string }[] = [];
  let done!: () => void;
  const written = new Promise<void>((resolve) => (done = resolve));
  const client = {
    label: 'linux',
    async exchangeStdin(id: string, input: string) {
      const { files, answer } = applyHostsBatch(input);
      for (const f of files) writes.push({ id, file: `${f.dir.slice(1)}/${f.file}`, content: f.content });
      done();
      return answer;
    },
  } as unknown as DaemonClient;
  return { client, writes, written };
}

const facts = observed().daemons;

describe('watchNames', () => {
  it('registers a container Docker restarted with another address, on its start event', async () => {
    const linux = linuxDaemon();
    const seen: { filters?: unknown } = {};
    const unwatch = new AbortController();
    const events: EngineEvent[] = [];
    let observations = 0;
    const watching = watchNames(stack, {
      clients: { linux: linux.client, windows: windowsDaemon([start({ 'io.mixcompose.role': 'resolver' }), start({ 'com.docker.compose.service': 'web' })], seen) },
      facts,
      signal: unwatch.signal,
      onEvent: (e) => events.push(e),
      observeState: async () => {
        observations++;
        return stateWith('10.202.0.9', '10.202.0.4');
      },
    });
    await linux.written;
    unwatch.abort();
    await watching;
    expect(seen.filters).toEqual({ label: ['com.docker.compose.project=shop'], type: ['container'], event: ['start'] });
    expect(observations).toBe(1); // the resolver's own start is not looked at
    expect(linux.writes).toEqual([{ id: resolver.id, file: 'etc/mixcompose-hosts/web-1', content: '10.202.0.9 web\n10.202.0.9 shop-web-1\n' }]);
    expect(events.some((e) => e.type === 'step' && e.action === 'register' && e.status === 'done')).toBe(true);
  });

  it('writes nothing while the entries are fresh, warns when the state cannot be read, and ends with the signal', async () => {
    const linux = linuxDaemon();
    const unwatch = new AbortController();
    const events: EngineEvent[] = [];
    let calls = 0;
    const watching = watchNames(stack, {
      clients: { linux: linux.client, windows: windowsDaemon([start({}), start({}), start({})], {}) },
      facts,
      signal: unwatch.signal,
      onEvent: (e) => events.push(e),
      observeState: async () => {
        calls++;
        if (calls === 2) throw new Error('daemon went away');
        if (calls === 3) queueMicrotask(() => unwatch.abort());
        return stateWith('10.202.0.9', '10.202.0.9');
      },
    });
    await watching;
    expect(calls).toBe(3);
    expect(linux.writes).toEqual([]);
    expect(events).toEqual([{ type: 'warning', message: "names across daemons: could not refresh the resolver's entries: daemon went away" }]);
  });

  it('does not watch when one daemon serves both platforms', async () => {
    const shared = { linux: { ...observed().daemons.linux!, sharedWith: 'windows' as const }, windows: { ...observed().daemons.windows!, sharedWith: 'linux' as const } };
    let subscribed = false;
    const client = { label: 'both', events: () => { subscribed = true; return (async function* () {})(); } } as unknown as DaemonClient;
    await watchNames(stack, { clients: { linux: client, windows: client }, facts: shared, signal: new AbortController().signal, onEvent: () => undefined });
    expect(subscribed).toBe(false);
  });
});
