/**
 * The Plan: a DAG of operations over both daemons, made by the pure `reconcile` and walked by
 * engine/execute with no decisions of its own. Everything an operation needs is in it; values
 * that only exist once something ran (a container's IP after start, the resolver's address) are
 * named as {@link RuntimeValue}s that the executor fills in mechanically.
 */
import type { PlatformOs, Reach } from '../model/project.js';
import type { EngineBody } from '../model/engine-api.js';

/** A container the operation acts on: one that exists now, or the one a create operation makes. */
export type ContainerRef = { readonly id: string } | { readonly createdBy: string };

/** A value known only while executing: the IPv4 address of a container started by `startedBy`. */
export interface RuntimeIp {
  /** Id of the start operation whose container's address is meant. */
  readonly ipOf: string;
  /** Network name on the daemon whose address is meant (the planner names it; no guessing at run time). */
  readonly network: string;
}

/**
 * Replace `text` everywhere in the create body by `value`, or by the runtime IP when `value`
 * is absent. Texts are address references as written (`{{ db.host }}`) or internal placeholders.
 */
export interface Substitution {
  readonly text: string;
  readonly value?: string;
  readonly runtime?: RuntimeIp;
}

/** A file copied into a container after create, before start (secrets/configs from content). */
export interface ContainerFile {
  readonly path: string;
  /** The content, or '' with `hostFile`. */
  readonly content: string;
  /** A file on the host running mixcompose whose content is copied (read by the executor). */
  readonly hostFile?: string;
  readonly mode: number;
}

/** Everything needed to create one container. */
export interface ContainerSpec {
  /** Engine API create body, possibly holding substitution texts. Labels exclude the config hash. */
  readonly body: EngineBody;
  readonly substitutions: readonly Substitution[];
  /** Further networks to connect after create (API < 1.44 takes one network at create). */
  readonly connect: readonly { readonly network: string; readonly endpoint: EngineBody }[];
  readonly files: readonly ContainerFile[];
  /** `platform` query parameter for create (LCOW). */
  readonly platformQuery?: string;
  /**
   * Where `files` are unpacked: '/' on Linux, the drive (`C:\\`) for a Windows target. File paths
   * start with it; the archive holds them relative to it.
   */
  readonly filesRoot?: string;
}

interface OpBase {
  /** Stable, unique id, e.g. "create:db:1". */
  readonly id: string;
  /** Ids of operations that must finish first. */
  readonly deps: readonly string[];
  /** The daemon that does the work, named by the platform it serves (see placement). */
  readonly daemon: PlatformOs;
}

export interface CreateNetworkOp extends OpBase {
  readonly kind: 'create-network';
  readonly name: string;
  readonly key: string;
  readonly body: EngineBody;
  /**
   * When the daemon answers that the network exists (a concurrent run made it after observe): it is
   * used as it is when it carries these labels, else the create fails with `refusal`.
   */
  readonly ifExists: { readonly adoptWithLabels: Readonly<Record<string, string>>; readonly refusal: string };
  /** Inspect after create so its IPAM gateway is available to later operations (RegisterHostsOp.ip.gatewayOf). */
  readonly readGateway?: boolean;
}

export interface CreateVolumeOp extends OpBase {
  readonly kind: 'create-volume';
  readonly name: string;
  readonly body: EngineBody;
}

/** Which container, for messages and events. */
interface ContainerOpBase extends OpBase {
  /** Declared platform of the service (may differ from `daemon` when one daemon serves both). */
  readonly platform: PlatformOs;
  readonly service: string;
  readonly number: number;
  readonly name: string;
}

export interface CreateContainerOp extends ContainerOpBase {
  readonly kind: 'create-container';
  readonly spec: ContainerSpec;
  /** Why: "new", "config changed", "image changed", "dependency recreated", "forced". */
  readonly reason: string;
  /**
   * An existing container this one replaces only if its config changes once the runtime values
   * are known (a provider started by this plan may come back with the same IP). The executor
   * compares the materialized config hash with `configHash`: equal → the old container is kept
   * (and stands for this create); different → it is stopped (if running) and removed first.
   */
  readonly replaces?: ReplacedContainer;
}

