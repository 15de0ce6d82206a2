/**
 * Daemon endpoints: DaemonSettings (file / env / CLI, already merged by the loader) → the options
 * docker-modem takes, plus a label for messages and a key that says whether two settings name the
 * same daemon.
 *
 * Forms: unix://path, npipe:////./pipe/name, tcp://host:port (TLS from the file's `tls`, or the
 * docker CLI's DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, or port 2376), ssh://user@host[:port]
 * (`docker system dial-stdio` on the remote, through SshDialAgent), and docker contexts by name. docker-modem
 * does not read contexts, so we do: $DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json and the TLS
 * files in $DOCKER_CONFIG/contexts/tls/<sha256(name)>/docker/.
 *
 * All environment access goes through the injected `env`; files are read with node:fs here (engine
 * layer), never in the pure core.
 */
import { readFile } from 'node:fs/promises';
import type { Agent as HttpAgent } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DaemonSettings, DaemonTls, PlatformOs } from '../model/project.js';
import { contextDirectoryName, dockerConfigDir, EndpointError, type Env } from './docker-config.js';
import { chooseEndpoint, DEFAULT_UNIX_SOCKET, type DiscoveryOptions } from './endpoint-discovery.js';
import { SshDialAgent } from './ssh-dial-agent.js';

export { contextDirectoryName, dockerConfigDir, EndpointError, DEFAULT_UNIX_SOCKET, type Env };

/** A parsed DOCKER_HOST-style address. */
export type ParsedHost =
  | { readonly scheme: 'unix'; readonly socketPath: string }
  | { readonly scheme: 'npipe'; readonly socketPath: string }
  | { readonly scheme: 'tcp'; readonly host: string; readonly port: number; readonly pathPrefix?: string; readonly https?: true }
  | { readonly scheme: 'ssh'; readonly host: string; readonly port: number; readonly username?: string };

/** TLS material, loaded (file contents, not paths). */
export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly verify: boolean;
}

/**
 * Options for `new Dockerode(...)` / docker-modem. Every connection key is set explicitly (even to
 * undefined): docker-modem merges its own DOCKER_HOST-derived defaults under ours, and a stray
 * DOCKER_HOST in the environment must not leak into a daemon the user named otherwise.
 */
export interface ModemOptions {
  socketPath: string | undefined;
  host: string | undefined;
  port: number | undefined;
  protocol: 'http' | 'https' | 'ssh' | undefined;
  username: string | undefined;
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
  /** TLS settings (an https agent) or, for ssh://, the agent whose connections are ssh sessions. */
  agent: HttpAgent | undefined;
  pathPrefix: string | undefined;
  sshOptions: Record<string, unknown> | undefined;
  timeout: number | undefined;
}

/** A resolved endpoint for one platform. */
export interface ResolvedEndpoint {
  readonly platform: PlatformOs;
  /** The address actually dialled, DOCKER_HOST form ("unix:///var/run/docker.sock"). */
  readonly host: string;
  /** Docker context the address came from, when one was named. */
  readonly context?: string;
  /**
   * Where this endpoint came from, for `config`, `ps` and messages: "--linux-host",
   * "MIXCOMPOSE_WINDOWS_CONTEXT", "x-mixcompose.daemons.linux.host", "docker context desktop-linux
   * (Docker Desktop)", "DOCKER_HOST", "the standard socket" (see endpoint-discovery.ts).
   */
  readonly source: string;
  /** One of Docker Desktop's engines, found without configuration: a failed connection says how to start it. */
  readonly desktop?: PlatformOs;
  /** "linux (unix:///var/run/docker.sock)" or "windows (context win: tcp://h:2376)". */
  readonly label: string;
  /** Same key = same daemon: both platforms then share one client. */
  readonly key: string;
  readonly parsed: ParsedHost;
  readonly tls?: TlsMaterial;
  readonly modem: ModemOptions;
}


/** Parses a DOCKER_HOST-style string. Bare "host:port" means tcp, like the docker CLI. */
export function parseDockerHost(value: string): ParsedHost {
  const text = value.trim();
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath) throw new EndpointError(`"${value}": unix:// needs a socket path`);
    return { scheme: 'unix', socketPath };
  }
  if (text.startsWith('npipe://')) {
    // npipe:////./pipe/docker_engine → //./pipe/docker_engine (what node's net module dials).
    const rest = text.slice('npipe://'.length).replace(/\\/g, '/');
    if (!rest) throw new EndpointError(`"${value}": npipe:// needs a pipe path, e.g. npipe:////./pipe/docker_engine`);
    const socketPath = rest.startsWith('//') ? rest : `//./pipe/${rest.replace(/^\/+/, '').replace(/^\.\/pipe\//, '')}`;
    return { scheme: 'npipe', socketPath };
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `tcp://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new EndpointError(`"${value}" is not a daemon address (expected unix://, npipe://, tcp:// or ssh://)`);
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!hostname) throw new EndpointError(`"${value}": no host name`);
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 2376 : 2375;
    const pathPrefix = url.pathname && url.pathname !== '/' ? url.pathname : undefined;
    return { scheme: 'tcp', host: hostname, port, ...(pathPrefix ? { pathPrefix } : {}), ...(url.protocol === 'https:' ? { https: true as const } : {}) };
  }
  if (url.protocol === 'ssh:') {
    const port = url.port ? Number(url.port) : 22;
    return { scheme: 'ssh', host: hostname, port, ...(url.username ? { username: decodeURIComponent(url.username) } : {}) };
  }
  throw new EndpointError(`"${value}": unsupported scheme ${url.protocol.replace(/:$/, '')} (expected unix, npipe, tcp or ssh)`);
}

