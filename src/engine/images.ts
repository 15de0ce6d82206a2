/**
 * Images across two daemons, as plans of image operations. `pull`, `build`, `run`'s image step and the
 * resolver's base image run the same line as `up`: observe the image facts once
 * (engine/image-facts.ts), plan with the pure planner (plan/image-ops.ts, planImageCommand: pulls
 * once per daemon and reference, builds per service, refusals as problems found while planning),
 * then the executor runs the plan (engine/execute.ts; handlers in engine/execute-images.ts, which use
 * runPull / runBuild from here):
 *   planImages(project, clients, facts, options)  → ImageCommandPlan (no bytes move; PlanError
 *       listing every refused image)
 *   ensureImages(project, clients, facts, options, sink) = planImages + execute
 *       returns { images: { [service]: { image, id?, platform, action } }, summary: per daemon
 *       { images, bytes, seconds }, warnings }
 *   Options: pull ('always'|'missing'|'never'|'policy' = up --pull), build (--build), noBuild,
 *   pullOnly (`pull`), buildOnly (`build`), services (subset), ignorePullFailures, noCache,
 *   pullOnBuild, env, now (clock), concurrency (operations at once per daemon), signal, resume.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Headers } from 'tar-fs';
import { DaemonError, PlanError } from '../errors.js';
import type { EventSink, ProgressEvent } from '../model/events.js';
import type { PlatformOs, Project, Service } from '../model/project.js';
import { serviceImage } from '../plan/create-body.js';
import type { ResumeCommand } from '../plan/fault-report.js';
import type { ImagePolicy } from '../plan/image-facts.js';
import { planImageCommand, type ImageCommandPlan, type ImagePlanEntry } from '../plan/image-ops.js';
import type { DaemonFacts } from '../plan/observed-state.js';
import type { PullOverride } from '../plan/pull-policy.js';
import type { ImageBuild, Plan } from '../plan/plan.js';
import { problemsError } from '../plan/reconcile.js';
import type { DaemonClient, ProgressMessage } from './daemon-client.js';
import type { Env } from './daemon-endpoints.js';
import { execute, type ExecuteResult } from './execute.js';
import { gatherImageFacts } from './image-facts.js';
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
  /** Pulls and builds at once per daemon (default 3). */
  readonly concurrency?: number;
  /** Cancels the run (Ctrl-C): nothing new starts. */
  readonly signal?: AbortSignal;
  /** For a daemon fault's report: the command that continues. */
  readonly resume?: ResumeCommand;
}

export type { ImageCommandPlan, ImagePlanEntry };
export { buildQuery, dockerfileInContext } from '../plan/image-build.js';

/** What `--dry-run` lists: every covered service's decision, and the warnings. */
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

/**
 * Observes the image facts once and plans the image operations (pure: plan/image-ops.ts), moving no
 * bytes. Throws one PlanError listing every refused image. The plan is `build`'s when the options
 * build only, else `pull`'s (also for `run`'s image step and the resolver's base image).
 */
export async function planImages(
  project: Project,
  clients: DaemonClients,
  facts: DaemonFactsByPlatform,
  options: ImageOptions,
): Promise<ImageCommandPlan & ImagePlan> {
  const policy = imagePolicy(options);
  const imageFacts = await gatherImageFacts(project, clients, facts, { policy, env: options.env, ...(options.auth ? { auth: options.auth } : {}) });
  const planned = planImageCommand(project, { daemons: facts, imageFacts }, policy, options.buildOnly ? 'build' : 'pull');
  if (planned.problems.length) throw problemsError(planned.problems);
  return { ...planned, warnings: planned.plan.warnings };
}

