/**
 * Images across two daemons: decide (pull policy), check platforms BEFORE any byte moves, then pull
 * on both daemons in parallel with aggregated progress, and build each service on its own
 * platform's daemon.
 *
 * NOTE FOR OTHER ENGINEERS (stable API):
 *   planImages(project, clients, facts, options)            → ImagePlan (no bytes move; PlanError
 *       listing every refused image: wrong OS/arch/Windows build, pull_policy never + absent, ...)
 *   executeImagePlan(project, clients, facts, plan, options, sink) → EnsureImagesResult
 *   ensureImages(project, clients, facts, options, sink)     = planImages + executeImagePlan
 *       returns { images: { [service]: { image, id?, platform, action } }, summary: per daemon
 *       { images, bytes, seconds }, warnings }
 *   `up` calls planImages while planning (so a wrong image fails before anything starts) and
 *   executeImagePlan before creating containers; or just ensureImages.
 *   Options: pull ('always'|'missing'|'never'|'policy' = up --pull), build (--build), noBuild,
 *   services (subset), ignorePullFailures, noCache, pullOnBuild, env, now (clock).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Headers } from 'tar-fs';
import { DaemonError, PlanError } from '../errors.js';
import type { EventSink, ProgressEvent } from '../model/events.js';
import type { PlatformOs, Project, Service } from '../model/project.js';
import { serviceImage } from '../plan/create-body.js';
import { pullPlatformFor } from '../plan/daemon-check.js';
import { checkImagePlatforms, checkLocalImage, type ImagePlatform, type ImageCheckSubject } from '../plan/image-platform.js';
import type { DaemonFacts } from '../plan/observed-state.js';
import { decidePull, type PullOverride } from '../plan/pull-policy.js';
import { bytes as parseBytes } from '../model/units.js';
import type { DaemonClient, EngineBody, ProgressMessage } from './daemon-client.js';
import type { Env } from './daemon-endpoints.js';
import { RegistryAuthResolver } from './registry-auth.js';

export type DaemonClients = Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
export type DaemonFactsByPlatform = Readonly<Partial<Record<PlatformOs, DaemonFacts>>>;

export interface ImageOptions {
  /** `up --pull` / `pull`: replaces each service's pull_policy unless 'policy' (default). */
  readonly pull?: PullOverride;
  /** `up --build` / `build`: build every service that has a build section. */
  readonly build?: boolean;
  /** `up --no-build`. */
  readonly noBuild?: boolean;
  /** `pull` command: only pulls; services that would build are skipped. */
  readonly pullOnly?: boolean;
  /** `build` command: only builds; services without a build section are skipped. */
  readonly buildOnly?: boolean;
  /** Only these services (dependencies already added by the caller). Default: all active services. */
  readonly services?: readonly string[];
  /**
   * --allow-os-mismatch: a stand-in daemon (a Linux daemon serving windows) checks images against its
   * own OS, since that is what it can run (the rig's "windows" services run busybox). Without it the
   * check is by the service's declared platform.
   */
  readonly allowOsMismatch?: boolean;
  /** `pull --ignore-pull-failures`: a failed pull (or registry lookup) becomes a warning. */
  readonly ignorePullFailures?: boolean;
  /** `build --no-cache`. */
  readonly noCache?: boolean;
  /** `build --pull`: always try to pull a newer base image. */
  readonly pullOnBuild?: boolean;
  /** Process environment (DOCKER_CONFIG, DOCKER_BUILDKIT). */
  readonly env: Env;
  /** Clock (ms since epoch) for daily/weekly/every_ policies. Default Date.now. */
  readonly now?: () => number;
  /** Registry credentials; default reads $DOCKER_CONFIG/config.json. */
  readonly auth?: RegistryAuthResolver;
  /** Pulls at once per daemon (default 3). */
  readonly concurrency?: number;
}

export interface ImagePlanEntry {
  readonly service: string;
  readonly platform: PlatformOs;
  readonly image: string;
  readonly action: 'pull' | 'build' | 'skip';
  readonly reason: string;
  /** Local image id when present at plan time. */
  readonly localId?: string;
  /** For pulls: the registry's platform list, already checked. */
  readonly platforms?: readonly ImagePlatform[];
  /** A `pull_policy: always` service with a build section builds when the pull fails. */
  readonly buildOnFailure?: boolean;
  /** `pull` of a buildable service: a failed pull is a warning (the image can be built). */
  readonly tolerateFailure?: boolean;
}

