/**
 * PURE: does an image fit the daemon that will run it?
 *
 * The OS an image must have is the service's DECLARED platform (so a Linux daemon standing in for
 * Windows still refuses a Linux image for a windows service, and the reverse). Architecture is
 * checked against the declared one, else the daemon's. A Windows image must also have an
 * `os.version` at or below the host build (major.minor.build), when the daemon reports one.
 *
 * Inputs are the registry's platform list (`GET /distribution/{name}/json` → Platforms) before a
 * pull, or a local image's `Os` / `Architecture` / `OsVersion` (`GET /images/{name}/json`).
 * Messages name the service, the image, its platforms and the daemon, and suggest the right
 * `platform:`.
 */
import type { PlatformSpec } from '../model/project.js';
import { compareVersions } from './daemon-check.js';
import type { DaemonFacts } from './observed-state.js';

/** An OCI platform as the Engine API reports it (distribution Platforms entries). */
export interface ImagePlatform {
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
}

export interface ImageCheckSubject {
  readonly service: string;
  readonly image: string;
  readonly platform: PlatformSpec;
  readonly daemon: DaemonFacts;
  /** The service's `isolation:` (Windows: process / hyperv), when set. */
  readonly isolation?: string;
}

export type ImagePlatformResult =
  | { readonly ok: true; readonly matched?: ImagePlatform; readonly warning?: string }
  | { readonly ok: false; readonly message: string };

/** Docker's names for architectures ("x86_64" from /info is "amd64" in images). */
export function normalizeArchitecture(arch: string | undefined): string | undefined {
  if (!arch) return undefined;
  const a = arch.toLowerCase();
  if (a === 'x86_64' || a === 'x86-64' || a === 'amd64') return 'amd64';
  if (a === 'aarch64' || a === 'arm64') return 'arm64';
  if (a === 'armhf' || a === 'armv7l' || a === 'arm') return 'arm';
  if (a === 'i386' || a === 'i686' || a === '386') return '386';
  return a;
}

/** "windows/amd64 (10.0.20348.1)" */
export function formatImagePlatform(p: ImagePlatform): string {
  const base = [p.os ?? 'unknown', p.architecture, p.variant].filter(Boolean).join('/');
  return p['os.version'] ? `${base} (${p['os.version']})` : base;
}

function formatList(platforms: readonly ImagePlatform[]): string {
  return platforms.length ? platforms.map(formatImagePlatform).join(', ') : 'no platforms listed';
}

/** The first three parts of a Windows version: "10.0.20348.2113" → "10.0.20348". */
function windowsBuild(version: string): string {
  return version.split('.').slice(0, 3).join('.');
}

/** Windows image os.version fits the host when its build is at or below the host's. */
export function windowsVersionFits(imageVersion: string | undefined, hostVersion: string | undefined): boolean {
  if (!imageVersion || !hostVersion) return true;
  return compareVersions(windowsBuild(imageVersion), windowsBuild(hostVersion)) <= 0;
}

function daemonDescription(subject: ImageCheckSubject): string {
  const d = subject.daemon;
  const runs = d.lcow ? 'linux (LCOW)' : d.osType;
  return `the ${d.platform} daemon ${d.label} (${runs}${d.osVersion ? ` ${d.osVersion}` : ''})`;
}

function wantedArchitecture(subject: ImageCheckSubject): string | undefined {
  return normalizeArchitecture(subject.platform.architecture) ?? normalizeArchitecture(subject.daemon.architecture);
}

/**
 * Checks an image's platform list (from the registry, before any pull) against the service's
 * platform and its daemon. `source` words the message ("its registry lists", "the local image is").
 */