/** The address in canonical DOCKER_HOST form, for labels and sharing keys. */
export function formatDockerHost(parsed: ParsedHost): string {
  switch (parsed.scheme) {
    case 'unix':
      return `unix://${parsed.socketPath}`;
    case 'npipe':
      return `npipe://${parsed.socketPath}`;
    case 'tcp':
      return `tcp://${parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host}:${parsed.port}${parsed.pathPrefix ?? ''}`;
    case 'ssh':
      return `ssh://${parsed.username ? `${parsed.username}@` : ''}${parsed.host}:${parsed.port}`;
  }
}


/** What a docker context says about its docker endpoint. */
export interface DockerContext {
  readonly name: string;
  readonly host: string;
  readonly skipTlsVerify: boolean;
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads a docker context. "default" is not stored on disk: it means DOCKER_HOST or the standard socket,
 * and resolves to undefined here so the caller applies those defaults.
 */
export async function readDockerContext(name: string, env: Env): Promise<DockerContext | undefined> {
  if (name === 'default') return undefined;
  const configDir = dockerConfigDir(env);
  const dir = contextDirectoryName(name);
  const metaPath = join(configDir, 'contexts', 'meta', dir, 'meta.json');
  const raw = await readOptional(metaPath);
  if (!raw) throw new EndpointError(`docker context "${name}" not found (no ${metaPath})`);
  let meta: { Name?: string; Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new EndpointError(`docker context "${name}": ${metaPath} is not JSON (${(error as Error).message})`);
  }
  const host = meta.Endpoints?.docker?.Host;
  if (!host) throw new EndpointError(`docker context "${name}" has no docker endpoint host (${metaPath})`);
  const tlsDir = join(configDir, 'contexts', 'tls', dir, 'docker');
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((file) => readOptional(join(tlsDir, file))),
  );
  const tls = ca || cert || key ? { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } : undefined;
  return { name, host, skipTlsVerify: meta.Endpoints?.docker?.SkipTLSVerify === true, ...(tls ? { tls } : {}) };
}

async function loadTlsFromFiles(tls: DaemonTls): Promise<TlsMaterial> {
  const load = async (path: string | undefined, what: string) => {
    if (!path) return undefined;
    try {
      return await readFile(path);
    } catch (error) {
      throw new EndpointError(`cannot read TLS ${what} ${path}: ${(error as Error).message}`);
    }
  };
  const [ca, cert, key] = await Promise.all([load(tls.ca, 'CA'), load(tls.cert, 'certificate'), load(tls.key, 'key')]);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), verify: tls.verify ?? true };
}

/** DOCKER_TLS_VERIFY / DOCKER_CERT_PATH semantics of the docker CLI: any non-empty value verifies. */
async function loadTlsFromEnv(env: Env): Promise<TlsMaterial | undefined> {
  if (!env.DOCKER_TLS_VERIFY && !env.DOCKER_CERT_PATH) return undefined;
  const certPath = env.DOCKER_CERT_PATH || dockerConfigDir(env);
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((file) => readOptional(join(certPath, file))),
  );
  if (env.DOCKER_TLS_VERIFY) {
    // As the docker CLI: verifying TLS needs all three files; fail now, naming them, not with a
    // TLS handshake error against the wrong CA later.
    const missing = ['ca.pem', 'cert.pem', 'key.pem'].filter((_, i) => ![ca, cert, key][i]);
    if (missing.length) {
      throw new EndpointError(
        `DOCKER_TLS_VERIFY is set, but ${missing.map((f) => join(certPath, f)).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist (set DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem)`,
      );
    }
  }
  if (!env.DOCKER_TLS_VERIFY && !(ca || cert || key)) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), verify: Boolean(env.DOCKER_TLS_VERIFY) };
}

function emptyModemOptions(): ModemOptions {
  return {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    username: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    agent: undefined,
    pathPrefix: undefined,
    sshOptions: undefined,
    timeout: undefined,
  };
}