export interface ImagePlan {
  readonly entries: readonly ImagePlanEntry[];
  readonly warnings: readonly string[];
}

export interface DaemonPullSummary {
  readonly platform: PlatformOs;
  readonly daemon: string;
  /** Images pulled (distinct references). */
  readonly images: number;
  /** Bytes downloaded (layers already present count 0). */
  readonly bytes: number;
  readonly seconds: number;
}

export interface ServiceImage {
  readonly image: string;
  readonly id?: string;
  readonly platform: PlatformOs;
  readonly action: 'pull' | 'build' | 'skip';
}

export interface EnsureImagesResult {
  readonly images: Readonly<Record<string, ServiceImage>>;
  /** One entry per daemon that pulled anything. */
  readonly summary: readonly DaemonPullSummary[];
  readonly warnings: readonly string[];
}

const noop: EventSink = () => {};

type IgnoreFactory = () => { add(patterns: string[]): { ignores(path: string): boolean } };
/**
 * @balena/dockerignore is CommonJS (`module.exports = factory`); its typings claim a default export.
 * Loaded on first build only (with tar-fs): an `up` that builds nothing does not pay for them (issue 9).
 */
async function loadIgnoreFactory(): Promise<IgnoreFactory> {
  const dockerignoreModule: unknown = await import('@balena/dockerignore');
  const m = dockerignoreModule as { default?: IgnoreFactory | { default?: IgnoreFactory } };
  const first = m.default;
  return (typeof first === 'function' ? first : first?.default) as IgnoreFactory;
}

function selectedServices(project: Project, options: ImageOptions): Service[] {
  const names = options.services ?? Object.keys(project.services);
  const out: Service[] = [];
  for (const name of [...names].sort()) {
    const service = project.services[name];
    if (service) out.push(service);
  }
  return out;
}

function requireClient(clients: DaemonClients, platform: PlatformOs, service: string): DaemonClient {
  const client = clients[platform];
  if (!client) throw new PlanError(`service "${service}": no ${platform} daemon is connected`, service);
  return client;
}

function requireFacts(facts: DaemonFactsByPlatform, platform: PlatformOs, service: string): DaemonFacts {
  const f = facts[platform];
  if (!f) throw new PlanError(`service "${service}": no facts for the ${platform} daemon (connectDaemons first)`, service);
  return f;
}

/** Parses a time the Engine API gives ("0001-01-01T00:00:00Z" = never) into ms. */
function engineTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * Looks up registry platforms, cached per daemon+reference within one run, and the platform verdict
 * cached per digest+platform (several services often share one base image).
 */
class DistributionCache {
  private readonly lookups = new Map<string, Promise<{ digest?: string; platforms: readonly ImagePlatform[] }>>();
  private readonly verdicts = new Map<string, ReturnType<typeof checkImagePlatforms>>();

  lookup(client: DaemonClient, image: string, auth: EngineBody | undefined) {
    const key = `${client.label}|${image}`;
    let entry = this.lookups.get(key);
    if (!entry) {
      entry = client.distributionInspect(image, auth).then((d) => ({
        ...(typeof d.Descriptor?.digest === 'string' ? { digest: d.Descriptor.digest } : {}),
        platforms: d.Platforms as readonly ImagePlatform[],
      }));
      this.lookups.set(key, entry);
    }
    return entry;
  }

  verdict(digest: string | undefined, subject: ImageCheckSubject, platforms: readonly ImagePlatform[]) {
    const key = digest ? `${digest}|${subject.platform.raw}|${subject.daemon.label}` : undefined;
    const cached = key ? this.verdicts.get(key) : undefined;
    if (cached) {
      // Same digest, same platform: same verdict, reworded for this service.
      return cached.ok && !cached.warning ? cached : checkImagePlatforms(subject, platforms);
    }
    const result = checkImagePlatforms(subject, platforms);
    if (key) this.verdicts.set(key, result);
    return result;
  }
}

