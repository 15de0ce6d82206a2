/**
 * The project resolver is never an open recursive resolver on a host address (issue 12): the
 * instance published under `reach: published` answers the project's names only and forwards
 * nothing; only the instance on the project's own network (not published) forwards other names to
 * Docker's embedded DNS. The rig test test/integration/faults/resolver-recursion.test.ts asks it.
 */
import { describe, expect, it } from 'vitest';
import { resolverBody, resolverLayout } from '../../../src/plan/resolver.js';
import { project, service } from '../plan/builders.js';

const ADDRESS = '192.0.2.10';

describe('the published resolver forwards nothing', () => {
  for (const reach of [
    { linux: 'published', windows: 'published' },
    { linux: 'published', windows: 'ip' },
    { linux: 'ip', windows: 'published' },
  ] as const) {
    it(`linux ${reach.linux}, windows ${reach.windows}: the published dnsmasq has no upstream, the network one does`, () => {
      const p = project([service('db'), service('web', { platform: 'windows' })], {}, {
        linux: { reach: reach.linux, address: ADDRESS },
        windows: { reach: reach.windows, address: '192.0.2.20' },
      });
      const body = resolverBody(p, 'img', 'shop_default', resolverLayout(p, reach)) as { Cmd: string[]; HostConfig: { PortBindings: Record<string, { HostIp: string; HostPort: string }[]> } };
      // The script's last two lines start the two dnsmasq (after the mkdir and the hosts reader loop).
      const [networkLine, publishedLine] = body.Cmd[0]!.split('\n').slice(-2);
      expect(networkLine).toMatch(/--server=127\.0\.0\.11 /);
      expect(networkLine).not.toMatch(/--port=/);
      expect(publishedLine).toMatch(/--port=5353 /);
      expect(publishedLine).not.toMatch(/--server|--resolv-file/);
      expect(publishedLine).toMatch(/--no-resolv/);
      // A project name is IPv4 only: its AAAA is answered empty, not REFUSED (a client would count the server failed).
      expect(publishedLine).toMatch(/--filter-AAAA/);
      // Published on the configured address only, never on every address of the host.
      for (const bindings of Object.values(body.HostConfig.PortBindings)) expect(bindings).toEqual([{ HostIp: ADDRESS, HostPort: '53' }]);
    });
  }
});
