/**
 * Which daemon a platform talks to, and where that choice came from.
 *
 * A platform configured by the user (CLI flag, MIXCOMPOSE_<P>_HOST/_CONTEXT, the file's
 * x-mixcompose.daemons.<p>) uses exactly that. With nothing configured, mixcompose looks where the
 * user's own docker CLI would:
 * - on a Windows host (Docker Desktop): the docker context `desktop-windows` / `desktop-linux` when
 *   it exists in $DOCKER_CONFIG/contexts (Desktop creates both; the Linux engine lives at
 *   npipe:////./pipe/dockerDesktopLinuxEngine, docker/for-win#12397), else Desktop's pipes
 *   (dockerDesktopWindowsEngine, dockerDesktopLinuxEngine) when they exist, else the legacy pipes
 *   (docker_engine_windows, docker_engine_linux), then for windows Windows Server's docker_engine,
 *   else Desktop's pipe (so the error names it);
 * - elsewhere (Linux, macOS): DOCKER_HOST, else the current docker context (DOCKER_CONTEXT, else
 *   config.json's currentContext), else the standard socket, in the docker CLI's order.
 *
 * Every choice carries `source`, the words `config`, `ps` and error messages use to say why this
 * endpoint was dialled.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultDaemonHost } from '../config/extension.js';
import type { DaemonSettings, PlatformOs } from '../model/project.js';
import { contextDirectoryName, dockerConfigDir, EndpointError, type Env } from './docker-config.js';

/** Docker Desktop's contexts for its two engines. */
export const DESKTOP_CONTEXTS: Readonly<Record<PlatformOs, string>> = { windows: 'desktop-windows', linux: 'desktop-linux' };
/** Docker Desktop's pipes for its two engines (what the contexts above point at). */
export const DESKTOP_PIPES: Readonly<Record<PlatformOs, string>> = {
  windows: 'npipe:////./pipe/dockerDesktopWindowsEngine',
  linux: 'npipe:////./pipe/dockerDesktopLinuxEngine',
};
/** The pipes of older Docker Desktop releases (the Linux one is often missing today, docker/for-win#7967). */
export const LEGACY_PIPES: Readonly<Record<PlatformOs, string>> = {
  windows: 'npipe:////./pipe/docker_engine_windows',
  linux: 'npipe:////./pipe/docker_engine_linux',
};
export const DEFAULT_UNIX_SOCKET = 'unix:///var/run/docker.sock';
/** The docker CLI's default on Windows: Windows Server's daemon, or Desktop's current engine. */
export const STANDARD_PIPE = 'npipe:////./pipe/docker_engine';

/** The endpoint a platform uses, before any file is read for TLS. */
export interface EndpointChoice {
  /** A DOCKER_HOST-form address (absent when `context` is set). */
  readonly host?: string;
  /** A docker context by name. */
  readonly context?: string;
  /** Where the choice came from, for people: "docker context desktop-linux (Docker Desktop)". */
  readonly source: string;
  /** This is one of Docker Desktop's engines: a failure to connect says how to start it. */
  readonly desktop?: PlatformOs;
}

export interface DiscoveryOptions {
  readonly env: Env;
  readonly hostPlatform: NodeJS.Platform;
  /** Whether a named pipe exists (`//./pipe/name`); default: fs access. Tests inject it. */
  readonly pipeExists?: (pipePath: string) => Promise<boolean>;
}