export function checkImagePlatforms(
  subject: ImageCheckSubject,
  platforms: readonly ImagePlatform[],
  source: 'registry' | 'local' = 'registry',
): ImagePlatformResult {
  // A registry that lists nothing (old schema-1 manifests) gives nothing to check against.
  if (platforms.length === 0) return { ok: true };
  const os = subject.platform.os;
  const arch = wantedArchitecture(subject);
  const variant = subject.platform.variant;
  const head = `service "${subject.service}": image ${subject.image} ${source === 'registry' ? 'is published for' : 'on the daemon is'} ${formatList(platforms)}`;

  const sameOs = platforms.filter((p) => (p.os ?? '').toLowerCase() === os);
  if (sameOs.length === 0) {
    const other = platforms[0]!;
    const suggestion = [other.os, normalizeArchitecture(other.architecture)].filter(Boolean).join('/');
    return {
      ok: false,
      message:
        `${head}, but the service's platform is ${subject.platform.raw}, served by ${daemonDescription(subject)}: ` +
        `there is no ${os} variant. Set \`platform: ${suggestion}\` on service "${subject.service}" to run it on the ${other.os} daemon, ` +
        `or use an image built for ${os}.`,
    };
  }
  const sameArch = arch ? sameOs.filter((p) => !p.architecture || normalizeArchitecture(p.architecture) === arch) : sameOs;
  if (sameArch.length === 0) {
    const suggestion = `${os}/${normalizeArchitecture(sameOs[0]!.architecture)}`;
    return {
      ok: false,
      message:
        `${head}, but ${daemonDescription(subject)} needs ${os}/${arch}: there is no ${arch} variant. ` +
        `Use an image built for ${os}/${arch}${subject.platform.architecture ? `, or set \`platform: ${suggestion}\` if that daemon can run it` : ''}.`,
    };
  }
  const sameVariant = variant ? sameArch.filter((p) => !p.variant || p.variant === variant) : sameArch;
  if (sameVariant.length === 0) {
    return {
      ok: false,
      message: `${head}, but the service asks for ${subject.platform.raw}: there is no variant ${variant}. Use \`platform: ${os}/${arch}/${sameArch[0]!.variant}\` or another image.`,
    };
  }
  if (os === 'windows') {
    const host = subject.daemon.osType === 'windows' ? subject.daemon.osVersion : undefined;
    const fitting = sameVariant.filter((p) => windowsVersionFits(p['os.version'], host));
    if (fitting.length === 0) {
      return {
        ok: false,
        message:
          `${head}, but ${daemonDescription(subject)} runs Windows build ${host}: every windows variant needs a newer build ` +
          `(${sameVariant.map((p) => p['os.version'] ?? '?').join(', ')}). Use a tag of the image for build ${host ? windowsBuild(host) : '?'} or older ` +
          `(e.g. ltsc2019 for 10.0.17763, ltsc2022 for 10.0.20348), or run it on a newer Windows host.`,
      };
    }
    // Process isolation needs the image build to equal the host build; Hyper-V runs older ones.
    const exact = host ? fitting.find((p) => p['os.version'] && windowsBuild(p['os.version']) === windowsBuild(host)) : undefined;
    const isolation = (subject.isolation ?? subject.daemon.isolation ?? '').toLowerCase();
    if (!exact && host && isolation === 'process' && fitting.some((p) => p['os.version'])) {
      const older = fitting.find((p) => p['os.version'])!;
      return {
        ok: true,
        matched: older,
        warning:
          `service "${subject.service}": image ${subject.image} is for Windows build ${windowsBuild(older['os.version']!)}, older than the host's ${windowsBuild(host)}, ` +
          `and ${subject.daemon.label} uses process isolation, which needs the same build: set \`isolation: hyperv\` on service "${subject.service}" or use the image's tag for ${windowsBuild(host)}.`,
      };
    }
    return { ok: true, matched: exact ?? fitting[0]! };
  }
  return { ok: true, matched: sameVariant[0]! };
}

/** A local image (GET /images/{name}/json) against the service's platform and daemon. */
export function checkLocalImage(
  subject: ImageCheckSubject,
  local: { readonly Os?: string; readonly Architecture?: string; readonly Variant?: string; readonly OsVersion?: string },
): ImagePlatformResult {
  if (!local.Os) return { ok: true };
  return checkImagePlatforms(
    subject,
    [
      {
        os: local.Os,
        ...(local.Architecture ? { architecture: local.Architecture } : {}),
        ...(local.Variant ? { variant: local.Variant } : {}),
        ...(local.OsVersion ? { 'os.version': local.OsVersion } : {}),
      },
    ],
    'local',
  );
}
