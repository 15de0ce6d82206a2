/**
 * What exists on the daemons, as the pure planner sees it. Built by engine/observe from
 * resources carrying this project's labels; the planner never asks a daemon anything itself.
 */
import type { PlatformOs } from '../model/project.js';
import type { ServiceImageFact } from './image-facts.js';

/** What a daemon said about itself in /info and /version, reduced to what decisions need. */
export interface DaemonFacts {
  readonly platform: PlatformOs;
  /** Human name for messages: "linux (unix:///run/docker.sock)". */
  readonly label: string;
  readonly osType: string; // /info OSType: "linux" | "windows"
  readonly operatingSystem?: string;
  readonly kernelVersion?: string;
  readonly architecture?: string;
  readonly storageDriver?: string;
  /** LCOW: a Windows daemon running Linux containers (OSType windows + "lcow" in the driver). */
  readonly lcow: boolean;
  readonly apiVersion?: string;
  readonly serverVersion?: string;
  readonly isolation?: string;
  /** Network drivers listed by /info Plugins.Network. */
  readonly networkDrivers: readonly string[];
  /** Windows host build (from OperatingSystem / KernelVersion) for os.version checks. */
  readonly osVersion?: string;
  /** Same underlying daemon as the other platform's (both platforms name one endpoint). */
  readonly sharedWith?: PlatformOs;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ObservedContainer {
  readonly id: string;
  readonly name: string;
  readonly platform: PlatformOs;
  readonly service: string;
  readonly number: number;
  readonly oneoff: boolean;
  readonly status: ContainerStatus;
  readonly health?: 'starting' | 'healthy' | 'unhealthy';
  readonly exitCode?: number;
  readonly image: string;
  readonly imageId?: string;
  readonly configHash?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Network name on the daemon → IPv4 address. */
  readonly ips: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly target: number; readonly published?: number; readonly protocol: string; readonly hostIp?: string }[];
  readonly created?: string;
  /** Network name on the daemon → the network's id (names may repeat: plan/duplicates.ts). i12b. */
  readonly networkIds?: Readonly<Record<string, string>>;
}

export interface ObservedNetwork {
  readonly id: string;
  readonly name: string;
  readonly platform: PlatformOs;
  readonly driver: string;
  readonly subnets: readonly string[];
  /** IPAM gateways (absent: not read). The Windows network's is where its containers reach the host. */
  readonly gateways?: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** When the daemon made it (RFC 3339), to keep the oldest of duplicates (plan/duplicates.ts). i12b. */
  readonly created?: string;
}

export interface ObservedVolume {
  readonly name: string;
  readonly platform: PlatformOs;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ObservedImage {
  readonly platform: PlatformOs;
  readonly reference: string;
  readonly id: string;
  readonly os?: string;
  readonly architecture?: string;
  readonly size?: number;
}

/** One hosts file in the project resolver's hostsdir (names across daemons). */
export interface ResolverHostsFile {
  /** File name: `<service>-<number>`. */
  readonly file: string;
  /** The address its lines give; absent when the file is empty or its lines disagree. */
  readonly ip?: string;
  /** The names it answers, in file order. */
  readonly names: readonly string[];
}

/** What the running project resolver answers for the other daemon's containers. */
export interface ObservedResolverHosts {
  /** Id of the resolver container the files were read from. */
  readonly container: string;
  readonly files: readonly ResolverHostsFile[];
  /**
   * The static answers (published reach) read back for `up`: hostsdir → its files, for the dirs the
   * resolver's label names (plan/resolver.ts staticAnswerDirs). Absent when not read; a dir that
   * could not be read is left out, and the planner then writes its answers only with a (re)started
   * resolver or the service's own containers, as it cannot see what is missing.
   */
  readonly static?: Readonly<Record<string, readonly ResolverHostsFile[]>>;
}

/**
 * A running container of any project (or none) on a daemon that publishes a given host port: what
 * holds a port the project's resolver must bind (port 53 under published reach).
 */
export interface PortHolder {
  readonly name: string;
  /** The project it belongs to (com.docker.compose.project), when labelled. */
  readonly project?: string;
  /** Its io.mixcompose.role label ("resolver" for a project resolver). */
  readonly role?: string;
  /** The compose files of its project (com.docker.compose.project.config_files), to name the `down` that frees the port. */
  readonly configFiles?: readonly string[];
  /** Host IP of the binding; "0.0.0.0" or "::" for every address. */
  readonly hostIp: string;
  readonly protocol: string;
}

/** Snapshot of both daemons for one project. */
export interface ObservedState {
  readonly daemons: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>;
  readonly containers: readonly ObservedContainer[];
  readonly networks: readonly ObservedNetwork[];
  readonly volumes: readonly ObservedVolume[];
  /** Local images the project's services name, per platform. */
  readonly images: readonly ObservedImage[];
  /**
   * The running resolver's hosts files. Absent when there is no running resolver or its files
   * could not be read: the planner then registers only what it starts (it cannot see stale entries).
   */
  readonly resolverHosts?: ObservedResolverHosts;
  /**
   * Running containers on the linux daemon that publish host port 53 (any project): under published
   * reach the resolver binds the linux `address`:53, which only one container can hold. Absent when
   * not looked at (no resolver possible, or the list failed).
   */
  readonly dnsPortHolders?: readonly PortHolder[];
  /**
   * What a reach probe of `up` left behind (killed while probing): containers and networks labelled
   * io.mixcompose.role=reach-probe. Never part of the stack; `down` (and `up`) plan their removal.
   */
  readonly probeLeftovers?: readonly ProbeLeftover[];
  /**
   * The never-started containers that record a reach probe's answer (io.mixcompose.role=reach-record,
   * plan/reach-record.ts): kept apart from `containers` (they are no service), read by recordedReach,
   * replaced by a probing `up`, removed by `down`.
   */
  readonly reachRecords?: readonly ObservedContainer[];
  /**
   * Helper images the plan may run (the project resolver's), looked for on their daemon. Absent when
   * not looked at: the planner then takes them as present.
   */
  readonly helperImages?: readonly HelperImage[];
  /**
   * Networks named like one of the project's that do not carry its label (made by hand, another
   * tool or project): never adopted, removed or planned on; a twin of ours makes attaching by name
   * ambiguous (plan/duplicates.ts). Absent when not looked at. i12b.
   */
  readonly foreignNetworks?: readonly ObservedNetwork[];
  /**
   * Host facts observed beside the daemons (observe's `hostFacts`, for `up`): every bind source's kind
   * on this host (absolute path → kind) and the IPs behind daemon `address` host names. Absent = not looked at.
   */
  readonly bindSourceKinds?: Readonly<Record<string, 'directory' | 'file' | 'missing' | 'other'>>;
  readonly addressIps?: Readonly<Partial<Record<PlatformOs, string>>>;
  /**
   * The services' images as their daemons have them (platform, when last tagged) and, for the ones
   * the pull policy pulls, the registry's platform list (engine/image-facts.ts). Absent when not
   * gathered: the plan then has no pull or build operations (plan/image-ops.ts).
   */
  readonly imageFacts?: readonly ServiceImageFact[];
}

/** Whether a helper image is on a daemon. */
export interface HelperImage {
  readonly platform: PlatformOs;
  readonly reference: string;
  readonly present: boolean;
}

/** A reach probe's container or network still on a daemon (engine/reach-probe.ts makes them). */
export interface ProbeLeftover {
  readonly kind: 'container' | 'network';
  readonly platform: PlatformOs;
  readonly name: string;
  readonly id: string;
}
