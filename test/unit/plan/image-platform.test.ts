import { describe, expect, it } from 'vitest';
import type { PlatformOs } from '../../../src/model/project.js';
import { checkImagePlatforms, checkLocalImage, normalizeArchitecture, windowsVersionFits } from '../../../src/plan/image-platform.js';
import type { DaemonFacts } from '../../../src/plan/observed-state.js';

const daemon = (platform: PlatformOs, extra: Partial<DaemonFacts> = {}): DaemonFacts => ({
  platform,
  label: `${platform} (npipe:////./pipe/docker_engine_${platform})`,
  osType: platform,
  lcow: false,
  networkDrivers: [],
  architecture: 'x86_64',
  ...extra,
});
const windowsHost = daemon('windows', { osVersion: '10.0.17763.5458' });
const subject = (os: PlatformOs, d: DaemonFacts, raw: string = os) => ({
  service: 'web',
  image: 'mcr.microsoft.com/dotnet/aspnet:8.0',
  platform: { os, raw, ...(raw.includes('/') ? { architecture: raw.split('/')[1] } : {}) },
  daemon: d,
});

describe('checkImagePlatforms', () => {
  it('accepts a multi-platform image that has the service OS and daemon architecture', () => {
    const result = checkImagePlatforms(subject('linux', daemon('linux')), [
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'amd64' },
    ]);
    expect(result).toEqual({ ok: true, matched: { os: 'linux', architecture: 'amd64' } });
  });

  it('refuses a windows-only image for a linux service, naming service, image, platforms, daemon and the fix', () => {
    const result = checkImagePlatforms(subject('linux', daemon('linux')), [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' }]);
    expect(result).toEqual({
      ok: false,
      message:
        'service "web": image mcr.microsoft.com/dotnet/aspnet:8.0 is published for windows/amd64 (10.0.20348.1), but the service\'s platform is linux, ' +
        'served by the linux daemon linux (npipe:////./pipe/docker_engine_linux) (linux): there is no linux variant. ' +
        'Set `platform: windows/amd64` on service "web" to run it on the windows daemon, or use an image built for linux.',
    });
  });

  it('judges by the declared platform, so a Linux stand-in still refuses a linux image for windows', () => {
    const standIn = daemon('windows', { osType: 'linux' });
    const result = checkImagePlatforms(subject('windows', standIn), [{ os: 'linux', architecture: 'amd64' }]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain('Set `platform: linux/amd64`');
  });

  it('refuses windows variants newer than the host build and suggests an older tag', () => {
    const result = checkImagePlatforms(subject('windows', windowsHost), [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2113' }]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/runs Windows build 10\.0\.17763\.5458: every windows variant needs a newer build \(10\.0\.20348\.2113\).*ltsc2019/);
  });

  it('accepts a windows variant at or below the host build, picking the fitting one', () => {
    const result = checkImagePlatforms(subject('windows', windowsHost), [
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2113' },
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5329' },
    ]);
    expect(result).toEqual({ ok: true, matched: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5329' } });
  });

  it('warns when process isolation meets an older image build, not with hyperv isolation', () => {
    const server2022 = daemon('windows', { osVersion: '10.0.20348.2113', isolation: 'process' });
    const ltsc2019 = [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5329' }];
    const result = checkImagePlatforms(subject('windows', server2022), ltsc2019);
    expect(result.ok).toBe(true);
    expect(result.ok && result.warning).toMatch(/Windows build 10\.0\.17763, older than the host's 10\.0\.20348, .*process isolation.*`isolation: hyperv` on service "web"/);
    expect(checkImagePlatforms({ ...subject('windows', server2022), isolation: 'hyperv' }, ltsc2019)).toEqual({ ok: true, matched: ltsc2019[0] });
    const both = [...ltsc2019, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2113' }];
    expect(checkImagePlatforms(subject('windows', server2022), both)).toEqual({ ok: true, matched: both[1] });
  });

  it('skips the build comparison on a Linux stand-in (it reports no Windows build)', () => {
    const standIn = daemon('windows', { osType: 'linux' });
    expect(checkImagePlatforms(subject('windows', standIn), [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.26100.1' }]).ok).toBe(true);
  });

  it('refuses a missing architecture', () => {
    const result = checkImagePlatforms(subject('linux', daemon('linux', { architecture: 'aarch64' })), [{ os: 'linux', architecture: 'amd64' }]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain('needs linux/arm64: there is no arm64 variant');
  });

  it('uses the declared architecture over the daemon one', () => {
    const result = checkImagePlatforms(subject('linux', daemon('linux'), 'linux/arm64'), [{ os: 'linux', architecture: 'amd64' }]);
    expect(result.ok).toBe(false);
  });

  it('accepts an empty platform list (nothing to judge by)', () => {
    expect(checkImagePlatforms(subject('linux', daemon('linux')), [])).toEqual({ ok: true });
  });
});

describe('checkLocalImage', () => {
  it('judges the local image Os the same way', () => {
    const result = checkLocalImage(subject('linux', daemon('linux')), { Os: 'windows', Architecture: 'amd64', OsVersion: '10.0.20348.1' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^service "web": image .* on the daemon is windows\/amd64 \(10\.0\.20348\.1\)/);
    expect(checkLocalImage(subject('linux', daemon('linux')), { Os: 'linux', Architecture: 'amd64' }).ok).toBe(true);
  });
});

describe('helpers', () => {
  it('normalizes architectures', () => {
    expect(normalizeArchitecture('x86_64')).toBe('amd64');
    expect(normalizeArchitecture('aarch64')).toBe('arm64');
  });
  it('compares windows builds on major.minor.build only', () => {
    expect(windowsVersionFits('10.0.20348.9999', '10.0.20348.1')).toBe(true);
    expect(windowsVersionFits('10.0.20349.1', '10.0.20348.1')).toBe(false);
  });
});