export interface ReplacedContainer extends BoundedStop {
  readonly id: string;
  readonly configHash?: string;
  readonly running: boolean;
  /**
   * The old container is kept only if the image operation `producedBy` (a pull or build of this plan)
   * leaves the service's image at `id`, the image the old container runs: a pull that brings a newer
   * image recreates it ("image changed"), one that brings nothing new keeps it. Absent: no image
   * operation for this service (the image is what observe saw).
   */
  readonly image?: { readonly producedBy: string; readonly id?: string };
}

/** How a stop is bounded, and what a container that does not stop means (stop.ts, stopBounded). */
export interface BoundedStop {
  readonly timeoutSeconds: number;
  /** Absent for windows-declared services: there are no signals. */
  readonly signal?: string;
  /** How long the kill after the grace period may take before the container counts as stuck. */
  readonly killWaitSeconds: number;
  /** A stuck container: a warning (the next step forces it) or the operation's failure. */
  readonly stuck: 'warn' | 'fail';
}

export interface StartContainerOp extends ContainerOpBase {
  readonly kind: 'start-container';
  readonly container: ContainerRef;
  /** Inspect after start so runtime IPs are available to later operations. */
  readonly inspect: boolean;
  /** A failure with a known cause and fix: the project resolver's DNS port bind (resolver.ts). */
  readonly explainFailure?: 'resolver-bind';
}

export interface WaitContainerOp extends ContainerOpBase {
  readonly kind: 'wait';
  readonly container: ContainerRef;
  readonly condition: 'running' | 'healthy' | 'completed';
  readonly timeoutMs: number;
  /** The service that waits, for messages. */
  readonly waiter?: string;
}

export interface StopContainerOp extends ContainerOpBase, BoundedStop {
  readonly kind: 'stop-container';
  readonly container: ContainerRef;
}

export interface RemoveContainerOp extends ContainerOpBase {
  readonly kind: 'remove-container';
  readonly container: ContainerRef;
  readonly volumes: boolean;
  readonly reason: string;
  /** Someone else is removing it already (auto-remove, a concurrent down): wait this long for it to go. */
  readonly inProgressWaitMs: number;
}

export interface RestartContainerOp extends ContainerOpBase, BoundedStop {
  readonly kind: 'restart-container';
  readonly container: ContainerRef;
}

/** Write a hosts file into the resolver's hostsdir so names resolve across daemons. */
export interface RegisterHostsOp extends OpBase {
  readonly kind: 'register-hosts';
  readonly resolver: ContainerRef;
  /** The hostsdir to write into (default RESOLVER_HOSTS_DIR; static answers under published reach have their own). */
  readonly dir?: string;
  readonly file: string;
  readonly names: readonly string[];
  /** `gatewayOf`: the IPAM gateway of the network made by that create-network operation (readGateway). */
  readonly ip: { readonly value?: string; readonly runtime?: RuntimeIp; readonly gatewayOf?: string };
  /** The service whose names these are. */
  readonly service: string;
  /** Whose containers the entry is for, when not whoever reads its hostsdir (static answers, host.docker.internal). */
  readonly askers?: PlatformOs;
  /** Why a kept container is registered again: "the resolver answers 10.202.3.4", "no entry". */
  readonly reason?: string;
  /**
   * A runtime address that is not there (the container exited at once, so it has none): skip the
   * registration (nothing to answer) or fail.
   */
  readonly ifNoAddress: 'skip' | 'fail';
}

/**
 * Empty a hosts file of the resolver whose container is gone, or a static answers' file of a service
 * no longer in the project (dnsmasq drops a file's names when the file changes, so an empty file
 * answers nothing; the Engine API has no file delete).
 */
export interface UnregisterHostsOp extends OpBase {
  readonly kind: 'unregister-hosts';
  readonly resolver: ContainerRef;
  /** The hostsdir of the file (default RESOLVER_HOSTS_DIR; static answers under published reach have their own). */
  readonly dir?: string;
  readonly file: string;
  /** The names the resolver stops answering. */
  readonly names: readonly string[];
  readonly service: string;
  /** Whose containers the file answered, when not whoever reads its hostsdir (static answers). */
  readonly askers?: PlatformOs;
  /** Why, when not "no such container" (a per-container entry). */
  readonly reason?: string;
}