/** The pure policy of these options (plan/image-facts.ts). */
export function imagePolicy(options: ImageOptions): ImagePolicy {
  return {
    now: (options.now ?? Date.now)(),
    ...(options.pull ? { pull: options.pull } : {}),
    ...(options.build ? { build: true } : {}),
    ...(options.noBuild ? { noBuild: true } : {}),
    ...(options.pullOnly ? { pullOnly: true } : {}),
    ...(options.buildOnly ? { buildOnly: true } : {}),
    ...(options.allowOsMismatch ? { allowOsMismatch: true } : {}),
    ...(options.ignorePullFailures ? { ignorePullFailures: true } : {}),
    ...(options.noCache ? { noCache: true } : {}),
    ...(options.pullOnBuild ? { pullOnBuild: true } : {}),
    ...(options.env.DOCKER_BUILDKIT !== undefined ? { dockerBuildKit: options.env.DOCKER_BUILDKIT } : {}),
    ...(options.services ? { services: options.services } : {}),
  };
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

/** Whether the daemon's builder is BuildKit (`builder: 'daemon'`): the `Builder-Version` header of its ping. */
async function daemonUsesBuildKit(client: DaemonClient): Promise<boolean> {
  const headers = client.pingHeaders ? await client.pingHeaders().catch(() => ({}) as Record<string, string>) : {};
  return (headers as Record<string, string>)['builder-version'] === '2';
}

const STEP_LINE = /^Step (\d+)\/(\d+) : (.*)$/;
const BUILDKIT_STEP_LINE = /^\[sha256:[0-9a-f]+\] \[(?:[^\]]* )?(\d+)\/(\d+)\] (.*)$/;

/** A build that failed, and where: "at step 3/3 (RUN make)" or "before the first step". */
export class BuildFailed extends DaemonError {
  constructor(
    daemon: string,
    readonly service: string,
    readonly where: string,
    cause: unknown,
  ) {
    super(daemon, `build of service "${service}" ${where}`, cause);
  }
}

/** One build or pull as the runners below do it: which image, for events under which id. */
export interface ImageJob {
  /** Event id (the plan operation's id, or the `pull` / `build` command's own). */
  readonly id: string;
  readonly image: string;
  /** Platform named in events. */
  readonly platform: PlatformOs;
  /** Emit the step's own started/done/failed events (the plan's executor emits them itself). */
  readonly steps: boolean;
  /** Ends the pull or build early (Ctrl-C, or another operation failed): its stream is closed. */
  readonly signal?: AbortSignal;
}

/**
 * Builds one image as `build` says (plan/image-build.ts) with progress events ("Step n/m");
 * resolves with the image id and the step's message. A failure names the step it failed at.
 */
export async function runBuild(
  client: DaemonClient,
  job: ImageJob,
  build: ImageBuild,
  auth: RegistryAuthResolver,
  sink: EventSink,
): Promise<{ id?: string; message: string }> {
  const { id, image, platform } = job;
  const buildKit = build.builder === 'buildkit' || (build.builder === 'daemon' && (await daemonUsesBuildKit(client)));
  const query: Record<string, unknown> = { ...build.query, version: buildKit ? '2' : '1' };
  const started = Date.now();
  const step = (status: 'started' | 'done' | 'failed', message: string) => {
    if (job.steps) sink({ type: 'step', id, resource: 'image', name: image, platform, action: 'build', status, message });
  };
  step('started', `on ${build.daemonLabel}${buildKit ? ' (BuildKit)' : ''}`);
  let at = { n: 0, of: 0, text: '' };
  try {
    let context: Readable;
    if ('remote' in build.context) {
      query.remote = build.context.remote;
      context = Readable.from([]);
    } else {
      context = await buildContextTar(build.context.dir, build.context.dockerfile, build.context.inline);
    }
    const registries = await auth.all();
    const imageId = await client.buildImage(
      context,
      query,
      (message) => {
        const text = (message.stream ?? message.status ?? '').replace(/\n$/, '');
        if (!text) return;
        for (const line of text.split('\n')) {
          // Classic "Step 2/3 : RUN make"; BuildKit (decoded by dockerode) "[sha256:0123abcd] [stage 2/3] RUN make".
          const match = STEP_LINE.exec(line) ?? BUILDKIT_STEP_LINE.exec(line);
          if (match) at = { n: Number(match[1]), of: Number(match[2]), text: match[3]! };
          const event: ProgressEvent = { type: 'progress', id, resource: 'image', name: image, platform, service: build.service, current: 0, total: 0, layersDone: at.n, layersTotal: at.of, text: line };
          sink(event);
        }
      },
      { ...(Object.keys(registries).length ? { auth: registries } : {}), ...(job.signal ? { signal: job.signal } : {}) },
    );
    const message = `${((Date.now() - started) / 1000).toFixed(1)}s${job.steps ? '' : ` on ${build.daemonLabel}${buildKit ? ' (BuildKit)' : ''}`}`;
    step('done', message);
    return { ...(imageId ? { id: imageId } : {}), message };
  } catch (error) {
    const where = at.of ? `at step ${at.n}/${at.of} (${at.text})` : 'before the first step';
    const cause = error instanceof DaemonError ? error.cause : error;
    const wrapped = new BuildFailed(build.daemonLabel, build.service, where, cause);
    step('failed', wrapped.message);
    throw wrapped;
  }
}

