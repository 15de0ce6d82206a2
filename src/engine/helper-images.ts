/**
 * Helper images mixcompose provisions by itself: a user never builds them by hand.
 *
 * The resolver image (the project DNS resolver, and the probe image of doctor and of `up`'s reach
 * probe on a Linux daemon) is built on the Linux daemon from the Dockerfile bundled in the package
 * (resolver/Dockerfile) when it is missing, once, tagged with mixcompose's version. Its base image
 * is `x-mixcompose.resolver.base` / MIXCOMPOSE_RESOLVER_BASE (default alpine:3.20): a base that
 * already has /usr/sbin/dnsmasq installs nothing, so a base from a local or private registry works
 * offline. The base is pulled like any service image (platform check before a byte moves, progress
 * events, registry credentials) by going through ensureImages.
 *
 * NOTE FOR OTHER ENGINEERS (plan operation "helper image", issue 9):
 *   ensureResolverImage(client, { image, base, version, facts, env, onProgress, signal })
 *     → { image, action: 'present' | 'built' }
 *   Throws PlanError naming the base and the settings to change when the build fails; an AbortError
 *   (name 'AbortError') when `signal` is aborted between steps.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { PlanError } from '../errors.js';
import type { EventSink } from '../model/events.js';
import type { Project, Service } from '../model/project.js';
import { daemonFacts } from '../plan/daemon-check.js';
import type { DaemonFacts } from '../plan/observed-state.js';
import type { DaemonClient, EngineBody } from './daemon-client.js';
import type { Env } from './docker-config.js';
import { ensureImages } from './images.js';
import { tarArchive } from './tar.js';

/** The repository of the resolver image; the tag is mixcompose's version. */
export const RESOLVER_IMAGE_REPOSITORY = 'mixcompose/resolver';
/** The base the bundled Dockerfile builds from unless told otherwise. */
export const DEFAULT_RESOLVER_BASE = 'alpine:3.20';
/** Label on a built resolver image: the base it was built from. */
export const LABEL_RESOLVER_BASE = 'io.mixcompose.resolver.base';

/** The package's root (this file is src/engine/ or dist/engine/ in it). */
function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** mixcompose's version, from its package.json. */
export function mixcomposeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  if (!pkg.version) throw new Error(`no version in ${join(packageRoot(), 'package.json')}`);
  return pkg.version;
}

/** mixcompose/resolver:<version>. */
export function resolverImageTag(version: string = mixcomposeVersion()): string {
  return `${RESOLVER_IMAGE_REPOSITORY}:${version}`;
}

/** The base: MIXCOMPOSE_RESOLVER_BASE > x-mixcompose.resolver.base > alpine:3.20, and the setting it came from. */
export function resolverBase(project: Pick<Project, 'extension'> | undefined, env: Env): { base: string; setting: string } {
  if (env.MIXCOMPOSE_RESOLVER_BASE) return { base: env.MIXCOMPOSE_RESOLVER_BASE, setting: 'MIXCOMPOSE_RESOLVER_BASE' };
  const fromFile = project?.extension.resolver?.base;
  if (fromFile) return { base: fromFile, setting: 'x-mixcompose.resolver.base' };
  return { base: DEFAULT_RESOLVER_BASE, setting: 'the default (set x-mixcompose.resolver.base or MIXCOMPOSE_RESOLVER_BASE)' };
}

export interface EnsureResolverOptions {
  /** The tag to make; default mixcompose/resolver:<version>. */
  readonly image?: string;
  /** Base image; default alpine:3.20 (see resolverBase). */
  readonly base?: string;
  /** Where `base` came from, for the failure message (resolverBase().setting). */
  readonly baseSetting?: string;
  /** mixcompose's version; default package.json's. */
  readonly version?: string;
  /** The Linux daemon's facts (asked from `client` when absent): the base's platform check uses them. */
  readonly facts?: DaemonFacts;
  /** DOCKER_CONFIG (registry credentials for the base). */
  readonly env?: Env;
  /** Progress: the base's pull events, then the build's step and progress events. */
  readonly onProgress?: EventSink;
  readonly signal?: AbortSignal;
  /** The directory holding the Dockerfile; default the package's resolver/. */
  readonly dockerfileDir?: string;
}

export interface EnsureResolverResult {
  readonly image: string;
  readonly action: 'present' | 'built';
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const error = new Error('provisioning the resolver image was interrupted');
  error.name = 'AbortError';
  throw error;
}

