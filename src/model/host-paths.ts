/**
 * Bind-mount sources, translated for the daemon that receives them (pure).
 *
 * A compose file written on one machine names host paths in whatever form its author's shell uses:
 * `C:\src`, `c:/src`, `/c/src` (Git Bash), `/mnt/c/src` (WSL), `\\.\pipe\name`, or plain `/srv/x`.
 * Each daemon understands only one form:
 * - a Windows daemon (and an LCOW daemon, which is a Windows daemon) wants `C:\src`;
 * - a Linux engine on a Windows host (Docker Desktop, WSL2) sees host drives under its own prefix,
 *   `/run/desktop/mnt/host/c/src` for Docker Desktop (configurable: `x-mixcompose.daemons.linux.path_prefix`);
 * - a Linux daemon on Linux takes the path unchanged.
 * Which kind a daemon is comes from what it reports (`/info`), so a Linux daemon standing in for
 * Windows on the test rig keeps posix paths working.
 *
 * No fs here: whether a source exists is a fact the caller passes in (`sourceKind`).
 */
import { posix, win32 } from 'node:path';
import type { DaemonSettings, ServiceVolume } from './project.js';

/** What a daemon's /info says about its host, as far as paths care (DaemonFacts has these). */
export interface HostFacts {
  readonly osType: string;
  readonly operatingSystem?: string;
  readonly kernelVersion?: string;
}

/** Docker Desktop's mount point of the Windows drives inside its Linux VM. */
export const DOCKER_DESKTOP_PATH_PREFIX = '/run/desktop/mnt/host';

/** How a daemon wants host paths written. */
export type BindTarget =
  | { readonly kind: 'windows' }
  | { readonly kind: 'linux-on-windows'; readonly prefix: string }
  | { readonly kind: 'linux' };

/** A host path as recognised from what the user wrote. */
export type HostPath =
  /** A Windows drive path; `rest` are the path segments below the drive root. */
  | { readonly form: 'drive'; readonly drive: string; readonly rest: readonly string[] }
  /** `\\.\pipe\<name>` (also `//./pipe/<name>`). */
  | { readonly form: 'npipe'; readonly name: string }
  /** A posix path that names no Windows drive. */
  | { readonly form: 'posix'; readonly path: string }
  /** A UNC share `\\server\share\x`; only a Windows daemon can use it. */
  | { readonly form: 'unc'; readonly path: string };

/** What the caller knows about the source on the host (from a stat); undefined = not known. */
export type SourceKind = 'directory' | 'file' | 'missing' | 'other';

