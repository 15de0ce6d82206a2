/**
 * PURE: what a build of one service sends to its daemon — the /build query, the context (a remote
 * URL or a local directory with its Dockerfile) and which builder — decided while planning, so the
 * executor (and `mixcompose build`) only sends it.
 */
import { isAbsolute, join, relative, sep } from 'node:path';
import type { EngineBody } from '../model/engine-api.js';
import type { Project, Service } from '../model/project.js';
import { bytes as parseBytes } from '../model/units.js';
import type { DaemonFacts } from './observed-state.js';
import type { ImageBuild } from './plan.js';

/** The name a `dockerfile_inline` Dockerfile gets in the context tar. */
export const INLINE_DOCKERFILE = '.mixcompose.inline.Dockerfile';

/** A build context that is not a directory: a URL or git address the daemon fetches itself. */
const REMOTE_CONTEXT = /^(https?:\/\/|git@|git:\/\/|github\.com\/)/;

/** The Dockerfile path relative to the context ("/" separated), as /build's `dockerfile` wants it. */
export function dockerfileInContext(contextDir: string, dockerfile: string | undefined): string {
  const file = dockerfile ?? 'Dockerfile';
  return (isAbsolute(file) ? relative(contextDir, file) : file).split(sep).join('/');
}

/** Engine API /build query for a service (classic `version=1` or BuildKit `version=2`). */
export function buildQuery(
  service: Service,
  image: string,
  facts: Pick<DaemonFacts, 'lcow'>,
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

/**
 * Which builder: BuildKit only on a Linux (not LCOW) daemon; there DOCKER_BUILDKIT=0/1 decides,
 * else whatever the daemon says its builder is (the `Builder-Version` header of its ping).
 */
export function builderFor(facts: Pick<DaemonFacts, 'osType' | 'lcow'>, dockerBuildKit: string | undefined): ImageBuild['builder'] {
  if (facts.osType !== 'linux' || facts.lcow) return 'classic';
  if (dockerBuildKit === '0') return 'classic';
  if (dockerBuildKit === '1') return 'buildkit';
  return 'daemon';
}

export interface ImageBuildOptions {
  /** `build --no-cache`. */
  readonly noCache?: boolean;
  /** `build --pull`. */
  readonly pull?: boolean;
  /** The DOCKER_BUILDKIT environment variable, when set. */
  readonly dockerBuildKit?: string;
}

/** Everything the build of `service` (tagged `image`) on the daemon of `facts` sends. */
export function imageBuildFor(project: Pick<Project, 'workingDir'>, service: Service, image: string, facts: DaemonFacts, options: ImageBuildOptions): ImageBuild {
  const build = service.build!;
  const { version: _builderChosenWhenSent, ...query } = buildQuery(service, image, facts, {
    buildKit: false,
    ...(options.noCache ? { noCache: true } : {}),
    ...(options.pull ? { pull: true } : {}),
  });
  let context: ImageBuild['context'];
  if (REMOTE_CONTEXT.test(build.context)) context = { remote: build.context };
  else {
    const dir = isAbsolute(build.context) ? build.context : join(project.workingDir, build.context);
    context = {
      dir,
      dockerfile: dockerfileInContext(dir, build.dockerfile),
      ...(build.dockerfile_inline ? { inline: { name: INLINE_DOCKERFILE, content: build.dockerfile_inline } } : {}),
    };
  }
  return { service: service.name, query, context, builder: builderFor(facts, options.dockerBuildKit), daemonLabel: facts.label };
}