/** A one-service project that holds only the base image, so its pull is any image's pull. */
function baseProject(base: string): Project {
  const service: Service = {
    name: 'mixcompose-resolver-base',
    image: base,
    platform: { os: 'linux', raw: 'linux' },
    pull_policy: 'missing',
    environment: {},
    ports: [],
    expose: [],
    volumes: [],
    depends_on: {},
    networks: {},
    labels: {},
    extra_hosts: [],
    secrets: [],
    configs: [],
    addressReferences: [],
    extension: {},
  } as Service;
  const linux = { platform: 'linux' as const, reach: 'auto' as const, origin: 'default' as const };
  return {
    name: 'mixcompose-helper-images',
    workingDir: packageRoot(),
    configFiles: [],
    services: { [service.name]: service },
    disabledServices: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    extension: { default_platform: 'linux', daemons: { linux, windows: { ...linux, platform: 'windows' } } },
    environment: {},
    profiles: [],
  };
}

async function factsOf(client: DaemonClient): Promise<DaemonFacts> {
  const [version, info] = await Promise.all([client.version(), client.info()]);
  return daemonFacts({ platform: 'linux', label: client.label, info, version });
}

function innermostMessage(error: unknown): string {
  let e = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Makes sure the resolver image is on the Linux daemon: nothing when it is there, else pulls the
 * base (as any image) and builds the bundled Dockerfile with it, with progress.
 */
export async function ensureResolverImage(client: DaemonClient, options: EnsureResolverOptions = {}): Promise<EnsureResolverResult> {
  const version = options.version ?? mixcomposeVersion();
  const image = options.image ?? resolverImageTag(version);
  throwIfAborted(options.signal);
  if (await client.inspectImage(image)) return { image, action: 'present' };
  const base = options.base ?? DEFAULT_RESOLVER_BASE;
  const setting = options.baseSetting ?? (options.base ? 'the base you gave' : 'the default (set x-mixcompose.resolver.base or MIXCOMPOSE_RESOLVER_BASE)');
  const sink: EventSink = options.onProgress ?? (() => {});
  const fail = (what: string, error: unknown) =>
    new PlanError(
      `the resolver image ${image} is not on the linux daemon (${client.label}) and mixcompose could not ${what} from base ${base} ` +
        `(${setting}): ${innermostMessage(error)}. Set x-mixcompose.resolver.base or MIXCOMPOSE_RESOLVER_BASE to an image the linux daemon can pull ` +
        `(or has) with sh and either /usr/sbin/dnsmasq or apk/apt-get to install it, or x-mixcompose.resolver.image / MIXCOMPOSE_RESOLVER_IMAGE to a ready resolver image`,
    );

  const facts = options.facts ?? (await factsOf(client));
  throwIfAborted(options.signal);
  try {
    await ensureImages(baseProject(base), { linux: client }, { linux: facts }, { env: options.env ?? {} }, sink);
  } catch (error) {
    throw fail('pull it', error);
  }
  throwIfAborted(options.signal);

  const dir = options.dockerfileDir ?? join(packageRoot(), 'resolver');
  const dockerfile = await readFile(join(dir, 'Dockerfile'));
  const id = `build:linux:${image}`;
  const query: EngineBody = {
    t: image,
    dockerfile: 'Dockerfile',
    buildargs: { BASE: base },
    labels: { [LABEL_RESOLVER_BASE]: base, 'io.mixcompose.version': version },
    rm: true,
    forcerm: true,
    // The classic builder: BuildKit's RUN needs a bridge network, which a daemon started with
    // --bridge none lacks (scripts/rig.sh); the Dockerfile has one RUN step and no build features.
    version: '1',
  };
  const started = Date.now();
  sink({ type: 'step', id, resource: 'image', name: image, platform: 'linux', action: 'build', status: 'started', message: `helper image from ${base} on ${client.label}` });
  try {
    await client.buildImage(Readable.from([tarArchive([{ path: 'Dockerfile', content: dockerfile }])]), query, (message) => {
      const text = (message.stream ?? message.status ?? '').replace(/\n$/, '');
      for (const line of text.split('\n').filter(Boolean)) {
        sink({ type: 'progress', id, resource: 'image', name: image, platform: 'linux', current: 0, total: 0, layersDone: 0, layersTotal: 0, text: line });
      }
    });
  } catch (error) {
    const wrapped = fail('build it', error);
    sink({ type: 'step', id, resource: 'image', name: image, platform: 'linux', action: 'build', status: 'failed', message: wrapped.message });
    throw wrapped;
  }
  sink({ type: 'step', id, resource: 'image', name: image, platform: 'linux', action: 'build', status: 'done', message: `${((Date.now() - started) / 1000).toFixed(1)}s` });
  return { image, action: 'built' };
}
