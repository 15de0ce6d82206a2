/**
 * The pure OS check, fed with RECORDED /info and /version responses (Windows Server 2022 and LCOW
 * recorded from Docker's and Microsoft's documentation; see test/fixtures/engine/README.md).
 */
import { describe, expect, it } from 'vitest';
import type { EngineInfo, EngineVersion } from '../../../src/engine/daemon-client.js';
import type { PlatformOs } from '../../../src/model/project.js';
import {
  checkDaemonOs,
  compareVersions,
  createPlatformFor,
  daemonFacts,
  isLcow,
  pullPlatformFor,
  windowsHostVersion,
} from '../../../src/plan/daemon-check.js';
import { recorded, type RecordedDaemon } from '../../support/fake-engine.js';

const facts = (daemon: RecordedDaemon, platform: PlatformOs, apiVersion?: string) =>
  daemonFacts({
    platform,
    label: `${platform} (tcp://h:2376)`,
    info: recorded(daemon, 'info') as unknown as EngineInfo,
    version: { ...(recorded(daemon, 'version') as unknown as EngineVersion), ...(apiVersion ? { ApiVersion: apiVersion } : {}) },
  });

describe('daemonFacts', () => {
  it('reads a Windows Server 2022 daemon', () => {
    expect(facts('windows-server-2022', 'windows')).toEqual({
      platform: 'windows',
      label: 'windows (tcp://h:2376)',
      osType: 'windows',
      operatingSystem: 'Windows Server 2022 Datacenter Version 2009 (OS Build 20348.2113)',
      kernelVersion: '10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)',
      architecture: 'x86_64',
      storageDriver: 'windowsfilter',
      lcow: false,
      apiVersion: '1.41',
      serverVersion: '20.10.24',
      isolation: 'process',
      networkDrivers: ['ics', 'internal', 'l2bridge', 'l2tunnel', 'nat', 'null', 'overlay', 'private', 'transparent'],
      osVersion: '10.0.20348.2113',
    });
  });
  it('recognises LCOW by OSType windows and lcow in the driver', () => {
    expect(facts('windows-lcow', 'linux').lcow).toBe(true);
    expect(isLcow({ OSType: 'windows', Driver: 'lcow' })).toBe(true);
    expect(isLcow({ OSType: 'windows', Driver: 'windowsfilter' })).toBe(false);
    expect(isLcow({ OSType: 'linux', Driver: 'overlay2' })).toBe(false);
  });
  it('derives the Windows host build from KernelVersion when OperatingSystem has none', () => {
    expect(windowsHostVersion({ OSType: 'windows', KernelVersion: '10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)' })).toBe('10.0.17763');
    expect(windowsHostVersion({ OSType: 'linux', KernelVersion: '6.1.0' })).toBeUndefined();
  });
  it('compares versions numerically', () => {
    expect(compareVersions('1.41', '1.32')).toBe(1);
    expect(compareVersions('1.9', '1.32')).toBe(-1);
    expect(compareVersions('10.0.20348.1', '10.0.20348')).toBe(1);
    expect(compareVersions('10.0.17763', '10.0.17763.0')).toBe(0);
  });
});

describe('checkDaemonOs matrix', () => {
  it('accepts linux for linux and windows for windows', () => {
    expect(checkDaemonOs(facts('linux', 'linux'), false)).toEqual({ status: 'ok' });
    expect(checkDaemonOs(facts('windows-server-2022', 'windows'), false)).toEqual({ status: 'ok' });
  });
  it('accepts LCOW for linux with platform=linux on pull and create', () => {
    const f = facts('windows-lcow', 'linux');
    expect(checkDaemonOs(f, false).status).toBe('ok');
    expect(pullPlatformFor(f)).toBe('linux');
    expect(createPlatformFor(f)).toBe('linux');
    // The same LCOW daemon serving windows needs nothing special.
    expect(pullPlatformFor(facts('windows-lcow', 'windows'))).toBeUndefined();
  });
  it('keeps pull platform but not create platform on an LCOW daemon with API 1.40', () => {
    const f = facts('windows-lcow', 'linux', '1.40');
    expect(checkDaemonOs(f, false)).toMatchObject({ status: 'warning' });
    expect(pullPlatformFor(f)).toBe('linux');
    expect(createPlatformFor(f)).toBeUndefined();
    expect(pullPlatformFor(facts('windows-lcow', 'linux', '1.31'))).toBeUndefined();
  });
  it('refuses a plain Windows daemon for linux, naming it and what it reported', () => {
    const result = checkDaemonOs(facts('windows-server-2022', 'linux'), false);
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.message).toBe(
      'linux daemon linux (tcp://h:2376) reports OSType "windows" (Windows Server 2022 Datacenter Version 2009 (OS Build 20348.2113), storage driver windowsfilter), so it cannot run linux services. ' +
        'Point x-mixcompose.daemons.linux (or --linux-host / --linux-context) at a linux daemon, or pass --allow-os-mismatch if a windows daemon should stand in for it',
    );
  });
  it('refuses a Linux daemon for windows, or warns when the mismatch is allowed', () => {
    expect(checkDaemonOs(facts('linux', 'windows'), false).status).toBe('error');
    const allowed = checkDaemonOs(facts('linux', 'windows'), true);
    expect(allowed.status).toBe('warning');
    expect(allowed.status === 'warning' && allowed.message).toMatch(/^windows daemon .* reports OSType "linux" .*using it anyway because of --allow-os-mismatch/);
  });
});