/**
 * Decides per service and checks every image against its daemon, moving no bytes: local images by
 * their `Os`, images to pull by the registry's platform list (GET /distribution/{name}/json).
 * Throws one PlanError listing every refused image.
 */
export async function planImages(
  project: Project,
  clients: DaemonClients,
  facts: DaemonFactsByPlatform,
  options: ImageOptions,
): Promise<ImagePlan> {
  const now = (options.now ?? Date.now)();
  const auth = options.auth ?? new RegistryAuthResolver({ env: options.env });
  const cache = new DistributionCache();
  const errors: string[] = [];
  const warnings: string[] = [];
  /** `pull_policy: never` (or build without build:) refusals, final unless another service brings that image. */
  const unmet: { entry: ImagePlanEntry; client: DaemonClient; reason: string }[] = [];

  const entries = await Promise.all(
    selectedServices(project, options).map(async (service): Promise<ImagePlanEntry | undefined> => {
      const platform = service.platform.os;
      const client = requireClient(clients, platform, service.name);
      const daemon = requireFacts(facts, platform, service.name);
      const image = serviceImage(project.name, service);
      // --allow-os-mismatch: a daemon standing in for the other OS runs images of its own OS.
      const standIn = options.allowOsMismatch && !daemon.lcow && daemon.osType !== service.platform.os;
      const subject: ImageCheckSubject = {
        service: service.name,
        image,
        platform: standIn ? { os: daemon.osType as PlatformOs, raw: daemon.osType } : service.platform,
        daemon,
        ...(service.isolation ? { isolation: service.isolation } : {}),
      };
      if (options.buildOnly && !service.build) return undefined;

      const local = await client.inspectImage(image);
      const localId = typeof local?.Id === 'string' ? local.Id : undefined;
      const metadata = local?.Metadata as { LastTagTime?: string } | undefined;
      const refreshedAt = engineTime(metadata?.LastTagTime) ?? engineTime(local?.Created);
      const decision = decidePull({
        service: service.name,
        image,
        ...(service.pull_policy ? { pullPolicy: service.pull_policy } : {}),
        hasBuild: service.build !== undefined,
        hasImage: service.image !== undefined,
        ...(localId ? { local: { id: localId, ...(refreshedAt !== undefined ? { refreshedAt } : {}) } } : {}),
        now,
        ...(options.pull ? { override: options.pull } : {}),
        ...(options.build || options.buildOnly ? { buildFlag: true } : {}),
        ...(options.noBuild || options.pullOnly ? { noBuild: true } : {}),
      });
      const base = { service: service.name, platform, image, ...(localId ? { localId } : {}) };

      if (decision.action === 'error') {
        if (options.pullOnly && service.build) return { ...base, action: 'skip', reason: 'built, not pulled' };
        unmet.push({ entry: { ...base, action: 'skip', reason: 'image brought by another service' }, client, reason: decision.reason });
        return undefined;
      }
      if (decision.action === 'build') {
        if (options.pullOnly) return { ...base, action: 'skip', reason: 'built, not pulled' };
        return { ...base, action: 'build', reason: decision.reason };
      }
      if (decision.action === 'skip') {
        if (local) {
          const verdict = checkLocalImage(subject, local as { Os?: string; Architecture?: string; Variant?: string; OsVersion?: string });
          if (!verdict.ok) {
            errors.push(verdict.message);
            return undefined;
          }
          if (verdict.warning) warnings.push(verdict.warning);
        }
        return { ...base, action: 'skip', reason: decision.reason };
      }
      // pull: ask the registry for the platforms first.
      let lookup: { digest?: string; platforms: readonly ImagePlatform[] };
      try {
        lookup = await cache.lookup(client, image, await auth.forImage(image));
      } catch (error) {
        const message = `service "${service.name}": cannot look up image ${image} from ${daemon.label}: ${
          error instanceof DaemonError && error.cause instanceof Error ? error.cause.message : (error as Error).message
        }`;
        // `pull` skips a buildable service whose image is not in a registry (it is built, not pulled).
        if (options.ignorePullFailures || (options.pullOnly && service.build)) {
          warnings.push(message);
          return { ...base, action: 'skip', reason: options.ignorePullFailures ? 'lookup failed (--ignore-pull-failures)' : 'not in a registry; built, not pulled' };
        }
        if (decision.buildOnFailure) return { ...base, action: 'build', reason: 'image not in its registry; building' };
        errors.push(message);
        return undefined;
      }
      const verdict = cache.verdict(lookup.digest, subject, lookup.platforms);
      if (!verdict.ok) {
        errors.push(verdict.message);
        return undefined;
      }
      if (verdict.warning) warnings.push(verdict.warning);
      return {
        ...base,
        action: 'pull',
        reason: decision.reason,
        platforms: lookup.platforms,
        ...(decision.buildOnFailure && !options.pullOnly ? { buildOnFailure: true } : {}),
        ...(options.pullOnly && service.build ? { tolerateFailure: true } : {}),
      };
    }),
  );
  // As docker compose: a service that may not pull (pull_policy: never) is fine when another service
  // of this run pulls or builds the same image on the same daemon before containers are created.
  const planned = entries.filter((e): e is ImagePlanEntry => e !== undefined);
  for (const { entry, client, reason } of unmet) {
    const bringer = planned.find(
      (e) => e.image === entry.image && (e.action === 'pull' || e.action === 'build') && clients[e.platform] === client,
    );
    if (bringer) planned.push({ ...entry, reason: `${bringer.action === 'pull' ? 'pulled' : 'built'} for service ${bringer.service}` });
    else errors.push(reason);
  }
  if (errors.length) throw new PlanError(errors.join('\n'));
  return { entries: planned, warnings };
}

