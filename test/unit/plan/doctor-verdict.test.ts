import { describe, expect, it } from 'vitest';
import { doctorRows, doctorVerdict, probeImageFor, windowsProbeImage, type DoctorDaemon, type DoctorFacts, type DoctorNetwork } from '../../../src/plan/doctor-verdict.js';
import type { DaemonFacts } from '../../../src/plan/observed-state.js';

const GiB = 1024 ** 3;
const linuxFacts: DaemonFacts = {
  platform: 'linux', label: 'linux (unix:///l.sock)', osType: 'linux', operatingSystem: 'Debian GNU/Linux 12', storageDriver: 'overlay2',
  lcow: false, apiVersion: '1.41', serverVersion: '20.10.24', networkDrivers: ['bridge'],
};
const standIn: DaemonFacts = { ...linuxFacts, platform: 'windows', label: 'windows (unix:///w.sock)' };
const realWindows: DaemonFacts = {
  platform: 'windows', label: 'windows (npipe:////./pipe/docker_engine_windows)', osType: 'windows', operatingSystem: 'Windows Server 2022 Datacenter',
  storageDriver: 'windowsfilter', isolation: 'process', lcow: false, apiVersion: '1.44', networkDrivers: ['nat'], osVersion: '10.0.20348',
};
const ok = (detail: string) => ({ status: 'ok' as const, detail });
const failed = (detail: string) => ({ status: 'failed' as const, detail });
const both = <T,>(v: T) => ({ 'linux->windows': v, 'windows->linux': v });

const healthyNetwork: DoctorNetwork = {
  ip: both(ok('nc -z: connected')),
  published: both(ok('nc -z gateway:port: connected')),
  namesWithoutWiring: both(failed('nslookup probe: NXDOMAIN')),
  namesWithWiring: both(ok('nslookup via resolver: 10.201.0.2')),
  subnets: { linux: '10.201.7.0/24', windows: '10.202.7.0/24' },
};

function facts(extra: Partial<DoctorFacts> = {}, daemons: DoctorDaemon[] = [
  { platform: 'linux', label: linuxFacts.label, facts: linuxFacts, freeDiskBytes: 40 * GiB },
  { platform: 'windows', label: standIn.label, facts: standIn, freeDiskBytes: 40 * GiB },
]): DoctorFacts {
  return { daemons, allowOsMismatch: true, reach: {}, network: healthyNetwork, ...extra };
}

const row = (rows: ReturnType<typeof doctorRows>, check: string) => rows.find((r) => r.check === check);

