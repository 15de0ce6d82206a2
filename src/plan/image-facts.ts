/**
 * PURE: the image facts observe gathers for the planner (engine/image-facts.ts), and the one pull
 * decision both use: per service, the local image on its daemon (id, platform, when last tagged)
 * and, for images the policy would pull, what the registry lists (platforms) or why it could not say.
 */
import type { PlatformOs, Project, Service } from '../model/project.js';
import { serviceImage } from './create-body.js';
import type { ImagePlatform } from './image-platform.js';
import { decidePull, type PullDecision, type PullOverride } from './pull-policy.js';

/** The service's image as its daemon has it (GET /images/{name}/json). */
export interface LocalImageFact {
  readonly id: string;
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
  readonly osVersion?: string;
  /** When it was last pulled or tagged (ms since epoch), for daily/weekly/every_ policies. */
  readonly refreshedAt?: number;
}

/** What the registry lists for an image (GET /distribution/{name}/json), or why it could not say. */
export type RegistryFact = { readonly platforms: readonly ImagePlatform[]; readonly digest?: string } | { readonly error: string };

/** One service's image facts. */
export interface ServiceImageFact {
  readonly service: string;
  /** The daemon (placement) that runs the service and would pull or build its image. */
  readonly daemon: PlatformOs;
  readonly image: string;
  readonly local?: LocalImageFact;
  /** Looked up only when the policy pulls the image. */
  readonly registry?: RegistryFact;
}

/** The choices of the command line that decide pulls and builds (`up --pull/--build/--no-build`, `pull`, `build`). */
export interface ImagePolicy {
  /** `up --pull` / `pull`: replaces each service's pull_policy unless 'policy' (default). */
  readonly pull?: PullOverride;
  /** `up --build` / `build`. */
  readonly build?: boolean;
  /** `up --no-build`. */
  readonly noBuild?: boolean;
  /** `pull` command: only pulls; services that would build are skipped. */
  readonly pullOnly?: boolean;
  /** `build` command: only builds. */
  readonly buildOnly?: boolean;
  /** --allow-os-mismatch: a daemon standing in for the other OS runs images of its own OS. */
  readonly allowOsMismatch?: boolean;
  /** `pull --ignore-pull-failures`. */
  readonly ignorePullFailures?: boolean;
  /** `build --no-cache`. */
  readonly noCache?: boolean;
  /** `build --pull`. */
  readonly pullOnBuild?: boolean;
  /** DOCKER_BUILDKIT, when set. */
  readonly dockerBuildKit?: string;
  /** Only these services (dependencies already added). Default: all (for `up`, the ones planned). */
  readonly services?: readonly string[];
  /** The clock, ms since epoch (refresh policies). */
  readonly now: number;
}

/** What the policy does with one service's image, given its local image (or none). */
export function imageDecision(projectName: string, service: Service, local: LocalImageFact | undefined, policy: ImagePolicy): PullDecision {
  return decidePull({
    service: service.name,
    image: serviceImage(projectName, service),
    ...(service.pull_policy ? { pullPolicy: service.pull_policy } : {}),
    hasBuild: service.build !== undefined,
    hasImage: service.image !== undefined,
    ...(local ? { local: { id: local.id, ...(local.refreshedAt !== undefined ? { refreshedAt: local.refreshedAt } : {}) } } : {}),
    now: policy.now,
    ...(policy.pull ? { override: policy.pull } : {}),
    ...(policy.build || policy.buildOnly ? { buildFlag: true } : {}),
    ...(policy.noBuild || policy.pullOnly ? { noBuild: true } : {}),
  });
}

/** The services whose images the policy covers, sorted. */
export function policyServices(project: Project, policy: Pick<ImagePolicy, 'services'>): Service[] {
  const names = policy.services ?? Object.keys(project.services);
  return [...names]
    .sort()
    .flatMap((name) => (project.services[name] ? [project.services[name]!] : []));
}