/** Aggregates one image's pull messages into bytes and layers. */
export class PullProgress {
  private readonly layers = new Map<string, { current: number; total: number; done: boolean; existed: boolean }>();

  /** Feeds one message; returns true when the numbers changed. */
  update(message: ProgressMessage): boolean {
    const id = message.id;
    const status = message.status ?? '';
    if (!id || /^Pulling from /.test(status) || /^(Digest|Status):/.test(status)) return false;
    if (!/^[0-9a-f]{6,}$/i.test(id) && !/fs layer|Waiting|Download|Extract|Pull complete|Already exists|Verifying/i.test(status)) return false;
    const layer = this.layers.get(id) ?? { current: 0, total: 0, done: false, existed: false };
    const before = JSON.stringify(layer);
    const detail = message.progressDetail ?? {};
    if (/^Downloading/.test(status)) {
      if (typeof detail.total === 'number' && detail.total > 0) layer.total = detail.total;
      if (typeof detail.current === 'number') layer.current = detail.current;
    } else if (/^(Download complete|Verifying Checksum|Extracting)/.test(status)) {
      if (layer.total > 0) layer.current = layer.total;
    } else if (/^Pull complete/.test(status)) {
      if (layer.total > 0) layer.current = layer.total;
      layer.done = true;
    } else if (/^Already exists/.test(status)) {
      layer.done = true;
      layer.existed = true;
    }
    this.layers.set(id, layer);
    return JSON.stringify(layer) !== before;
  }

  snapshot(): { current: number; total: number; layersDone: number; layersTotal: number } {
    let current = 0;
    let total = 0;
    let layersDone = 0;
    for (const layer of this.layers.values()) {
      if (!layer.existed) {
        current += layer.current;
        total += layer.total;
      }
      if (layer.done) layersDone += 1;
    }
    return { current, total, layersDone, layersTotal: this.layers.size };
  }
}