/**
 * Makes sure a helper image the plan runs (the project resolver) is on the daemon: observe found it
 * missing, so it is built there from the image bundled with mixcompose (engine/helper-images.ts).
 */
export interface EnsureHelperImageOp extends OpBase {
  readonly kind: 'ensure-helper-image';
  readonly image: string;
  readonly purpose: 'resolver';
  /** The failure when this run cannot build it (no builder given): what to do by hand. */
  readonly unavailable: string;
}

/**
 * `up`'s reach probe (reach `auto`, two daemons, nothing recorded): a container on each daemon pings
 * the other (engine/reach-probe.ts): the plan's own (the resolver, a windows service: the peers)
 * where it can, else a throw-away one (a `side` operation, or the windowsFallback); it removes what it
 * makes, and first what a killed earlier probe left. Its answer is an outcome key (plan/reach.ts, reachOutcomeKey) that picks the
 * variant of every {@link ByReachOp}. Only those wait for it; the rest of the plan runs beside it.
 */
export interface ProbeReachOp extends OpBase {
  readonly kind: 'probe-reach';
  /** The provider platforms probed (the others are configured or recorded). */
  readonly platforms: readonly PlatformOs[];
  /**
   * Per outcome key: warnings to give, and problems that stop the run (a plan with such an outcome
   * makes every operation wait for the probe, so nothing has started when they are reported).
   */
  readonly outcomes: Readonly<Record<string, ProbeOutcomePlan>>;
  /**
   * A container of the plan the probe pings from and to on the linux daemon instead of a
   * throw-away one: the project resolver (its image has ping), started by `startedBy` (a dependency),
   * its address read on `network`.
   */
  readonly linuxPeer?: ProbePeerRef;
  /**
   * The container the probe pings from and to on the windows daemon: a service container the plan
   * starts beside the probe (then `windowsFallback` is set), or the one its `side` operation started.
   */
  readonly windowsPeer?: ProbePeerRef;
  /**
   * With a service container as `windowsPeer`: when ping cannot run in it (not in its image), the
   * probe starts its throw-away end on `network` on that daemon and pings from that end instead.
   */
  readonly windowsFallback?: { readonly network: string };
  /**
   * Only start the probe's throw-away network and container on this platform's daemon (no answer):
   * the probe-reach operation that pings names it as its peer and waits for it, so each end starts
   * as soon as it can and only the pings wait for both.
   */
  readonly side?: PlatformOs;
  /**
   * With `side`: the project network on that daemon the end joins (made by a dependency, or there
   * already), so the probe tests the network the services use and makes no network of its own.
   * Absent: a throw-away network of its own (the project has no network on that daemon).
   */
  readonly network?: string;
}

/** A running container of the plan the probe pings from and to: made by `container`, started by `startedBy`, its address read on `network`. */
export interface ProbePeerRef {
  readonly container: ContainerRef;
  readonly startedBy: string;
  readonly network: string;
  /**
   * `hosts-reader`: the probe pings from it by a record to its hosts reader (the project resolver's
   * stdin loop, plan/resolver-hosts-protocol.ts), a few ms of the daemon's CPU; absent: by exec.
   */
  readonly pingBy?: 'hosts-reader';
}

export interface ProbeOutcomePlan {
  readonly warnings: readonly string[];
  readonly problems: readonly string[];
  /** The reach decisions under this outcome (Plan.reach once the probe answered it). */
  readonly reach: Plan['reach'];
}

/**
 * An operation whose content depends on the reach probe's answer: one variant per outcome key
 * (absent: nothing to do under that outcome). It waits for `probe`; then the executor runs the
 * outcome's variant as if it had been planned alone (with that variant's own dependencies).
 */
export interface ByReachOp extends OpBase {
  readonly kind: 'by-reach';
  readonly probe: string;
  readonly variants: Readonly<Record<string, Operation | undefined>>;
}

/**
 * Pull one image onto one daemon (once per daemon and reference, however many services use it).
 * The platform was checked against the registry's list while planning; `expectOs` is checked again
 * on the pulled image (a registry can answer differently later). Registry credentials are the
 * adapter's business (engine/registry-auth.ts), as for any pull.
 */
