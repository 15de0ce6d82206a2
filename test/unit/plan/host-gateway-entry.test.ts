import { describe, expect, it } from 'vitest';
import { hostGatewayEntry } from '../../../src/plan/host-gateway-entry.js';
import { RESOLVER_HOSTS_DIR, RESOLVER_STATIC_DIRS } from '../../../src/plan/resolver.js';

const both = new Set(['linux', 'windows'] as const);

describe('host.docker.internal for Windows askers', () => {
  it('is the gateway of the windows project network, in the shared hostsdir when both daemons are reached by IP', () => {
    expect(hostGatewayEntry({ platformsInUse: both, resolverRuns: true, windowsGateway: '172.20.0.1', layout: { mainDirs: [RESOLVER_HOSTS_DIR], static: [] } })).toEqual({
      name: 'host.docker.internal',
      address: '172.20.0.1',
      dir: RESOLVER_HOSTS_DIR,
      file: 'mixcompose-host-gateway',
      content: '172.20.0.1 host.docker.internal\n',
      sharedWithLinux: true,
    });
  });

  it("under published reach goes to the windows askers' own directory, which linux askers never read", () => {
    const layout = {
      mainDirs: [RESOLVER_HOSTS_DIR, RESOLVER_STATIC_DIRS.linux],
      published: { address: '192.168.1.5', dirs: [RESOLVER_HOSTS_DIR, RESOLVER_STATIC_DIRS.windows] },
      static: [],
    };
    expect(hostGatewayEntry({ platformsInUse: both, resolverRuns: true, windowsGateway: '172.20.0.1', layout })).toMatchObject({ dir: RESOLVER_STATIC_DIRS.windows, sharedWithLinux: false });
  });

  it('nothing without windows services, without the resolver, or without a gateway', () => {
    const layout = { mainDirs: [RESOLVER_HOSTS_DIR], static: [] };
    expect(hostGatewayEntry({ platformsInUse: new Set(['linux'] as const), resolverRuns: true, windowsGateway: '172.20.0.1', layout })).toBeUndefined();
    expect(hostGatewayEntry({ platformsInUse: both, resolverRuns: false, windowsGateway: '172.20.0.1', layout })).toBeUndefined();
    expect(hostGatewayEntry({ platformsInUse: both, resolverRuns: true, windowsGateway: undefined, layout })).toBeUndefined();
  });
});