async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<PromiseSettledResult<void>[]> {
  const results: PromiseSettledResult<void>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        await fn(items[index]!);
        results[index] = { status: 'fulfilled', value: undefined };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Reads .dockerignore (BuildKit's `<Dockerfile>.dockerignore` first) into patterns. */
export async function readDockerignore(contextDir: string, dockerfile: string): Promise<string[]> {
  for (const candidate of [join(contextDir, `${dockerfile}.dockerignore`), join(contextDir, '.dockerignore')]) {
    if (existsSync(candidate)) {
      return (await readFile(candidate, 'utf8'))
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'));
    }
  }
  return [];
}

/**
 * The build context as a tar stream honouring .dockerignore (the Dockerfile and .dockerignore are
 * always sent, as the docker CLI does). Entries are owned by root like the CLI sends them.
 * `inline` adds a Dockerfile given as `dockerfile_inline` under `inline.name`.
 */
export async function buildContextTar(
  contextDir: string,
  dockerfile: string,
  inline?: { readonly name: string; readonly content: string },
): Promise<Readable> {
  const [patterns, createIgnore, { pack }] = await Promise.all([readDockerignore(contextDir, dockerfile), loadIgnoreFactory(), import('tar-fs')]);
  const matcher = createIgnore().add(patterns);
  const hasNegation = patterns.some((p) => p.startsWith('!'));
  const keep = new Set([dockerfile.split(sep).join('/'), '.dockerignore', `${dockerfile}.dockerignore`]);
  return pack(contextDir, {
    ignore: (name: string) => {
      const rel = relative(contextDir, name).split(sep).join('/');
      if (!rel || keep.has(rel) || !matcher.ignores(rel)) return false;
      // With "!" exceptions an ignored directory may hold re-included files: walk in, decide per file.
      if (hasNegation && statSync(name).isDirectory()) return false;
      return true;
    },
    map: (header: Headers) => ({ ...header, uid: 0, gid: 0, uname: 'root', gname: 'root' }),
    ...(inline
      ? {
          finalize: false,
          finish: (p: { entry: (h: Headers, content: string, cb?: () => void) => void; finalize: () => void }) => {
            p.entry({ name: inline.name, mode: 0o644, mtime: new Date(0), type: 'file', uid: 0, gid: 0 } as Headers, inline.content);
            p.finalize();
          },
        }
      : {}),
  } as Parameters<typeof pack>[1]) as unknown as Readable;
}

const INLINE_DOCKERFILE = '.mixcompose.inline.Dockerfile';

/** The Dockerfile path relative to the context ("/" separated), as /build's `dockerfile` wants it. */
export function dockerfileInContext(contextDir: string, dockerfile: string | undefined): string {
  const file = dockerfile ?? 'Dockerfile';
  return (isAbsolute(file) ? relative(contextDir, file) : file).split(sep).join('/');
}

/** Engine API /build query for a service (classic `version=1` or BuildKit `version=2`). */
export function buildQuery(
  service: Service,
  image: string,
  facts: DaemonFacts,
  options: { buildKit: boolean; noCache?: boolean; pull?: boolean },
): EngineBody {
  const build = service.build!;
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(build.args ?? {})) if (value !== null && value !== undefined) args[key] = value;
  const platforms = build.platforms ?? [];
  const platform =
    facts.lcow && service.platform.os === 'linux'
      ? 'linux'
      : platforms.includes(service.platform.raw)
        ? service.platform.raw
        : platforms.length === 1
          ? platforms[0]
          : undefined;
  const shm = parseBytes(build.shm_size);
  const query: Record<string, unknown> = {
    t: image,
    dockerfile: build.dockerfile_inline ? INLINE_DOCKERFILE : dockerfileInContext(build.context, build.dockerfile),
    rm: true,
    forcerm: true,
    version: options.buildKit ? '2' : '1',
  };
  if (Object.keys(args).length) query.buildargs = args;
  if (build.target) query.target = build.target;
  if (build.labels && Object.keys(build.labels).length) query.labels = build.labels;
  if (build.cache_from?.length) query.cachefrom = [...build.cache_from];
  if (build.network) query.networkmode = build.network;
  if (shm !== undefined) query.shmsize = shm;
  if (platform) query.platform = platform;
  if (build.extra_hosts?.length) query.extrahosts = build.extra_hosts.map((h) => h.replace('=', ':')).join(',');
  if (options.noCache || build.no_cache) query.nocache = true;
  if (options.pull || build.pull) query.pull = true;
  return query;
}

/** BuildKit when the daemon says its builder is BuildKit (or DOCKER_BUILDKIT=1) and it runs Linux. */
async function useBuildKit(client: DaemonClient, facts: DaemonFacts, env: Env): Promise<boolean> {
  if (facts.osType !== 'linux' || facts.lcow) return false;
  if (env.DOCKER_BUILDKIT === '0') return false;
  if (env.DOCKER_BUILDKIT === '1') return true;
  const headers = client.pingHeaders ? await client.pingHeaders().catch(() => ({}) as Record<string, string>) : {};
  return (headers as Record<string, string>)['builder-version'] === '2';
}

const STEP_LINE = /^Step (\d+)\/(\d+) : (.*)$/;
const BUILDKIT_STEP_LINE = /^\[sha256:[0-9a-f]+\] \[(?:[^\]]* )?(\d+)\/(\d+)\] (.*)$/;

