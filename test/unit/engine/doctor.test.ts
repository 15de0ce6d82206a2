import { describe, expect, it } from 'vitest';
import { crossReferences, runDoctor } from '../../../src/engine/doctor.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import type { Project } from '../../../src/model/project.js';

const info = { OSType: 'linux', OperatingSystem: 'Debian GNU/Linux 12', Driver: 'overlay2', ServerVersion: '20.10.24' };

/** A daemon that answers /version and /info, records other calls, and fails the ones scripted. */
function fakeDaemon(label: string, overrides: Partial<Record<keyof DaemonClient, (...a: unknown[]) => Promise<unknown>>> = {}) {
  const calls: string[] = [];
  const client = new Proxy({ label } as Record<string, unknown>, {
    get(target, prop) {
      if (prop in target) return target[prop as string];
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      return async (...args: unknown[]) => {
        calls.push(prop);
        const o = overrides[prop as keyof DaemonClient];
        if (o) return o(...args);
        if (prop === 'version') return { ApiVersion: '1.41' };
        if (prop === 'info') return info;
        if (prop === 'listContainers' || prop === 'listNetworks') return [];
        return undefined;
      };
    },
  }) as unknown as DaemonClient;
  return { client, calls };
}

describe('runDoctor', () => {
  it('an unreachable daemon is a failed row; no probe is started', async () => {
    const linux = fakeDaemon('linux (unix:///l.sock)', { version: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED /l.sock'), { code: 'ECONNREFUSED' })) });
    const windows = fakeDaemon('windows (unix:///w.sock)');
    const report = await runDoctor({ clients: { linux: linux.client, windows: windows.client }, labels: {}, allowOsMismatch: true });
    expect(report.verdict).toBe('fail');
    expect(report.rows.find((r) => r.check === 'linux daemon: reachable')).toMatchObject({ status: 'fail', detail: expect.stringContaining('ECONNREFUSED') });
    expect(report.rows.find((r) => r.check === 'network between the daemons')?.status).toBe('skip');
    expect(windows.calls).not.toContain('createContainer');
  });

  it('an endpoint that could not be resolved is reported with its reason', async () => {
    const linux = fakeDaemon('linux');
    const report = await runDoctor({ clients: { linux: linux.client }, labels: { windows: 'windows (bogus)' }, endpointErrors: { windows: 'unsupported scheme "ftp"' }, allowOsMismatch: true });
    expect(report.rows.find((r) => r.check === 'windows daemon: reachable')).toMatchObject({ status: 'fail', detail: 'windows (bogus): unsupported scheme "ftp"' });
  });

  it('one daemon for both platforms: no probes, nothing crosses', async () => {
    const both = fakeDaemon('linux+windows (unix:///d.sock)');
    const report = await runDoctor({ clients: { linux: both.client, windows: both.client }, labels: {}, sameDaemon: true, allowOsMismatch: true });
    expect(report.rows.find((r) => r.check === 'network between the daemons')?.status).toBe('ok');
    expect(both.calls).not.toContain('createContainer');
  });

  it('a probe image that cannot be had fails the probes and still cleans up both daemons', async () => {
    const missing = { inspectImage: async () => undefined, pullImage: () => Promise.reject(new Error('pull access denied for nope')) };
    const linux = fakeDaemon('linux', missing);
    const windows = fakeDaemon('windows', missing);
    const report = await runDoctor({ clients: { linux: linux.client, windows: windows.client }, labels: {}, allowOsMismatch: true, probeImage: 'nope' });
    expect(report.rows.find((r) => r.check === 'network probes')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^probe image: pull access denied/) });
    for (const d of [linux, windows]) {
      expect(d.calls).toContain('listContainers');
      expect(d.calls).toContain('listNetworks');
      expect(d.calls).not.toContain('createContainer');
    }
  });
});

describe('stale probes', () => {
  it('removes probes an earlier doctor left more than ten minutes ago, not recent ones (by the injected clock)', async () => {
    const now = 1_700_000_000;
    const removed: string[] = [];
    const leftovers = [
      { Id: 'old', Created: now - 3600, Labels: { 'com.docker.compose.project': 'mixcompose-doctor-old', 'io.mixcompose.role': 'doctor-probe' } },
      { Id: 'new', Created: now - 5, Labels: { 'com.docker.compose.project': 'mixcompose-doctor-new', 'io.mixcompose.role': 'doctor-probe' } },
    ];
    const listContainers = async (filters: { label: string[] }) =>
      leftovers.filter((c) => filters.label.every((l) => { const [k, v] = l.split('='); return c.Labels[k as keyof typeof c.Labels] === v; }));
    const removeContainer = async (id: string) => void removed.push(id);
    const missing = { inspectImage: async () => undefined, pullImage: () => Promise.reject(new Error('no image')) };
    const linux = fakeDaemon('linux', { listContainers, removeContainer, ...missing } as never);
    const windows = fakeDaemon('windows', missing);
    await runDoctor({ clients: { linux: linux.client, windows: windows.client }, labels: {}, allowOsMismatch: true, now: () => now * 1000 });
    expect(removed).toEqual(['old']);
  });
});

describe('crossReferences', () => {
  it('keeps references whose provider runs on the other platform, with its published ports', () => {
    const svc = (name: string, os: 'linux' | 'windows', extra: object = {}) => ({ name, platform: { os, raw: os }, ports: [], addressReferences: [], ...extra });
    const project = {
      services: {
        db: svc('db', 'linux', { ports: [{ target: 5432, published: '15432', protocol: 'tcp' }, { target: 9000, protocol: 'tcp' }, { target: 53, protocol: 'udp' }] }),
        web: svc('web', 'windows', {
          addressReferences: [
            { service: 'db', kind: 'port', port: 5432, text: '{{ db.port:5432 }}', path: ['environment', 'DB'] },
            { service: 'api', kind: 'host', text: '{{ api.host }}', path: ['environment', 'API'] },
          ],
        }),
        api: svc('api', 'windows'),
      },
    } as unknown as Project;
    expect(crossReferences(project)).toEqual([
      { consumer: 'web', provider: 'db', providerPlatform: 'linux', kind: 'port', port: 5432, text: '{{ db.port:5432 }}', providerPublishes: [5432, 9000] },
    ]);
  });
});