/** Pure: parsed address + TLS → modem options. */
export function modemOptionsFor(parsed: ParsedHost, tls: TlsMaterial | undefined, env: Env): ModemOptions {
  const options = emptyModemOptions();
  switch (parsed.scheme) {
    case 'unix':
    case 'npipe':
      options.socketPath = parsed.socketPath;
      options.protocol = 'http';
      break;
    case 'tcp':
      options.host = parsed.host;
      options.port = parsed.port;
      options.pathPrefix = parsed.pathPrefix ?? '/';
      if (tls) {
        options.protocol = 'https';
        options.ca = tls.ca;
        options.cert = tls.cert;
        options.key = tls.key;
        // docker-modem forwards ca/cert/key but not rejectUnauthorized; an agent carries both.
        // node:https (and tls) loads only here, for a TLS daemon: every other command is spared it.
        const { Agent: HttpsAgent } = process.getBuiltinModule('node:https');
        options.agent = new HttpsAgent({
          ...(tls.ca ? { ca: tls.ca } : {}),
          ...(tls.cert ? { cert: tls.cert } : {}),
          ...(tls.key ? { key: tls.key } : {}),
          rejectUnauthorized: tls.verify,
          keepAlive: true,
        });
      } else {
        options.protocol = 'http';
      }
      break;
    case 'ssh':
      // Plain HTTP through an agent whose connections are `docker system dial-stdio` over ssh
      // (ssh-dial-agent.ts says why not docker-modem's own protocol 'ssh').
      options.host = parsed.host;
      options.port = parsed.port;
      options.protocol = 'http';
      options.username = parsed.username;
      options.agent = new SshDialAgent({
        host: parsed.host,
        port: parsed.port,
        ...(parsed.username ? { username: parsed.username } : {}),
        ...(env.SSH_AUTH_SOCK ? { agentSocket: env.SSH_AUTH_SOCK } : {}),
        knownHostsFile: join(env.HOME || env.USERPROFILE || homedir(), '.ssh', 'known_hosts'),
      });
      break;
  }
  if (env.DOCKER_CLIENT_TIMEOUT) {
    const seconds = Number(env.DOCKER_CLIENT_TIMEOUT);
    if (Number.isFinite(seconds) && seconds > 0) options.timeout = seconds * 1000;
  }
  return options;
}

export interface ResolveOptions {
  readonly env: Env;
  readonly hostPlatform?: NodeJS.Platform;
  /** Whether a Windows named pipe exists (discovery on win32); tests inject it. */
  readonly pipeExists?: DiscoveryOptions['pipeExists'];
}

/**
 * Settings → endpoint. Precedence inside one platform's settings: an explicit host wins over a
 * context (the loader already merged CLI > env > file > default); with nothing configured, the
 * endpoint is discovered as the user's docker CLI or Docker Desktop has it (endpoint-discovery.ts).
 * TLS: the file's `tls` if present; else the context's TLS files; else DOCKER_TLS_VERIFY /
 * DOCKER_CERT_PATH; else https only for port 2376 (docker-modem's rule), with no client certificate.
 */
export async function resolveEndpoint(settings: DaemonSettings, options: ResolveOptions): Promise<ResolvedEndpoint> {
  const { env } = options;
  const hostPlatform = options.hostPlatform ?? process.platform;
  const choice = await chooseEndpoint(settings, { env, hostPlatform, ...(options.pipeExists ? { pipeExists: options.pipeExists } : {}) });
  let context: DockerContext | undefined;
  let address = choice.host;
  if (!address && choice.context) {
    context = await readDockerContext(choice.context, env);
    address = context?.host;
  }
  address ??= env.DOCKER_HOST || DEFAULT_UNIX_SOCKET;
  let parsed: ParsedHost;
  try {
    parsed = parseDockerHost(address);
  } catch (error) {
    throw new EndpointError(`${settings.platform} daemon: ${(error as Error).message}`);
  }

  let tls: TlsMaterial | undefined;
  if (parsed.scheme === 'tcp') {
    if (settings.tls) tls = await loadTlsFromFiles(settings.tls);
    else if (context?.tls) tls = { ...context.tls, verify: !context.skipTlsVerify };
    else if (!context) tls = await loadTlsFromEnv(env);
    if (!tls && (parsed.port === 2376 || parsed.https)) tls = { verify: context ? !context.skipTlsVerify : true };
  }

  const host = formatDockerHost(parsed);
  const where = context ? `context ${context.name}: ${host}` : host;
  return {
    platform: settings.platform,
    host,
    ...(context ? { context: context.name } : {}),
    source: choice.source,
    ...(choice.desktop ? { desktop: choice.desktop } : {}),
    label: `${settings.platform} (${where})`,
    key: host,
    parsed,
    ...(tls ? { tls } : {}),
    modem: modemOptionsFor(parsed, tls, env),
  };
}