async function buildService(
  project: Project,
  service: Service,
  entry: ImagePlanEntry,
  client: DaemonClient,
  facts: DaemonFacts,
  options: ImageOptions,
  auth: RegistryAuthResolver,
  sink: EventSink,
): Promise<string | undefined> {
  const build = service.build!;
  const id = `build:${entry.platform}:${service.name}`;
  const buildKit = await useBuildKit(client, facts, options.env);
  const query = buildQuery(service, entry.image, facts, {
    buildKit,
    ...(options.noCache ? { noCache: true } : {}),
    ...(options.pullOnBuild ? { pull: true } : {}),
  });
  const isRemote = /^(https?:\/\/|git@|git:\/\/|github\.com\/)/.test(build.context);
  const started = Date.now();
  sink({ type: 'step', id, resource: 'image', name: entry.image, platform: entry.platform, action: 'build', status: 'started', message: `on ${facts.label}${buildKit ? ' (BuildKit)' : ''}` });
  let step = { n: 0, of: 0, text: '' };
  try {
    let context: Readable;
    if (isRemote) {
      query.remote = build.context;
      context = Readable.from([]);
    } else {
      const dir = isAbsolute(build.context) ? build.context : join(project.workingDir, build.context);
      const dockerfile = dockerfileInContext(dir, build.dockerfile);
      context = await buildContextTar(dir, dockerfile, build.dockerfile_inline ? { name: INLINE_DOCKERFILE, content: build.dockerfile_inline } : undefined);
    }
    const registries = await auth.all();
    const imageId = await client.buildImage(
      context,
      query,
      (message) => {
        const text = (message.stream ?? message.status ?? '').replace(/\n$/, '');
        if (!text) return;
        for (const line of text.split('\n')) {
          const match = STEP_LINE.exec(line);
          if (match) step = { n: Number(match[1]), of: Number(match[2]), text: match[3]! };
          else {
            // BuildKit (decoded by dockerode): "[sha256:0123abcd] [stage 2/3] RUN make".
            const vertex = BUILDKIT_STEP_LINE.exec(line);
            if (vertex) step = { n: Number(vertex[1]), of: Number(vertex[2]), text: vertex[3]! };
          }
          const event: ProgressEvent = {
            type: 'progress',
            id,
            resource: 'image',
            name: entry.image,
            platform: entry.platform,
            service: service.name,
            current: 0,
            total: 0,
            layersDone: step.n,
            layersTotal: step.of,
            text: line,
          };
          sink(event);
        }
      },
      Object.keys(registries).length ? { auth: registries } : {},
    );
    sink({ type: 'step', id, resource: 'image', name: entry.image, platform: entry.platform, action: 'build', status: 'done', message: `${((Date.now() - started) / 1000).toFixed(1)}s` });
    return imageId;
  } catch (error) {
    const where = step.of ? `at step ${step.n}/${step.of} (${step.text})` : 'before the first step';
    const cause = error instanceof DaemonError ? error.cause : error;
    const wrapped = new DaemonError(facts.label, `build of service "${service.name}" ${where}`, cause);
    sink({ type: 'step', id, resource: 'image', name: entry.image, platform: entry.platform, action: 'build', status: 'failed', message: wrapped.message });
    throw wrapped;
  }
}