export interface PullImageOp extends OpBase {
  readonly kind: 'pull-image';
  readonly image: string;
  /** The services whose image this is (sorted), for messages. */
  readonly services: readonly string[];
  /** `platform` query parameter of the pull (LCOW). */
  readonly platformQuery?: string;
  /** The OS the pulled image must report (`Os` of GET /images/{name}/json); absent: not checked. */
  readonly expectOs?: string;
  /** Why it is pulled: "image not present", "pull_policy: always", ... */
  readonly reason: string;
  /**
   * A failed pull: the operation fails, is a warning (`pull --ignore-pull-failures`, a buildable
   * service's `pull`), or builds the image instead (`pull_policy: always` with a build section).
   */
  readonly onFailure: { readonly action: 'fail' } | { readonly action: 'warn' } | { readonly action: 'build'; readonly build: ImageBuild };
}

/** Everything a build needs, decided while planning (plan/image-build.ts). */
export interface ImageBuild {
  /** The service built, for messages and progress. */
  readonly service: string;
  /** Engine API /build query, without `version` (the builder) and `remote`. */
  readonly query: EngineBody;
  /** A URL (remote context), or a local directory sent as a tar with the Dockerfile in it. */
  readonly context: { readonly remote: string } | { readonly dir: string; readonly dockerfile: string; readonly inline?: { readonly name: string; readonly content: string } };
  /**
   * BuildKit or the classic builder: fixed by DOCKER_BUILDKIT or the daemon's OS, else `daemon`
   * (whatever the daemon's ping says its builder is).
   */
  readonly builder: 'buildkit' | 'classic' | 'daemon';
  /** The daemon's label, for messages ("built on …"). */
  readonly daemonLabel: string;
}

/** Build one service's image on the daemon that runs it. */
export interface BuildImageOp extends OpBase {
  readonly kind: 'build-image';
  readonly service: string;
  /** The tag given to the result. */
  readonly image: string;
  readonly reason: string;
  readonly build: ImageBuild;
}

export interface RemoveNetworkOp extends OpBase {
  readonly kind: 'remove-network';
  readonly name: string;
  /** The network's id, to remove by: set where the name is ambiguous (duplicates, a foreign twin; plan/duplicates.ts). */
  readonly network?: string;
  /**
   * How long to ask again while the daemon refuses with endpoints of containers that are gone or
   * being removed (engine/network-release.ts). An endpoint of a live container ends the wait at once.
   */
  readonly releaseWaitMs: number;
}

export interface RemoveVolumeOp extends OpBase {
  readonly kind: 'remove-volume';
  readonly name: string;
}

export interface RemoveImageOp extends OpBase {
  readonly kind: 'remove-image';
  readonly name: string;
}

export type Operation =
  | CreateNetworkOp
  | CreateVolumeOp
  | EnsureHelperImageOp
  | PullImageOp
  | BuildImageOp
  | CreateContainerOp
  | StartContainerOp
  | WaitContainerOp
  | StopContainerOp
  | RemoveContainerOp
  | RestartContainerOp
  | RegisterHostsOp
  | UnregisterHostsOp
  | RemoveNetworkOp
  | RemoveVolumeOp
  | RemoveImageOp
  | ProbeReachOp
  | ByReachOp;

/** How one daemon's containers are reached from the other daemon, and why. */
export interface ReachDecision {
  readonly reach: Exclude<Reach, 'auto'>;
  /** "configured", "auto: probe", "auto: daemons on one machine", ... */
  readonly why: string;
}

/** The commands whose plan holds image operations only (plan/image-ops.ts, planImageCommand). */
export type ImageCommand = 'pull' | 'build';

export interface Plan {
  readonly project: string;
  /** The command planned: up, down, start, stop, restart; or pull / build (image operations only). */
  readonly command: import('./reconcile-options.js').PlanCommand | ImageCommand;
  /** Declared platform → daemon doing its work. */
  readonly placement: Readonly<Record<PlatformOs, PlatformOs>>;
  /** The declared platforms of the project's (active) services, sorted. */
  readonly platforms: readonly PlatformOs[];
  readonly reach: Readonly<Partial<Record<PlatformOs, ReachDecision>>>;
  /** Whether the project resolver is used (services span two distinct daemons). */
  readonly resolver: boolean;
  readonly operations: readonly Operation[];
  /** Things the user should know (orphans left, extra_hosts dropped for windows, ...). */
  readonly warnings: readonly string[];
}