/** Where a configured setting came from, in the words the user typed it. */
export function configuredSource(settings: DaemonSettings): string {
  const key = settings.context ? 'context' : 'host';
  const P = settings.platform.toUpperCase();
  switch (settings.origin) {
    case 'cli':
      return `--${settings.platform}-${key}`;
    case 'env':
      return `MIXCOMPOSE_${P}_${key.toUpperCase()}`;
    case 'file':
      return `x-mixcompose.daemons.${settings.platform}.${key}`;
    case 'default':
      return 'the default';
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a docker context is stored in $DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json. */
export function contextExists(name: string, env: Env): Promise<boolean> {
  return exists(join(dockerConfigDir(env), 'contexts', 'meta', contextDirectoryName(name), 'meta.json'));
}

/** npipe:////./pipe/name → \\.\pipe\name, what Windows' file APIs take. */
function pipeFilePath(address: string): string {
  return `\\\\.\\pipe\\${address.replace(/^npipe:\/\/\/\/\.\/pipe\//, '')}`;
}

/** The docker CLI's current context (DOCKER_CONTEXT, else config.json's currentContext), unless "default". */
async function currentContext(env: Env): Promise<{ name: string; source: string } | undefined> {
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT === 'default' ? undefined : { name: env.DOCKER_CONTEXT, source: `docker context ${env.DOCKER_CONTEXT} (DOCKER_CONTEXT)` };
  const configPath = join(dockerConfigDir(env), 'config.json');
  let raw: string;
  try {
    raw = await readFile(configPath, 'utf8');
  } catch {
    return undefined;
  }
  let config: { currentContext?: unknown };
  try {
    config = JSON.parse(raw) as { currentContext?: unknown };
  } catch (error) {
    throw new EndpointError(`${configPath} is not JSON (${(error as Error).message}); it names the current docker context`);
  }
  const name = typeof config.currentContext === 'string' ? config.currentContext : '';
  return name && name !== 'default' ? { name, source: `current docker context ${name} (${configPath})` } : undefined;
}

/** The endpoint of a platform nobody configured (see the file comment for the order). */
export async function discoverEndpoint(platform: PlatformOs, options: DiscoveryOptions): Promise<EndpointChoice> {
  const { env } = options;
  if (options.hostPlatform === 'win32') {
    const context = DESKTOP_CONTEXTS[platform];
    if (await contextExists(context, env)) return { context, source: `docker context ${context} (Docker Desktop)`, desktop: platform };
    const pipeExists = options.pipeExists ?? ((path: string) => exists(path));
    if (await pipeExists(pipeFilePath(DESKTOP_PIPES[platform]))) return { host: DESKTOP_PIPES[platform], source: `Docker Desktop's ${platform} engine pipe`, desktop: platform };
    if (await pipeExists(pipeFilePath(LEGACY_PIPES[platform]))) return { host: LEGACY_PIPES[platform], source: `Docker Desktop's legacy ${platform} engine pipe`, desktop: platform };
    // Windows Server's own daemon (no Docker Desktop) listens on docker_engine; the OS check catches a Desktop Linux engine there.
    if (platform === 'windows' && (await pipeExists(pipeFilePath(STANDARD_PIPE)))) return { host: STANDARD_PIPE, source: 'the standard Windows pipe docker_engine' };
    return { host: DESKTOP_PIPES[platform], source: `Docker Desktop's ${platform} engine pipe (no docker context ${context}, no pipe found)`, desktop: platform };
  }
  if (env.DOCKER_HOST) return { host: env.DOCKER_HOST, source: 'DOCKER_HOST' };
  const current = await currentContext(env);
  if (current) return { context: current.name, source: current.source };
  return { host: DEFAULT_UNIX_SOCKET, source: 'the standard socket' };
}

/**
 * The endpoint of one platform: the configured one, else the discovered one. A `default` setting
 * holding the loader's placeholder address (config/extension.ts) is not configured; one holding
 * another address (built by a caller, not the loader) is used as it is.
 */
export async function chooseEndpoint(settings: DaemonSettings, options: DiscoveryOptions): Promise<EndpointChoice> {
  const placeholder = !settings.host || settings.host === defaultDaemonHost(settings.platform, options.hostPlatform, options.env);
  if (settings.origin === 'default' && !settings.context && placeholder) return discoverEndpoint(settings.platform, options);
  const source = configuredSource(settings);
  if (settings.host) return { host: settings.host, source };
  if (settings.context) return { context: settings.context, source };
  return discoverEndpoint(settings.platform, options);
}

const OTHER: Readonly<Record<PlatformOs, PlatformOs>> = { windows: 'linux', linux: 'windows' };
const MENU_ITEM: Readonly<Record<PlatformOs, string>> = { windows: 'Switch to Windows containers', linux: 'Switch to Linux containers' };

/**
 * How to start a Docker Desktop engine that does not answer. Switching with the Desktop menu keeps
 * the other engine running; `docker desktop engine use` stops it first (docker/for-win#14675).
 */
export function desktopEngineHint(platform: PlatformOs): string {
  const other = OTHER[platform];
  return (
    `Docker Desktop's ${platform} engine is not running (Desktop stops an engine when you switch with \`docker desktop engine use ${other}\`). ` +
    `Start it from the Docker Desktop menu ("${MENU_ITEM[platform]}"), which keeps the ${other} engine running too, ` +
    `or run \`docker desktop engine use ${platform}\`, which stops the ${other} engine`
  );
}

/** A connection error that means nothing listens there (pipe or socket missing, refused). */
export function isNotListening(error: unknown): boolean {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return true;
    const message = e instanceof Error ? e.message : '';
    if (/ENOENT|ECONNREFUSED|cannot find the file specified/i.test(message)) return true;
    if (!(e instanceof Error)) break;
  }
  return false;
}

/** One line per connected daemon for `ps`: "linux daemon: unix:///var/run/docker.sock (from DOCKER_HOST)". */
export function endpointSourceLines(endpoints: Readonly<Partial<Record<PlatformOs, { readonly host: string; readonly context?: string; readonly source: string }>>>): string {
  return (['linux', 'windows'] as const)
    .filter((p) => endpoints[p])
    .map((p) => {
      const e = endpoints[p]!;
      return `${p} daemon: ${e.context ? `context ${e.context}: ` : ''}${e.host} (from ${e.source})\n`;
    })
    .join('');
}
