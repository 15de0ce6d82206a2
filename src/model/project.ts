/**
 * The loaded, normalized project: plain readonly data, no dockerode types, no I/O.
 *
 * Shapes follow docker compose v2's canonical form (what `docker compose config` prints):
 * snake_case keys as in the Compose Specification, long syntax everywhere (ports, volumes,
 * depends_on, secrets, configs), durations kept as compose duration strings ("1m30s").
 * mixcompose adds: each service's resolved `platform`, the `x-mixcompose` settings,
 * parsed address references, and source positions for error messages.
 */

/** The two daemon roles mixcompose knows. A service runs on the daemon of its platform's OS. */
export type PlatformOs = 'windows' | 'linux';

/** An OCI platform as written in `platform:` (`linux`, `linux/arm64/v8`, `windows/amd64`). */
export interface PlatformSpec {
  readonly os: PlatformOs;
  readonly architecture?: string;
  readonly variant?: string;
  /** The string as written (or defaulted), e.g. "windows/amd64". */
  readonly raw: string;
}

/** Where something was written: file, 1-based line and column. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** `{{ db.host }}`, `{{ db.port:5432 }}`, `{{ db.ip }}` found in a service's string values. */
export interface AddressReference {
  /** The referenced (providing) service. */
  readonly service: string;
  readonly kind: 'host' | 'port' | 'ip';
  /** For kind `port`: the container port N. */
  readonly port?: number;
  /** The exact text matched, e.g. "{{ db.port:5432 }}". */
  readonly text: string;
  /** Key path of the value that holds it, e.g. ["environment", "DB_URL"]. */
  readonly path: readonly (string | number)[];
}

export interface PortConfig {
  readonly name?: string;
  readonly mode?: 'ingress' | 'host' | string;
  readonly host_ip?: string;
  readonly target: number;
  /** Host port or range ("8080", "8080-8090"); absent = ephemeral / not published. */
  readonly published?: string;
  readonly protocol: 'tcp' | 'udp' | 'sctp' | string;
  readonly app_protocol?: string;
}

export interface ServiceVolume {
  readonly type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  /** For bind: absolute host path as resolved on the machine running mixcompose; for volume: the volume key. */
  readonly source?: string;
  readonly target: string;
  readonly read_only?: boolean;
  readonly consistency?: string;
  readonly bind?: { readonly propagation?: string; readonly create_host_path?: boolean; readonly selinux?: 'z' | 'Z' };
  readonly volume?: { readonly nocopy?: boolean; readonly subpath?: string };
  readonly tmpfs?: { readonly size?: number | string; readonly mode?: number };
}

export interface DependsOn {
  readonly condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  readonly required: boolean;
  readonly restart: boolean;
}

export interface Healthcheck {
  readonly test?: readonly string[];
  readonly interval?: string;
  readonly timeout?: string;
  readonly retries?: number;
  readonly start_period?: string;
  readonly start_interval?: string;
  readonly disable?: boolean;
}

export interface FileReference {
  readonly source: string;
  readonly target?: string;
  readonly uid?: string;
  readonly gid?: string;
  readonly mode?: number;
}

export interface ServiceNetwork {
  readonly aliases?: readonly string[];
  readonly ipv4_address?: string;
  readonly ipv6_address?: string;
  readonly priority?: number;
  readonly mac_address?: string;
}

export interface BuildConfig {
  /** Absolute path of the context directory (or a URL). */
  readonly context: string;
  readonly dockerfile?: string;
  readonly dockerfile_inline?: string;
  readonly args?: Readonly<Record<string, string | null>>;
  readonly target?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly cache_from?: readonly string[];
  readonly network?: string;
  readonly shm_size?: number | string;
  readonly platforms?: readonly string[];
  readonly extra_hosts?: readonly string[];
  readonly no_cache?: boolean;
  readonly pull?: boolean;
}