async function pullImage(
  image: string,
  platform: PlatformOs,
  client: DaemonClient,
  facts: DaemonFacts,
  auth: RegistryAuthResolver,
  sink: EventSink,
): Promise<{ bytes: number }> {
  const id = `pull:${platform}:${image}`;
  const progress = new PullProgress();
  let lastEmit = 0;
  let lastKey = '';
  const emit = (text?: string) => {
    const s = progress.snapshot();
    sink({ type: 'progress', id, resource: 'image', name: image, platform, ...s, ...(text ? { text } : {}) });
  };
  sink({ type: 'step', id, resource: 'image', name: image, platform, action: 'pull', status: 'started', message: `from ${facts.label}` });
  let upToDate = false;
  try {
    const credentials = await auth.forImage(image);
    const pullPlatform = pullPlatformFor(facts);
    await client.pullImage(image, { ...(pullPlatform ? { platform: pullPlatform } : {}), ...(credentials ? { auth: credentials } : {}) }, (message) => {
      if (/^Status: Image is up to date/.test(message.status ?? '')) upToDate = true;
      if (!progress.update(message)) return;
      // Thin the stream: a repeated status of one layer (Downloading, Extracting) at most every 100 ms;
      // every change of status goes through.
      const now = Date.now();
      const key = `${message.id}|${message.status}`;
      if (key === lastKey && now - lastEmit < 100) return;
      lastKey = key;
      lastEmit = now;
      emit(message.status);
    });
    emit('done');
    const s = progress.snapshot();
    // The daemon had it already ("Status: Image is up to date"): say so, not "0 layers, 0 B".
    const message =
      upToDate && s.current === 0
        ? 'image is up to date'
        : `${s.layersTotal} layer${s.layersTotal === 1 ? '' : 's'}, ${formatBytes(s.current)}`;
    sink({ type: 'step', id, resource: 'image', name: image, platform, action: 'pull', status: 'done', message });
    return { bytes: s.current };
  } catch (error) {
    sink({ type: 'step', id, resource: 'image', name: image, platform, action: 'pull', status: 'failed', message: (error as Error).message });
    throw error;
  }
}

