/**
 * Options of `reconcile`, one set for every command that plans (up, down, start, stop, restart).
 */
import type { PlatformOs } from '../model/project.js';
import type { ImagePolicy } from './image-facts.js';

export type PlanCommand = 'up' | 'down' | 'start' | 'stop' | 'restart';

export interface ReconcileOptions {
  /** Which command is planned; default "up". */
  readonly command?: PlanCommand;
  readonly forceRecreate?: boolean;
  readonly noRecreate?: boolean;
  readonly removeOrphans?: boolean;
  /** Act on the named services only, not their dependencies. */
  readonly noDeps?: boolean;
  /** Services named on the command line; empty/absent = all. */
  readonly services?: readonly string[];
  /** -t: stop timeout in seconds for every container (overrides stop_grace_period). */
  readonly timeout?: number;
  /** How long a dependant waits for a depends_on condition (default 300 s). */
  readonly dependencyTimeoutMs?: number;
  /** up --wait: wait for every service to be running/healthy. */
  readonly wait?: boolean;
  readonly waitTimeoutMs?: number;
  /** up --no-start: create only. */
  readonly noStart?: boolean;
  /** down -v: remove the project's named volumes. */
  readonly volumes?: boolean;
  /** down --rmi. */
  readonly rmi?: 'all' | 'local';
  /**
   * `up` runs the reach probe where plan/reach.ts says one is needed (not a dry run): the probe is an
   * operation of the plan, and what depends on its answer a by-reach operation (probe-plan.ts).
   */
  readonly probeReach?: boolean;
  /** reach `auto`: what the probe found, per provider daemon platform. */
  readonly probedReach?: Readonly<Partial<Record<PlatformOs, 'ip' | 'published'>>>;
  /** reach `auto`: `up` tried to probe and could not (the reach lines say so; a warning says why). */
  readonly probeFailed?: boolean;
  /** Bind sources stat'ed on this host (absolute path → kind); absent = not checked. */
  readonly sourceKinds?: Readonly<Record<string, 'directory' | 'file' | 'missing' | 'other'>>;
  /** Host OS running mixcompose (for path translation defaults). */
  readonly hostPlatform?: string;
  /** MIXCOMPOSE_RESOLVER_IMAGE, when set. */
  readonly resolverImage?: string;
  /**
   * This run can build helper images (the resolver's) that observe found missing: the plan then has
   * an ensure-helper-image operation; without it a missing image is a problem found while planning.
   */
  readonly buildHelperImages?: boolean;
  /** The IP a daemon's host-name `address` resolved to on this machine (engine/daemon-addresses.ts). */
  readonly addressIps?: Readonly<Partial<Record<PlatformOs, string>>>;
  /** `up`: how images are pulled and built (plan/image-ops.ts); absent: no pull or build operations. */
  readonly images?: ImagePolicy;
}

export const DEFAULT_DEPENDENCY_TIMEOUT_MS = 300_000;
export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;
/** How long a removal waits for one the daemon is doing already (auto-remove, a concurrent down). */
export const REMOVAL_IN_PROGRESS_WAIT_MS = 30_000;
/**
 * How long a network removal waits while the daemon still holds endpoints of containers that are
 * gone or being removed. Under heavy load Docker 20.10 releases a removed container's endpoint when
 * it handles the task's exit, which on the rig came more than 10 s after the removal had returned
 * (a 200-service `down`).
 */
export const ENDPOINT_RELEASE_WAIT_MS = 30_000;
