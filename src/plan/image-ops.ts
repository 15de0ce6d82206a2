/**
 * PURE: pulls and builds as operations of the Plan. From the image facts observe gathered
 * (plan/image-facts.ts) and the pull policies, each service's image is used as it is, pulled
 * (once per daemon and reference, however many services share it) or built on the daemon that
 * runs the service. Refusals (a Windows image for the Linux daemon, `pull_policy: never` with no
 * image, a registry that cannot say) are planning problems: no byte moves for a plan that would fail.
 *
 * `up` asks {@link imageOperationFor} from its container planning: each create of a service depends
 * on its image's operation and on nothing else image-related, so a service whose image is present
 * starts while another one's image is still being pulled. `pull`, `build` (and `run`'s image step,
 * the resolver's base image) plan with {@link planImageCommand}: the same decisions and operations,
 * and nothing else in the plan.
 */
import { PlanError } from '../errors.js';
import type { PlatformOs, Project, Service } from '../model/project.js';
import { pullPlatformFor } from './daemon-check.js';
import { withDependencies } from './dependencies.js';
import { imageBuildFor } from './image-build.js';
import { imageDecision, policyServices, type ImagePolicy, type ServiceImageFact } from './image-facts.js';
import { checkImagePlatforms, checkLocalImage, type ImageCheckSubject, type ImagePlatform } from './image-platform.js';
import type { DaemonFacts, ObservedContainer, ObservedState } from './observed-state.js';
import type { BuildImageOp, ImageCommand, Plan, PullImageOp, ReplacedContainer } from './plan.js';
import type { PlanContext } from './plan-context.js';
import { placeServices } from './placement.js';

/** What happens to one service's image. */
export interface ImagePlanEntry {
  readonly service: string;
  /** The service's declared platform. */
  readonly platform: PlatformOs;
  readonly image: string;
  readonly action: 'pull' | 'build' | 'skip';
  readonly reason: string;
  /** Local image id when present at plan time. */
  readonly localId?: string;
  /** For pulls: the registry's platform list, already checked. */
  readonly platforms?: readonly ImagePlatform[];
  /** The OS the image must have (the declared one, or a stand-in daemon's own). */
  readonly expectOs?: string;
  /** A `pull_policy: always` service with a build section builds when the pull fails. */
  readonly buildOnFailure?: boolean;
  /** `pull` of a buildable service: a failed pull is a warning (the image can be built). */
  readonly tolerateFailure?: boolean;
  /** A `skip` entry whose image another service of this run pulls or builds: that service. */
  readonly broughtBy?: string;
}