/** Pulls and builds what the plan says: both daemons in parallel. */
export async function executeImagePlan(
  project: Project,
  clients: DaemonClients,
  facts: DaemonFactsByPlatform,
  plan: ImagePlan,
  options: ImageOptions,
  sink: EventSink = noop,
): Promise<EnsureImagesResult> {
  const auth = options.auth ?? new RegistryAuthResolver({ env: options.env });
  const warnings = [...plan.warnings];
  for (const message of plan.warnings) sink({ type: 'warning', message });
  const images: Record<string, ServiceImage> = {};
  const summary: DaemonPullSummary[] = [];
  const platforms = [...new Set(plan.entries.map((e) => e.platform))].sort();

  const perPlatform = await Promise.allSettled(
    platforms.map(async (platform) => {
      const client = clients[platform]!;
      const daemon = facts[platform]!;
      const entries = plan.entries.filter((e) => e.platform === platform);
      for (const entry of entries.filter((e) => e.action === 'skip')) {
        images[entry.service] = { image: entry.image, ...(entry.localId ? { id: entry.localId } : {}), platform, action: 'skip' };
        sink({ type: 'step', id: `pull:${platform}:${entry.image}:${entry.service}`, resource: 'image', name: entry.image, platform, action: 'pull', status: 'skipped', message: entry.reason });
      }

      // Pulls: one per distinct reference on this daemon.
      const toPull = [...new Set(entries.filter((e) => e.action === 'pull').map((e) => e.image))].sort();
      const started = Date.now();
      let pulledBytes = 0;
      const failedPulls = new Map<string, unknown>();
      const results = await runLimited(toPull, options.concurrency ?? 3, async (image) => {
        const { bytes } = await pullImage(image, platform, client, daemon, auth, sink);
        pulledBytes += bytes;
      });
      results.forEach((r, i) => {
        if (r.status === 'rejected') failedPulls.set(toPull[i]!, r.reason);
      });
      const pulledOk = toPull.filter((image) => !failedPulls.has(image));
      if (toPull.length) {
        const entry: DaemonPullSummary = { platform, daemon: daemon.label, images: pulledOk.length, bytes: pulledBytes, seconds: (Date.now() - started) / 1000 };
        summary.push(entry);
        // What the pulls cost on this daemon, also for `up` and JSON consumers.
        sink({ type: 'step', id: `pull-summary:${platform}`, resource: 'daemon', name: daemon.label, platform, action: 'pull', status: 'done', message: formatPullSummary([entry])[0]!.slice(daemon.label.length + 2) });
      }
      const errors: unknown[] = [];
      const toBuild: ImagePlanEntry[] = entries.filter((e) => e.action === 'build');
      for (const entry of entries.filter((e) => e.action === 'pull')) {
        const failure = failedPulls.get(entry.image);
        if (failure === undefined) {
          const inspected = await client.inspectImage(entry.image);
          images[entry.service] = { image: entry.image, ...(typeof inspected?.Id === 'string' ? { id: inspected.Id } : {}), platform, action: 'pull' };
        } else if (entry.buildOnFailure) {
          toBuild.push({ ...entry, action: 'build', reason: 'pull failed; building' });
        } else if (options.ignorePullFailures || entry.tolerateFailure) {
          const message = `service "${entry.service}": pull of ${entry.image} on ${daemon.label} failed: ${failure instanceof Error ? failure.message : String(failure)}`;
          warnings.push(message);
          sink({ type: 'warning', message, service: entry.service });
        } else {
          errors.push(failure);
        }
      }
      // Builds on this daemon, one at a time (the other daemon builds in parallel).
      for (const entry of toBuild.sort((a, b) => a.service.localeCompare(b.service))) {
        if (errors.length) break;
        try {
          const id = await buildService(project, project.services[entry.service]!, entry, client, daemon, options, auth, sink);
          images[entry.service] = { image: entry.image, ...(id ? { id } : {}), platform, action: 'build' };
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length) throw errors[0];
    }),
  );
  const failure = perPlatform.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  summary.sort((a, b) => a.platform.localeCompare(b.platform));
  return { images, summary, warnings };
}

/** planImages + executeImagePlan: what `up` and `pull` / `build` run. */
export async function ensureImages(
  project: Project,
  clients: DaemonClients,
  facts: DaemonFactsByPlatform,
  options: ImageOptions,
  sink: EventSink = noop,
): Promise<EnsureImagesResult> {
  const auth = options.auth ?? new RegistryAuthResolver({ env: options.env });
  const plan = await planImages(project, clients, facts, { ...options, auth });
  return executeImagePlan(project, clients, facts, plan, { ...options, auth }, sink);
}

/** Human summary lines: "linux (unix://…): 2 images, 1.4 MB in 0.8 s". */
export function formatPullSummary(summary: readonly DaemonPullSummary[]): string[] {
  return summary.map((s) => `${s.daemon}: ${s.images} image${s.images === 1 ? '' : 's'}, ${formatBytes(s.bytes)} in ${s.seconds.toFixed(1)} s`);
}

/** Sizes as docker prints them, in powers of 1000 (so they agree with the progress bars and `docker images`). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** One row of `mixcompose images`. */
export interface ProjectImageRow {
  readonly service: string;
  readonly platform: PlatformOs;
  readonly daemon: string;
  readonly image: string;
  /** Absent when the daemon does not have the image. */
  readonly id?: string;
  readonly size?: number;
  readonly os?: string;
  readonly created?: string;
}

/** The project's images as each service's daemon has them (sorted by service). */
export async function listProjectImages(
  project: Project,
  clients: DaemonClients,
  facts: DaemonFactsByPlatform,
  services?: readonly string[],
): Promise<ProjectImageRow[]> {
  const rows = await Promise.all(
    selectedServices(project, { env: {}, ...(services ? { services } : {}) }).map(async (service): Promise<ProjectImageRow> => {
      const platform = service.platform.os;
      const client = requireClient(clients, platform, service.name);
      const image = serviceImage(project.name, service);
      const inspected = await client.inspectImage(image);
      return {
        service: service.name,
        platform,
        daemon: facts[platform]?.label ?? client.label,
        image,
        ...(typeof inspected?.Id === 'string' ? { id: inspected.Id } : {}),
        ...(typeof inspected?.Size === 'number' ? { size: inspected.Size } : {}),
        ...(typeof inspected?.Os === 'string' ? { os: inspected.Os } : {}),
        ...(typeof inspected?.Created === 'string' ? { created: inspected.Created } : {}),
      };
    }),
  );
  return rows;
}