/** Pulls one image with aggregated progress events; resolves with the bytes moved and the step's message. */
export async function runPull(
  client: DaemonClient,
  job: ImageJob & { readonly platformQuery?: string; readonly daemonLabel: string },
  auth: RegistryAuthResolver,
  sink: EventSink,
): Promise<{ bytes: number; message: string }> {
  const { id, image, platform } = job;
  const progress = new PullProgress();
  let lastEmit = 0;
  let lastKey = '';
  const emit = (text?: string) => {
    const s = progress.snapshot();
    sink({ type: 'progress', id, resource: 'image', name: image, platform, ...s, ...(text ? { text } : {}) });
  };
  const step = (status: 'started' | 'done' | 'failed', message: string) => {
    if (job.steps) sink({ type: 'step', id, resource: 'image', name: image, platform, action: 'pull', status, message });
  };
  step('started', `from ${job.daemonLabel}`);
  let upToDate = false;
  try {
    const credentials = await auth.forImage(image);
    await client.pullImage(image, { ...(job.platformQuery ? { platform: job.platformQuery } : {}), ...(credentials ? { auth: credentials } : {}), ...(job.signal ? { signal: job.signal } : {}) }, (message) => {
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
    step('done', message);
    return { bytes: s.current, message };
  } catch (error) {
    step('failed', (error as Error).message);
    throw error;
  }
}

/** The skipped services, said as steps ("Skipped: built, not pulled"), as `pull` always said them. */
function reportSkipped(entries: readonly ImagePlanEntry[], sink: EventSink): void {
  for (const entry of entries.filter((e) => e.action === 'skip')) {
    sink({ type: 'step', id: `pull:${entry.platform}:${entry.image}:${entry.service}`, resource: 'image', name: entry.image, platform: entry.platform, action: 'pull', status: 'skipped', message: entry.reason });
  }
}

/** What the pulls of each daemon cost: the images pulled, their bytes, from the first start to the last end. */
function pullSummaries(plan: Plan, facts: DaemonFactsByPlatform, pulledBytes: ReadonlyMap<string, number>, timings: ExecuteResult['timings']): DaemonPullSummary[] {
  const summary: DaemonPullSummary[] = [];
  for (const daemon of [...new Set(plan.operations.filter((op) => op.kind === 'pull-image').map((op) => op.daemon))].sort()) {
    const pulls = plan.operations.filter((op) => op.kind === 'pull-image' && op.daemon === daemon);
    const spans = pulls.flatMap((op) => (timings.has(op.id) ? [timings.get(op.id)!] : []));
    const seconds = spans.length ? (Math.max(...spans.map(([, end]) => end)) - Math.min(...spans.map(([start]) => start))) / 1000 : 0;
    const done = pulls.filter((op) => pulledBytes.has(op.id));
    const bytes = done.reduce((sum, op) => sum + pulledBytes.get(op.id)!, 0);
    summary.push({ platform: daemon, daemon: facts[daemon]?.label ?? daemon, images: done.length, bytes, seconds });
  }
  return summary;
}

/** Each service's image after the run: as it was (skip), pulled or built (the id the operation left). */
function imagesAfter(entries: readonly ImagePlanEntry[], plan: Plan, result: ExecuteResult, pulled: ReadonlyMap<string, number>): Record<string, ServiceImage> {
  const images: Record<string, ServiceImage> = {};
  for (const entry of entries) {
    if (entry.action === 'skip') {
      images[entry.service] = { image: entry.image, ...(entry.localId ? { id: entry.localId } : {}), platform: entry.platform, action: 'skip' };
      continue;
    }
    const op = plan.operations.find((o) => (o.kind === 'pull-image' ? o.services.includes(entry.service) : o.kind === 'build-image' && o.service === entry.service));
    // A pull that failed with a warning brought no image.
    if (!op || (op.kind === 'pull-image' && op.onFailure.action === 'warn' && !pulled.has(op.id))) continue;
    const id = result.images.get(op.id);
    images[entry.service] = { image: entry.image, ...(id ? { id } : {}), platform: entry.platform, action: op.kind === 'pull-image' && pulled.has(op.id) ? 'pull' : 'build' };
  }
  return images;
}

/**
 * Runs an image plan with the executor (pulls and builds at once, `concurrency` per daemon; a failed
 * operation stops what has not begun), then says what the pulls cost per daemon.
 */
export async function executeImagePlan(
  clients: DaemonClients,
  facts: DaemonFactsByPlatform,
  planned: ImageCommandPlan,
  options: ImageOptions,
  sink: EventSink = noop,
): Promise<EnsureImagesResult> {
  const { plan, entries } = planned;
  for (const message of plan.warnings) sink({ type: 'warning', message });
  reportSkipped(entries, sink);
  // A pull's last progress event ("done") carries its bytes; a failed pull has none.
  const pulledBytes = new Map<string, number>();
  const warnings = [...plan.warnings];
  const watch: EventSink = (event) => {
    if (event.type === 'progress' && event.text === 'done' && event.id.startsWith('pull:')) pulledBytes.set(event.id, event.current);
    if (event.type === 'warning') warnings.push(event.message);
    sink(event);
  };
  const result = await execute(plan, {
    clients,
    onEvent: watch,
    command: plan.command,
    maxPerDaemon: options.concurrency ?? 3,
    imageAuth: options.auth ?? new RegistryAuthResolver({ env: options.env }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
  });
  const summary = pullSummaries(plan, facts, pulledBytes, result.timings);
  for (const entry of summary) {
    // What the pulls cost on this daemon, also for JSON consumers.
    sink({ type: 'step', id: `pull-summary:${entry.platform}`, resource: 'daemon', name: entry.daemon, platform: entry.platform, action: 'pull', status: 'done', message: formatPullSummary([entry])[0]!.slice(entry.daemon.length + 2) });
  }
  return { images: imagesAfter(entries, plan, result, pulledBytes), summary, warnings };
}

/** planImages + executeImagePlan: what `pull`, `build`, `run` and the resolver's base image run. */
export async function ensureImages(
  project: Project,
  clients: DaemonClients,
  facts: DaemonFactsByPlatform,
  options: ImageOptions,
  sink: EventSink = noop,
): Promise<EnsureImagesResult> {
  const auth = options.auth ?? new RegistryAuthResolver({ env: options.env });
  const planned = await planImages(project, clients, facts, { ...options, auth });
  return executeImagePlan(clients, facts, planned, { ...options, auth }, sink);
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