export interface ImageDecisions {
  readonly entries: readonly ImagePlanEntry[];
  /** Refusals, each naming the service and image; when any, nothing may be pulled or built. */
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

type DaemonsFacts = Readonly<Partial<Record<PlatformOs, DaemonFacts>>>;

/** The platform an image is checked against: the declared one, or a stand-in daemon's own OS. */
function checkSubject(service: Service, image: string, daemon: DaemonFacts, policy: ImagePolicy): ImageCheckSubject {
  const standIn = policy.allowOsMismatch && !daemon.lcow && daemon.osType !== service.platform.os;
  return {
    service: service.name,
    image,
    platform: standIn ? { os: daemon.osType as PlatformOs, raw: daemon.osType } : service.platform,
    daemon,
    ...(service.isolation ? { isolation: service.isolation } : {}),
  };
}

/** One service: pull, build, use what is there, or a refusal (`problem`), or an unmet `never` (`unmet`). */
function decideOne(
  project: Project,
  service: Service,
  fact: ServiceImageFact,
  daemon: DaemonFacts,
  policy: ImagePolicy,
): { entry?: ImagePlanEntry; problem?: string; warning?: string; unmet?: string } {
  const subject = checkSubject(service, fact.image, daemon, policy);
  const decision = imageDecision(project.name, service, fact.local, policy);
  const base = { service: service.name, platform: service.platform.os, image: fact.image, ...(fact.local ? { localId: fact.local.id } : {}) };
  if (decision.action === 'error') {
    if (policy.pullOnly && service.build) return { entry: { ...base, action: 'skip', reason: 'built, not pulled' } };
    return { unmet: decision.reason };
  }
  if (decision.action === 'build') {
    if (policy.pullOnly) return { entry: { ...base, action: 'skip', reason: 'built, not pulled' } };
    return { entry: { ...base, action: 'build', reason: decision.reason } };
  }
  if (decision.action === 'skip') {
    if (!fact.local) return { entry: { ...base, action: 'skip', reason: decision.reason } };
    const l = fact.local;
    const verdict = checkLocalImage(subject, {
      ...(l.os !== undefined ? { Os: l.os } : {}),
      ...(l.architecture !== undefined ? { Architecture: l.architecture } : {}),
      ...(l.variant !== undefined ? { Variant: l.variant } : {}),
      ...(l.osVersion !== undefined ? { OsVersion: l.osVersion } : {}),
    });
    if (!verdict.ok) return { problem: verdict.message };
    return { entry: { ...base, action: 'skip', reason: decision.reason }, ...(verdict.warning ? { warning: verdict.warning } : {}) };
  }
  const registry = fact.registry ?? { error: 'not looked up' };
  if ('error' in registry) {
    const message = `service "${service.name}": cannot look up image ${fact.image} from ${daemon.label}: ${registry.error}`;
    // `pull` skips a buildable service whose image is not in a registry (it is built, not pulled).
    if (policy.ignorePullFailures || (policy.pullOnly && service.build)) {
      return { entry: { ...base, action: 'skip', reason: policy.ignorePullFailures ? 'lookup failed (--ignore-pull-failures)' : 'not in a registry; built, not pulled' }, warning: message };
    }
    if (decision.buildOnFailure) return { entry: { ...base, action: 'build', reason: 'image not in its registry; building' } };
    return { problem: message };
  }
  const verdict = checkImagePlatforms(subject, registry.platforms);
  if (!verdict.ok) return { problem: verdict.message };
  return {
    entry: {
      ...base,
      action: 'pull',
      reason: decision.reason,
      platforms: registry.platforms,
      expectOs: subject.platform.os,
      ...(decision.buildOnFailure && !policy.pullOnly ? { buildOnFailure: true } : {}),
      ...(policy.pullOnly && service.build ? { tolerateFailure: true } : {}),
    },
    ...(verdict.warning ? { warning: verdict.warning } : {}),
  };
}

/**
 * Decides per service and checks every image against its daemon from the facts alone: local
 * images by their OS, images to pull by the registry's platform list. Services without facts are
 * left out (not looked at).
 */
export function decideImages(project: Project, daemons: DaemonsFacts, facts: readonly ServiceImageFact[], policy: ImagePolicy): ImageDecisions {
  const problems: string[] = [];
  const warnings: string[] = [];
  const entries: ImagePlanEntry[] = [];
  const unmet: { base: ImagePlanEntry; daemon: PlatformOs; reason: string }[] = [];
  const placement = placeServices(daemons);
  // Each service's first fact, found by name (a search per service would read them all per service).
  const factOf = new Map<string, ServiceImageFact>();
  for (const f of facts) if (!factOf.has(f.service)) factOf.set(f.service, f);
  for (const service of policyServices(project, policy)) {
    if (policy.buildOnly && !service.build) continue;
    const fact = factOf.get(service.name);
    const daemon = daemons[service.platform.os] ?? (fact ? daemons[fact.daemon] : undefined);
    if (!fact || !daemon) continue;
    const one = decideOne(project, service, fact, daemon, policy);
    if (one.warning) warnings.push(one.warning);
    if (one.problem) problems.push(one.problem);
    if (one.entry) entries.push(one.entry);
    if (one.unmet) {
      const base: ImagePlanEntry = { service: service.name, platform: service.platform.os, image: fact.image, action: 'skip', reason: '', ...(fact.local ? { localId: fact.local.id } : {}) };
      unmet.push({ base, daemon: placement[service.platform.os], reason: one.unmet });
    }
  }
  // As docker compose: a service that may not pull (pull_policy: never) is fine when another service
  // of this run pulls or builds the same image on the same daemon before containers are created.
  for (const { base, daemon, reason } of unmet) {
    const bringer = entries.find((e) => e.image === base.image && (e.action === 'pull' || e.action === 'build') && placement[e.platform] === daemon);
    if (bringer) entries.push({ ...base, reason: `${bringer.action === 'pull' ? 'pulled' : 'built'} for service ${bringer.service}`, broughtBy: bringer.service });
    else problems.push(reason);
  }
  return { entries, problems, warnings };
}

export interface ImageOperations {
  readonly operations: readonly (PullImageOp | BuildImageOp)[];
  /** Service → the id of the operation that brings its image (absent: the image is used as it is). */
  readonly byService: ReadonlyMap<string, string>;
}

/** Pull operations (one per daemon and reference) and build operations (one per service) for the decisions. */
export function imageOperations(project: Project, daemons: DaemonsFacts, decisions: ImageDecisions, policy: ImagePolicy): ImageOperations {
  const placement = placeServices(daemons);
  const byService = new Map<string, string>();
  const pulls = new Map<string, PullImageOp>();
  const builds: BuildImageOp[] = [];
  const buildOf = (entry: ImagePlanEntry) => {
    const daemon = placement[entry.platform];
    return imageBuildFor(project, project.services[entry.service]!, entry.image, (daemons[entry.platform] ?? daemons[daemon])!, {
      ...(policy.noCache ? { noCache: true } : {}),
      ...(policy.pullOnBuild ? { pull: true } : {}),
      ...(policy.dockerBuildKit !== undefined ? { dockerBuildKit: policy.dockerBuildKit } : {}),
    });
  };
  for (const entry of decisions.entries) {
    const daemon = placement[entry.platform];
    const facts = (daemons[entry.platform] ?? daemons[daemon])!;
    if (entry.action === 'build') {
      const id = `build:${daemon}:${entry.service}`;
      builds.push({ kind: 'build-image', id, deps: [], daemon, service: entry.service, image: entry.image, reason: entry.reason, build: buildOf(entry) });
      byService.set(entry.service, id);
    } else if (entry.action === 'pull') {
      const id = `pull:${daemon}:${entry.image}`;
      const known = pulls.get(id);
      const platformQuery = pullPlatformFor(facts);
      const onFailure: PullImageOp['onFailure'] = entry.buildOnFailure
        ? { action: 'build', build: buildOf(entry) }
        : policy.ignorePullFailures || entry.tolerateFailure
          ? { action: 'warn' }
          : { action: 'fail' };
      pulls.set(id, {
        kind: 'pull-image',
        id,
        deps: [],
        daemon,
        image: entry.image,
        services: [...(known?.services ?? []), entry.service].sort(),
        ...(platformQuery ? { platformQuery } : {}),
        ...(entry.expectOs ? { expectOs: entry.expectOs } : {}),
        reason: known?.reason ?? entry.reason,
        // The strictest wins: one service failing on it fails the pull for all of them.
        onFailure: known && known.onFailure.action !== 'warn' ? known.onFailure : onFailure,
      });
      byService.set(entry.service, id);
    }
  }
  for (const entry of decisions.entries) {
    const bringer = entry.broughtBy ? byService.get(entry.broughtBy) : undefined;
    if (bringer) byService.set(entry.service, bringer);
  }
  const operations = [...[...pulls.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), ...builds.sort((a, b) => (a.id < b.id ? -1 : 1))];
  return { operations, byService };
}

/**
 * Why an unchanged container is re-checked: its image is pulled or built by this plan, and only the
 * resulting image id says whether it changed (the executor compares it: ReplacedContainer.image).
 */
export const IMAGE_CONDITIONAL_REASON = 'if its image changed';

/** The runtime image comparison of a conditional recreate, when the service's image has an operation. */
export function imageComparison(imageOp: string | undefined, old: Pick<ObservedContainer, 'imageId'>): Pick<ReplacedContainer, 'image'> {
  return imageOp ? { image: { producedBy: imageOp, ...(old.imageId ? { id: old.imageId } : {}) } } : {};
}

const planned = new WeakMap<PlanContext, ReadonlyMap<string, string>>();

/**
 * `up`: the id of the operation that brings `service`'s image (a pull or a build), planning every
 * image operation of the run the first time it is asked. Undefined when the image is used as it is,
 * or when this plan has no image facts or policy (then images are not this plan's business).
 * Refusals become the plan's problems; warnings the plan's warnings.
 */
export function imageOperationFor(ctx: PlanContext, service: string): string | undefined {
  let byService = planned.get(ctx);
  if (!byService) {
    byService = planImageOperations(ctx);
    planned.set(ctx, byService);
  }
  return byService.get(service);
}

function planImageOperations(ctx: PlanContext): ReadonlyMap<string, string> {
  const { project, observed, options } = ctx;
  const policy = options.images;
  const facts = observed.imageFacts;
  if (!policy || !facts) return new Map();
  const named = ctx.selectedServices();
  const services = [...(options.noDeps ? new Set(named) : withDependencies(project, named))];
  const scoped: ImagePolicy = { ...policy, services: policy.services ?? services };
  const decisions = decideImages(project, observed.daemons, facts, scoped);
  ctx.warnings.push(...decisions.warnings);
  if (decisions.problems.length) {
    ctx.problems.push(new PlanError(decisions.problems.join('\n')));
    return new Map();
  }
  const { operations, byService } = imageOperations(project, observed.daemons, decisions, scoped);
  for (const op of operations) ctx.add(op);
  return byService;
}

/** The plan of an image command, and what it was made from. */
export interface ImageCommandPlan {
  /** Pull and build operations only; empty when there are problems. */
  readonly plan: Plan;
  /** Refusals found while planning; when any, the plan must not run. */
  readonly problems: readonly PlanError[];
  /** Every covered service's decision, skips included (what `--dry-run` lists, what is said to be skipped). */
  readonly entries: readonly ImagePlanEntry[];
}

/**
 * `pull` / `build` (policy `pullOnly` / `buildOnly`), and an image step of its own (`run`, the
 * resolver's base image: the policy as `up`'s): the services' image decisions from the facts observe
 * gathered, as pull operations (one per daemon and reference) and build operations (one per service),
 * with no dependencies between them. Refusals and services whose daemon is not connected are problems.
 */
export function planImageCommand(
  project: Project,
  observed: Pick<ObservedState, 'daemons' | 'imageFacts'>,
  policy: ImagePolicy,
  command: ImageCommand,
): ImageCommandPlan {
  const { daemons } = observed;
  const services = policyServices(project, policy);
  const problems = services
    .filter((service) => !daemons[service.platform.os])
    .map((service) => new PlanError(`service "${service.name}": no ${service.platform.os} daemon is connected`, service.name));
  const decisions = decideImages(project, daemons, observed.imageFacts ?? [], policy);
  problems.push(...decisions.problems.map((message) => new PlanError(message)));
  const plan: Plan = {
    project: project.name,
    command,
    placement: placeServices(daemons),
    platforms: [...new Set(services.map((service) => service.platform.os))].sort(),
    reach: {},
    resolver: false,
    operations: problems.length ? [] : imageOperations(project, daemons, decisions, policy).operations,
    warnings: [...new Set(decisions.warnings)],
  };
  return { plan, problems, entries: decisions.entries };
}
