/**
 * Host-name daemon addresses are looked up before planning (the resolver needs IPs); IPs, `ip`
 * reach and names that do not resolve (or hang) are left to the planner.
 */
import { describe, expect, it } from 'vitest';
import { lookupDaemonAddresses } from '../../../src/engine/daemon-addresses.js';
import { project } from '../plan/builders.js';

describe('lookupDaemonAddresses', () => {
  it('looks up host names only, where reach may be published', async () => {
    const asked: string[] = [];
    const lookup = async (name: string) => {
      asked.push(name);
      return '203.0.113.7';
    };
    const p = project([], {}, { linux: { reach: 'published', address: 'linuxbuild.example' }, windows: { reach: 'auto', address: 'winbuild.example' } });
    expect(await lookupDaemonAddresses(p, lookup)).toEqual({ linux: '203.0.113.7', windows: '203.0.113.7' });
    expect(asked.sort()).toEqual(['linuxbuild.example', 'winbuild.example']);
    asked.length = 0;
    const skipped = project([], {}, { linux: { reach: 'published', address: '192.0.2.10' }, windows: { reach: 'ip', address: 'winbuild.example' } });
    expect(await lookupDaemonAddresses(skipped, lookup)).toEqual({});
    expect(asked).toEqual([]);
  });

  it('leaves out a name that fails, answers no IP, or hangs past the timeout', async () => {
    const p = project([], {}, { linux: { reach: 'published', address: 'gone.example' }, windows: { reach: 'published', address: 'slow.example' } });
    const lookup = (name: string) =>
      name === 'gone.example' ? Promise.reject(new Error('ENOTFOUND')) : new Promise<string>(() => undefined);
    expect(await lookupDaemonAddresses(p, lookup, 20)).toEqual({});
    expect(await lookupDaemonAddresses(p, async () => 'not-an-ip', 20)).toEqual({});
  });
});