/** Per-service `x-mixcompose` settings. */
export interface ServiceExtension {
  /** `x-mixcompose.lint: false` silences the database-storage lint for this service. */
  readonly lint?: boolean;
}

/**
 * One service in canonical compose form. Keys not listed are still carried (index signature)
 * so `config` can print everything the user wrote.
 */
export interface Service {
  readonly name: string;
  readonly platform: PlatformSpec;
  readonly image?: string;
  readonly build?: BuildConfig;
  readonly pull_policy?: string;
  readonly command?: readonly string[] | null;
  readonly entrypoint?: readonly string[] | null;
  readonly environment: Readonly<Record<string, string | null>>;
  readonly ports: readonly PortConfig[];
  readonly expose: readonly string[];
  readonly volumes: readonly ServiceVolume[];
  readonly tmpfs?: readonly string[];
  readonly depends_on: Readonly<Record<string, DependsOn>>;
  readonly links?: readonly string[];
  readonly healthcheck?: Healthcheck;
  /** null = attached with no options; key = project network key (not its daemon name). */
  readonly networks: Readonly<Record<string, ServiceNetwork | null>>;
  readonly network_mode?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** "host:ip" / "host=ip" entries as written, normalized to "host=ip" like compose v2. */
  readonly extra_hosts: readonly string[];
  readonly dns?: readonly string[];
  readonly dns_search?: readonly string[];
  readonly dns_opt?: readonly string[];
  readonly hostname?: string;
  readonly domainname?: string;
  readonly restart?: string;
  readonly secrets: readonly FileReference[];
  readonly configs: readonly FileReference[];
  readonly container_name?: string;
  readonly user?: string;
  readonly working_dir?: string;
  readonly stop_signal?: string;
  readonly stop_grace_period?: string;
  readonly init?: boolean;
  readonly privileged?: boolean;
  readonly read_only?: boolean;
  readonly cap_add?: readonly string[];
  readonly cap_drop?: readonly string[];
  readonly devices?: readonly string[];
  readonly sysctls?: Readonly<Record<string, string>>;
  readonly ulimits?: Readonly<Record<string, number | { soft: number; hard: number }>>;
  readonly logging?: { readonly driver?: string; readonly options?: Readonly<Record<string, string>> };
  readonly isolation?: string;
  readonly volumes_from?: readonly string[];
  readonly ipc?: string;
  readonly pid?: string;
  readonly profiles?: readonly string[];
  readonly scale?: number;
  readonly deploy?: Readonly<Record<string, unknown>>;
  readonly mem_limit?: number | string;
  readonly cpus?: number | string;
  /** Parsed `{{ s.host|port:N|ip }}` references, in document order. */
  readonly addressReferences: readonly AddressReference[];
  readonly extension: ServiceExtension;
  /** Anything else the user wrote, carried through unchanged. */
  readonly [key: string]: unknown;
}