describe('doctorRows', () => {
  it('a healthy rig: no failure; the stand-in is a warning with a fix', () => {
    const rows = doctorRows(facts());
    expect(rows.filter((r) => r.status === 'fail')).toEqual([]);
    expect(row(rows, 'windows daemon: OS')).toMatchObject({ status: 'warn', fix: expect.stringContaining('--windows-host') });
    expect(row(rows, 'windows daemon: isolation')?.status).toBe('skip');
    expect(row(rows, 'IP reachability linux → windows')).toMatchObject({ status: 'ok' });
    expect(row(rows, 'names without wiring windows → linux')).toMatchObject({ status: 'ok', detail: expect.stringContaining('expected') });
    expect(doctorVerdict(rows)).toBe('warn');
    for (const r of rows) if (r.status === 'warn' || r.status === 'fail') expect(r.fix).toBeTruthy();
  });

  it('a real Windows daemon: OS and isolation ok, verdict ok', () => {
    const rows = doctorRows(facts({ allowOsMismatch: false }, [
      { platform: 'linux', label: linuxFacts.label, facts: linuxFacts, freeDiskBytes: 40 * GiB },
      { platform: 'windows', label: realWindows.label, facts: realWindows, freeDiskBytes: 40 * GiB },
    ]));
    expect(row(rows, 'windows daemon: OS')).toMatchObject({ status: 'ok', detail: expect.stringContaining('20348') });
    expect(row(rows, 'windows daemon: isolation')).toMatchObject({ status: 'ok', detail: expect.stringContaining('process') });
    expect(doctorVerdict(rows)).toBe('ok');
  });

  it('a Linux daemon serving windows without --allow-os-mismatch fails', () => {
    const rows = doctorRows(facts({ allowOsMismatch: false }));
    expect(row(rows, 'windows daemon: OS')).toMatchObject({ status: 'fail', fix: expect.stringContaining('--allow-os-mismatch') });
  });

  it('routing removed: IP reachability fails both ways with the iptables fix naming the subnets', () => {
    const rows = doctorRows(facts({ network: { ...healthyNetwork, ip: both(failed('nc -z 10.202.7.2 7777: timed out after 2s')) } }));
    const r = row(rows, 'IP reachability linux → windows')!;
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('timed out');
    expect(r.fix).toContain('iptables -I DOCKER-USER -s 10.201.7.0/24 -d 10.202.7.0/24 -j ACCEPT');
    expect(r.fix).toContain('reach: published');
    expect(row(rows, 'IP reachability windows → linux')?.fix).toContain('-s 10.202.7.0/24 -d 10.201.7.0/24');
    expect(doctorVerdict(rows)).toBe('fail');
  });

  it('an unreachable daemon fails with how to point at it, and skips the network', () => {
    const rows = doctorRows(facts({ network: undefined }, [
      { platform: 'linux', label: linuxFacts.label, facts: linuxFacts, freeDiskBytes: 40 * GiB },
      { platform: 'windows', label: 'windows (unix:///w.sock)', error: 'connect ENOENT /w.sock' },
    ]));
    expect(row(rows, 'windows daemon: reachable')).toMatchObject({ status: 'fail', detail: expect.stringContaining('ENOENT'), fix: expect.stringContaining('MIXCOMPOSE_WINDOWS_HOST') });
    expect(row(rows, 'network between the daemons')?.status).toBe('skip');
  });

  it('LCOW, an old API, vfs and a full disk', () => {
    const lcow: DaemonFacts = { ...realWindows, platform: 'linux', label: 'linux (npipe)', lcow: true, storageDriver: 'windowsfilter (windows) lcow (linux)', apiVersion: '1.40' };
    const rows = doctorRows(facts({}, [
      { platform: 'linux', label: lcow.label, facts: lcow, freeDiskBytes: 0.5 * GiB },
      { platform: 'windows', label: standIn.label, facts: { ...standIn, storageDriver: 'vfs' }, freeDiskBytes: 3 * GiB },
    ]));
    expect(row(rows, 'linux daemon: LCOW')).toMatchObject({ status: 'warn', detail: expect.stringContaining('error 95') });
    expect(row(rows, 'linux daemon: API version')?.status).toBe('fail');
    expect(row(rows, 'linux daemon: free disk')?.status).toBe('fail');
    expect(row(rows, 'windows daemon: free disk')?.status).toBe('warn');
    expect(row(rows, 'windows daemon: storage driver')?.status).toBe('warn');
  });

  it('not-checked probes are skips, not failures', () => {
    const rows = doctorRows(facts({ network: { ...healthyNetwork, namesWithWiring: both({ status: 'not-checked', detail: 'not checked: no resolver' }) } }));
    expect(row(rows, 'names with mixcompose linux → windows')).toMatchObject({ status: 'skip', detail: 'not checked: no resolver' });
  });

  it('probes that could not run fail with the --probe-image fix', () => {
    const rows = doctorRows(facts({ network: { ...healthyNetwork, probeError: 'probe image: image mixcompose-test/busybox:latest not found on windows' } }));
    expect(row(rows, 'network probes')).toMatchObject({ status: 'fail', fix: expect.stringContaining('--probe-image') });
    const refused = doctorRows(facts({ network: { ...healthyNetwork, probeError: 'probe network: iptables failed' } }));
    expect(row(refused, 'network probes')?.fix).toContain("daemon's log");
  });

  it('says what host.docker.internal answers in windows containers: the windows gateway, one line', () => {
    const rows = doctorRows(facts({ network: { ...healthyNetwork, windowsGateway: '172.28.16.1' } }));
    expect(rows.filter((r) => r.check === 'host.docker.internal (windows containers)')).toEqual([
      expect.objectContaining({ status: 'ok', detail: expect.stringMatching(/^the project resolver answers 172\.28\.16\.1, the windows daemon's gateway/) }),
    ]);
    expect(row(doctorRows(facts()), 'host.docker.internal (windows containers)')).toBeUndefined();
    expect(row(doctorRows(facts({ network: { ...healthyNetwork, windowsGateway: '172.28.16.1', sameDaemon: true } })), 'host.docker.internal (windows containers)')).toBeUndefined();
  });

  it('one daemon for both platforms: nothing crosses', () => {
    expect(row(doctorRows(facts({ network: { ...healthyNetwork, sameDaemon: true } })), 'network between the daemons')?.status).toBe('ok');
  });
});

describe('address references', () => {
  const ref = { consumer: 'web', provider: 'db', providerPlatform: 'linux' as const, kind: 'port' as const, port: 5432, text: '{{ db.port:5432 }}', providerPublishes: [] };
  it('reach published needs the port published', () => {
    const rows = doctorRows(facts({ reach: { linux: 'published' }, references: [ref] }));
    expect(row(rows, 'reference web → {{ db.port:5432 }}')).toMatchObject({ status: 'fail', fix: 'add ports: ["5432"] to service db' });
    const good = doctorRows(facts({ reach: { linux: 'published' }, references: [{ ...ref, providerPublishes: [5432] }] }));
    expect(row(good, 'address references')).toMatchObject({ status: 'ok', detail: '1 of 1 cross-daemon reference(s) can be honoured' });
  });
  it('{{ db.ip }} cannot work with published reach', () => {
    const rows = doctorRows(facts({ reach: { linux: 'published' }, references: [{ ...ref, kind: 'ip', port: undefined, text: '{{ db.ip }}' }] }));
    expect(row(rows, 'reference web → {{ db.ip }}')).toMatchObject({ status: 'fail', fix: expect.stringContaining('{{ db.host }}') });
  });
  it('auto falls back to published when the IP probe failed', () => {
    const network = { ...healthyNetwork, ip: both(failed('timed out')) };
    const rows = doctorRows(facts({ reach: { linux: 'auto' }, references: [ref], network }));
    expect(row(rows, 'reference web → {{ db.port:5432 }}')?.status).toBe('fail');
    const viaIp = doctorRows(facts({ reach: { linux: 'auto' }, references: [ref] }));
    expect(row(viaIp, 'address references')?.status).toBe('ok');
  });
  it('reach ip with a failed IP probe fails the reference', () => {
    const network = { ...healthyNetwork, ip: both(failed('timed out')) };
    expect(row(doctorRows(facts({ reach: { linux: 'ip' }, references: [ref], network })), 'reference web → {{ db.port:5432 }}')?.status).toBe('fail');
  });
  it('no cross-daemon reference: skip', () => {
    expect(row(doctorRows(facts({ references: [] })), 'address references')?.status).toBe('skip');
  });
});

describe("doctor's probe images out of the box", () => {
  const daemon = (extra: Partial<DaemonFacts>): DaemonFacts => ({ platform: 'windows', label: 'w', osType: 'windows', lcow: false, networkDrivers: ['nat'], ...extra }) as DaemonFacts;
  it('nanoserver of the host build on a Windows daemon, process isolation', () => {
    expect(windowsProbeImage('10.0.17763.5820')).toEqual({ image: 'mcr.microsoft.com/windows/nanoserver:ltsc2019', why: "the host's build 17763" });
    expect(windowsProbeImage('10.0.20348.2227').image).toBe('mcr.microsoft.com/windows/nanoserver:ltsc2022');
    expect(windowsProbeImage('10.0.26100.1').image).toBe('mcr.microsoft.com/windows/nanoserver:ltsc2025');
  });
  it('a host newer than any tag (or between tags) gets the newest older tag under Hyper-V isolation', () => {
    expect(windowsProbeImage('10.0.26200.1')).toMatchObject({ image: 'mcr.microsoft.com/windows/nanoserver:ltsc2025', isolation: 'hyperv' });
    expect(windowsProbeImage('10.0.22631.1')).toMatchObject({ image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022', isolation: 'hyperv' });
    expect(windowsProbeImage(undefined)).toMatchObject({ isolation: 'hyperv' });
  });
  it('the resolver image on a Linux daemon (also an LCOW one serving linux), the configured image when set, never a test image', () => {
    expect(probeImageFor(daemon({ platform: 'linux', osType: 'linux' }), undefined, 'mixcompose/resolver:0.1.0').image).toBe('mixcompose/resolver:0.1.0');
    expect(probeImageFor(daemon({ platform: 'linux', lcow: true }), undefined, 'mixcompose/resolver:0.1.0').image).toBe('mixcompose/resolver:0.1.0');
    expect(probeImageFor(daemon({ osVersion: '10.0.20348.1' }), undefined, 'r').image).toBe('mcr.microsoft.com/windows/nanoserver:ltsc2022');
    expect(probeImageFor(daemon({}), 'my/probe:1', 'r')).toEqual({ image: 'my/probe:1', why: 'configured' });
  });
});
