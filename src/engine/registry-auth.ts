/**
 * Registry credentials the way the docker CLI finds them: `$DOCKER_CONFIG/config.json` (default
 * ~/.docker) `auths` entries (`auth` = base64 "user:password", or `username`/`password`,
 * `identitytoken`), `credHelpers` per registry, and `credsStore` for everything else. Helpers are the
 * `docker-credential-<name>` programs, run with execa: `get` with the server URL on stdin answers
 * `{"ServerURL","Username","Secret"}` (Username "<token>" means Secret is an identity token).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registryOf } from '../model/image-ref.js';
import type { EngineBody } from './daemon-client.js';
import { dockerConfigDir, type Env } from './daemon-endpoints.js';

/** The registry host of an image reference (the docker CLI's rule, model/image-ref.ts). */
export { registryOf };

/** Docker Hub's key in config.json. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** Auth config in Engine API form (X-Registry-Auth). */
export interface RegistryAuth extends EngineBody {
  readonly serveraddress: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
}

interface DockerConfigFile {
  readonly auths?: Readonly<Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>>;
  readonly credHelpers?: Readonly<Record<string, string>>;
  readonly credsStore?: string;
}

/** Runs `docker-credential-<helper> get` with the server on stdin; undefined when it has nothing. */
export type CredentialHelperRunner = (
  helper: string,
  server: string,
  env: Env,
) => Promise<{ Username?: string; Secret?: string } | undefined>;

/** Runs the helper found on the injected environment's PATH. */
export const runCredentialHelper: CredentialHelperRunner = async (helper, server, env) => {
  // execa (about a hundred modules) is loaded only when a credential helper really runs (issue 9).
  const { execa } = await import('execa');
  const result = await execa(`docker-credential-${helper}`, ['get'], {
    input: server,
    reject: false,
    timeout: 30_000,
    env: env as NodeJS.ProcessEnv,
    extendEnv: false,
  });
  if (result.failed && result.exitCode === undefined) {
    throw new Error(`cannot run docker-credential-${helper} (credential helper named in config.json): ${result.shortMessage}`);
  }
  if (result.exitCode !== 0) {
    // "credentials not found in native keychain" is not an error: anonymous access.
    if (/not found/i.test(`${result.stdout}${result.stderr}`)) return undefined;
    throw new Error(`docker-credential-${helper} get ${server} failed: ${(result.stderr || result.stdout || String(result.exitCode)).trim()}`);
  }
  return JSON.parse(result.stdout) as { Username?: string; Secret?: string };
};

/** The config.json key for a registry host. */
export function authKeyFor(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
}

function hostOfKey(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

export interface RegistryAuthOptions {
  readonly env: Env;
  readonly runHelper?: CredentialHelperRunner;
}

/** Reads config.json and answers credentials per registry; caches within one run. */
export class RegistryAuthResolver {
  private config: Promise<DockerConfigFile> | undefined;
  private readonly cache = new Map<string, Promise<RegistryAuth | undefined>>();
  private readonly runHelper: CredentialHelperRunner;

  constructor(private readonly options: RegistryAuthOptions) {
    this.runHelper = options.runHelper ?? runCredentialHelper;
  }

  private loadConfig(): Promise<DockerConfigFile> {
    this.config ??= (async () => {
      const path = join(dockerConfigDir(this.options.env), 'config.json');
      try {
        return JSON.parse(await readFile(path, 'utf8')) as DockerConfigFile;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw new Error(`cannot read ${path}: ${(error as Error).message}`);
      }
    })();
    return this.config;
  }

  /** Credentials for the registry of `image`, or undefined (anonymous). */
  forImage(image: string): Promise<RegistryAuth | undefined> {
    return this.forRegistry(registryOf(image));
  }

  forRegistry(registry: string): Promise<RegistryAuth | undefined> {
    const key = authKeyFor(registry);
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.lookup(key);
      this.cache.set(key, entry);
    }
    return entry;
  }

  private async lookup(key: string): Promise<RegistryAuth | undefined> {
    const config = await this.loadConfig();
    const host = hostOfKey(key);
    const helper = config.credHelpers?.[key] ?? config.credHelpers?.[host] ?? config.credsStore;
    if (helper) {
      const answer = await this.runHelper(helper, key, this.options.env);
      if (answer?.Secret) {
        return answer.Username === '<token>'
          ? { serveraddress: key, identitytoken: answer.Secret }
          : { serveraddress: key, username: answer.Username ?? '', password: answer.Secret };
      }
    }
    const auths = config.auths ?? {};
    const entry = auths[key] ?? Object.entries(auths).find(([k]) => hostOfKey(k) === host)?.[1];
    if (!entry) return undefined;
    if (entry.identitytoken) return { serveraddress: key, identitytoken: entry.identitytoken };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new Error(`config.json auths["${key}"].auth is not base64 "user:password"`);
      return { serveraddress: key, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username !== undefined || entry.password !== undefined) {
      return { serveraddress: key, username: entry.username ?? '', password: entry.password ?? '' };
    }
    return undefined;
  }

  /** All credentials config.json knows by name (for X-Registry-Config on builds). */
  async all(): Promise<Record<string, RegistryAuth>> {
    const config = await this.loadConfig();
    const keys = new Set([...Object.keys(config.auths ?? {}), ...Object.keys(config.credHelpers ?? {})]);
    const out: Record<string, RegistryAuth> = {};
    for (const key of [...keys].sort()) {
      const auth = await this.forRegistry(hostOfKey(key) === 'index.docker.io' ? 'docker.io' : key);
      if (auth) out[key] = auth;
    }
    return out;
  }
}