export interface MountIssue {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** One bind or npipe mount after translation, in the form the create call sends. */
export interface TranslatedMount {
  readonly type: 'bind' | 'npipe';
  /** The source as written (resolved against the project directory when relative). */
  readonly original: string;
  /** The source in the receiving daemon's form. */
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly issues: readonly MountIssue[];
}

/** Chooses the path form for a daemon from what it reported and its settings. */
export function bindTargetFor(
  facts: HostFacts | undefined,
  settings?: Pick<DaemonSettings, 'path_prefix'>,
  hostPlatform?: string,
): BindTarget {
  if (facts?.osType === 'windows') return { kind: 'windows' };
  const prefix = settings?.path_prefix ? trimTrailingSlashes(settings.path_prefix) : undefined;
  if (prefix !== undefined) return { kind: 'linux-on-windows', prefix };
  const os = `${facts?.operatingSystem ?? ''} ${facts?.kernelVersion ?? ''}`.toLowerCase();
  const vmOnWindows = os.includes('docker desktop') || os.includes('microsoft') || os.includes('wsl');
  if (vmOnWindows || hostPlatform === 'win32') return { kind: 'linux-on-windows', prefix: DOCKER_DESKTOP_PATH_PREFIX };
  return { kind: 'linux' };
}

const DRIVE = /^([a-zA-Z]):(?:[\\/]|$)/;
const PIPE = /^(?:\\\\|\/\/)\.(?:\\|\/)pipe(?:\\|\/)(.+)$/i;
const GIT_BASH_DRIVE = /^\/([a-zA-Z])(?:\/|$)/;
const WSL_DRIVE = /^\/mnt\/([a-zA-Z])(?:\/|$)/;

function segments(path: string): string[] {
  return path.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}

function trimTrailingSlashes(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** True for paths that are absolute in either family (so not resolved against the project directory). */
function isAbsoluteAnywhere(path: string): boolean {
  return DRIVE.test(path) || path.startsWith('/') || path.startsWith('\\\\') || path.startsWith('\\');
}

/**
 * Resolves a relative source against the project directory in the directory's own family
 * (a Windows project directory gives Windows paths), then normalises `.` and `..`.
 */
export function resolveSource(source: string, projectDir: string): string {
  if (isAbsoluteAnywhere(source)) return source;
  if (DRIVE.test(projectDir) || projectDir.startsWith('\\\\')) return win32.resolve(projectDir, source);
  return posix.resolve(projectDir, source.replace(/\\/g, '/'));
}

/**
 * Recognises the form of a host path. `/c/x` and `/mnt/c/x` are read as drive paths only when
 * `drivesFromPosix` is true (the receiving daemon is a Windows one or a Linux VM on Windows):
 * on a Linux host `/c/x` is just a directory called `c`.
 */
export function parseHostPath(path: string, drivesFromPosix: boolean, prefix = DOCKER_DESKTOP_PATH_PREFIX): HostPath {
  const pipe = PIPE.exec(path);
  if (pipe) return { form: 'npipe', name: pipe[1]!.replace(/\//g, '\\') };
  const drive = DRIVE.exec(path);
  if (drive) return { form: 'drive', drive: drive[1]!.toLowerCase(), rest: normaliseSegments(segments(path.slice(2))) };
  if (path.startsWith('\\\\') || path.startsWith('//')) return { form: 'unc', path: '\\\\' + segments(path).join('\\') };
  const posixPath = posix.normalize(path.replace(/\\/g, '/'));
  if (drivesFromPosix) {
    for (const base of [prefix, DOCKER_DESKTOP_PATH_PREFIX, '/mnt/host']) {
      if (posixPath === base || posixPath.startsWith(base + '/')) {
        const below = posixPath.slice(base.length);
        const m = GIT_BASH_DRIVE.exec(below);
        if (m) return { form: 'drive', drive: m[1]!.toLowerCase(), rest: segments(below.slice(2)) };
      }
    }
    const wsl = WSL_DRIVE.exec(posixPath);
    if (wsl) return { form: 'drive', drive: wsl[1]!.toLowerCase(), rest: segments(posixPath.slice(6)) };
    const bash = GIT_BASH_DRIVE.exec(posixPath);
    if (bash) return { form: 'drive', drive: bash[1]!.toLowerCase(), rest: segments(posixPath.slice(2)) };
  }
  return { form: 'posix', path: posixPath };
}

function normaliseSegments(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out;
}

/** Formats a recognised path for a daemon, or says why it cannot be used there. */
export function formatHostPath(path: HostPath, target: BindTarget): { path: string } | { error: string } {
  switch (target.kind) {
    case 'windows':
      switch (path.form) {
        case 'drive':
          return { path: `${path.drive.toUpperCase()}:\\${path.rest.join('\\')}` };
        case 'npipe':
          return { path: `\\\\.\\pipe\\${path.name}` };
        case 'unc':
          return { path: path.path };
        case 'posix':
          return { error: `"${path.path}" is not a Windows path; a Windows daemon needs a drive path such as C:\\data` };
      }
      break;
    case 'linux-on-windows':
      switch (path.form) {
        case 'drive':
          return { path: [target.prefix, path.drive, ...path.rest].join('/') };
        case 'posix':
          // A path inside the Linux VM itself (/var/run/docker.sock, /run/desktop/...).
          return { path: path.path };
        case 'npipe':
          return { error: `named pipe \\\\.\\pipe\\${path.name} cannot be mounted into a Linux container` };
        case 'unc':
          return { error: `UNC path ${path.path} cannot be mounted by a Linux engine; map it to a drive first` };
      }
      break;
    case 'linux':
      switch (path.form) {
        case 'posix':
          return { path: path.path };
        case 'drive':
          return {
            error: `Windows path ${path.drive.toUpperCase()}:\\${path.rest.join('\\')} cannot be mounted by a Linux daemon on a Linux host`,
          };
        case 'npipe':
          return { error: `named pipe \\\\.\\pipe\\${path.name} cannot be mounted into a Linux container` };
        case 'unc':
          return { error: `UNC path ${path.path} cannot be mounted by a Linux daemon` };
      }
  }
  return { error: 'unrecognised path' };
}

/**
 * Translates one host path for a daemon: resolve against the project directory, recognise, format.
 * The function `config` uses to show translated paths.
 */
export function translateHostPath(
  source: string,
  projectDir: string,
  target: BindTarget,
): { path: string; form: HostPath['form'] } | { error: string; form?: HostPath['form'] } {
  const resolved = resolveSource(source, projectDir);
  const parsed = parseHostPath(resolved, target.kind !== 'linux', target.kind === 'linux-on-windows' ? target.prefix : undefined);
  const formatted = formatHostPath(parsed, target);
  return 'path' in formatted ? { path: formatted.path, form: parsed.form } : { error: formatted.error, form: parsed.form };
}

export interface TranslateMountOptions {
  readonly projectDir: string;
  readonly target: BindTarget;
  /**
   * What a stat of the source on this host found, or a lookup by the resolved source path (as
   * written, resolved against the project directory); undefined = not checked (remote daemon).
   */
  readonly sourceKind?: SourceKind | ((resolvedSource: string) => SourceKind | undefined);
}

/**
 * Translates a service's bind or npipe volume for the daemon that runs the service, with the
 * Windows rules checked at plan time: the source must be an existing directory (Windows daemons do
 * not create bind sources and cannot bind files), and named pipes mount as `npipe`, never read-only.
 * Returns undefined for volumes that are not host mounts (named volumes, tmpfs).
 */
export function translateMount(volume: ServiceVolume, options: TranslateMountOptions): TranslatedMount | undefined {
  if ((volume.type !== 'bind' && volume.type !== 'npipe') || volume.source === undefined) return undefined;
  const issues: MountIssue[] = [];
  const original = resolveSource(volume.source, options.projectDir);
  const sourceKind = typeof options.sourceKind === 'function' ? options.sourceKind(original) : options.sourceKind;
  const translated = translateHostPath(volume.source, options.projectDir, options.target);
  const isPipe = translated.form === 'npipe' || volume.type === 'npipe';
  let readOnly = volume.read_only === true;
  const source = 'path' in translated ? translated.path : original;
  if ('error' in translated) issues.push({ severity: 'error', message: `bind source: ${translated.error}` });

  if (options.target.kind === 'windows') {
    if (isPipe) {
      if (readOnly) {
        issues.push({ severity: 'warning', message: `named pipe ${source} is mounted read-write: Windows cannot mount pipes read-only` });
        readOnly = false;
      }
    } else if (sourceKind === 'missing') {
      issues.push({
        severity: 'error',
        message: `bind source ${original} does not exist: a Windows daemon does not create it; create the directory first`,
      });
    } else if (sourceKind === 'file' || sourceKind === 'other') {
      issues.push({
        severity: 'error',
        message: `bind source ${original} is not a directory: Windows daemons can bind only directories; mount its folder instead`,
      });
    }
  }
  return { type: isPipe ? 'npipe' : 'bind', original, source, target: volume.target, readOnly, issues };
}

/** The Engine API `HostConfig.Mounts[]` entry for a translated mount. */
export function toEngineMount(mount: TranslatedMount, volume?: ServiceVolume): Record<string, unknown> {
  const entry: Record<string, unknown> = { Type: mount.type, Source: mount.source, Target: mount.target, ReadOnly: mount.readOnly };
  if (mount.type === 'bind' && volume?.bind?.propagation) entry.BindOptions = { Propagation: volume.bind.propagation };
  if (volume?.consistency) entry.Consistency = volume.consistency;
  return entry;
}

/**
 * The path form to show when no daemon was asked (`config`): a windows-platform daemon is taken
 * to be Windows, a linux one is judged by its settings and the host OS.
 */
export function offlineBindTarget(
  platform: 'linux' | 'windows',
  settings: Pick<DaemonSettings, 'path_prefix'> | undefined,
  hostPlatform?: string,
): BindTarget {
  return platform === 'windows' ? { kind: 'windows' } : bindTargetFor(undefined, settings, hostPlatform);
}

/** "source → translated" (or "source: why not") for each bind/npipe volume of a service, for `config`. */
export function describeBindSources(volumes: readonly ServiceVolume[], projectDir: string, target: BindTarget): string[] {
  const lines: string[] = [];
  for (const v of volumes) {
    if ((v.type !== 'bind' && v.type !== 'npipe') || v.source === undefined) continue;
    const t = translateHostPath(v.source, projectDir, target);
    lines.push('path' in t ? `${v.source} → ${t.path}` : `${v.source}: ${t.error}`);
  }
  return lines;
}