export interface Network {
  /** The name on the daemon (`<project>_<key>` unless `name:` or external). */
  readonly name: string;
  readonly driver?: string;
  readonly driver_opts?: Readonly<Record<string, string>>;
  readonly ipam?: {
    readonly driver?: string;
    readonly config?: readonly { readonly subnet?: string; readonly gateway?: string; readonly ip_range?: string }[];
  };
  readonly external?: boolean;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly enable_ipv6?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

export interface Volume {
  readonly name: string;
  readonly driver?: string;
  readonly driver_opts?: Readonly<Record<string, string>>;
  readonly external?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** Top-level secret or config: exactly one of file / environment / content / external. */
export interface FileObject {
  readonly name: string;
  readonly file?: string;
  readonly environment?: string;
  readonly content?: string;
  readonly external?: boolean;
  readonly [key: string]: unknown;
}

/** TLS material for a daemon endpoint (paths, already resolved against the project directory). */
export interface DaemonTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly verify?: boolean;
}

/** How containers on the *other* daemon reach this daemon's containers. */
export type Reach = 'auto' | 'ip' | 'published';

/** `x-mixcompose.daemons.<platform>` after overrides (CLI > env > file > defaults) are applied. */
export interface DaemonSettings {
  readonly platform: PlatformOs;
  /** Any DOCKER_HOST form: unix://, npipe://, tcp://, ssh://. Absent with `context` set. */
  readonly host?: string;
  /** A docker context by name. */
  readonly context?: string;
  readonly tls?: DaemonTls;
  /** Host name/IP at which the other daemon's containers reach this daemon's published ports. */
  readonly address?: string;
  readonly reach: Reach;
  /**
   * Image of `up`'s reach probe container on this daemon (reach `auto`); default: the resolver image
   * on a Linux daemon, mcr.microsoft.com/windows/nanoserver:ltsc2022 on a Windows one.
   */
  readonly probe_image?: string;
  /** Default stop grace period for this platform's services ("10s"). */
  readonly stop_grace_period?: string;
  /** Prefix under which a Linux engine on a Windows host sees host drives (Docker Desktop: "/run/desktop/mnt/host"). */
  readonly path_prefix?: string;
  /** Where the setting came from, for messages: "cli", "env", "file", "default". */
  readonly origin: 'cli' | 'env' | 'file' | 'default';
}

/** The project-level `x-mixcompose` extension. */
export interface ProjectExtension {
  readonly default_platform: PlatformOs;
  readonly daemons: Readonly<Record<PlatformOs, DaemonSettings>>;
  /** The project DNS resolver used for names across daemons. */
  readonly resolver?: {
    readonly image?: string;
    /** Base image mixcompose builds the resolver image from when it is missing (engine/helper-images.ts). */
    readonly base?: string;
    readonly enabled?: boolean;
  };
  /** `convert/deploy --to swarm`: false for Windows nodes without the routing mesh (Server 2016). */
  readonly swarm?: { readonly windows_routing_mesh?: boolean };
  /** `convert --to kubernetes` settings (the command's flags override them). */
  readonly kubernetes?: KubernetesSettings;
}

/** `x-mixcompose.kubernetes`: how Windows pods are scheduled, and claim sizes. */
export interface KubernetesSettings {
  /** Tolerations of Windows pods (default: os=windows:NoSchedule). */
  readonly windows_tolerations?: readonly {
    readonly key?: string;
    readonly operator?: 'Equal' | 'Exists';
    readonly value?: string;
    readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  }[];
  /** A RuntimeClass for Windows pods instead of tolerations. */
  readonly windows_runtime_class?: string;
  /** Image → its os.version, for node.kubernetes.io/windows-build. */
  readonly windows_os_versions?: Readonly<Record<string, string>>;
  /** Storage request of each claim ("1Gi"). */
  readonly storage_size?: string;
}

/** A fully loaded project. */
export interface Project {
  readonly name: string;
  /** Absolute project directory. */
  readonly workingDir: string;
  /** Absolute paths of the compose files, in merge order. */
  readonly configFiles: readonly string[];
  /** Active services only (profiles applied), keyed by name. */
  readonly services: Readonly<Record<string, Service>>;
  /** Services left out by profiles (for `config --profile` messages and `down --remove-orphans`). */
  readonly disabledServices: Readonly<Record<string, Service>>;
  readonly networks: Readonly<Record<string, Network>>;
  readonly volumes: Readonly<Record<string, Volume>>;
  readonly secrets: Readonly<Record<string, FileObject>>;
  readonly configs: Readonly<Record<string, FileObject>>;
  /** Top-level `models` (AI models), carried through as written. */
  readonly models?: Readonly<Record<string, unknown>>;
  /** Top-level `x-*` keys other than `x-mixcompose`, carried through as written. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly extension: ProjectExtension;
  /** Resolved environment used for interpolation (.env + process env). */
  readonly environment: Readonly<Record<string, string>>;
  readonly profiles: readonly string[];
}
