/**
 * The database-storage lint (pure).
 *
 * Databases on LCOW or on host-shared folders fail to start: `InnoDB: Unable to lock ./ibdata1
 * error: 95`. Host folders reach a Linux VM over 9p/SMB, which have no real byte-range locks
 * (errno 95 is EOPNOTSUPP). On LCOW even named volumes are host folders; on a Linux VM daemon
 * (Docker Desktop's Linux engine, WSL2) named volumes live in the VM's own filesystem and work.
 *
 * A bind of a Windows drive folder (`C:\data`, or WSL's mount of it, `/mnt/c/data`) is such a host
 * folder on every kind of daemon, a Linux one included: in WSL `/mnt/c` is the drive itself, over 9p.
 *
 * A Linux service is a database when its image (or command) names one, or when a mount targets a
 * data directory only a database uses. The warning is silenced per service with
 * `x-mixcompose: { lint: false }`.
 */
import { repositoryOf } from '../model/image-ref.js';
import type { ConfigIssue } from '../errors.js';
import type { Project, Service, ServiceVolume, Volume } from '../model/project.js';
import type { DaemonFacts } from './observed-state.js';
import { bindTargetFor, parseHostPath } from '../model/host-paths.js';

/** What is known of the Linux daemon; undefined = not known (config without a daemon). */
export type LinuxDaemonKind =
  /** A Windows daemon running Linux containers: named volumes are host folders too. */
  | 'lcow'
  /** A Linux engine in a VM on a Windows host (Docker Desktop, WSL2): host drives are shared in. */
  | 'vm-on-windows'
  /** A Linux daemon on Linux: binds are local filesystems with working locks. */
  | 'linux';

export interface DatabaseKind {
  /** Display name used in the warning. */
  readonly name: string;
  /** Last path segment of image repositories that are this database. */
  readonly images: readonly string[];
  /** Image repository fragments (for registries with deeper paths, e.g. mcr.microsoft.com/mssql/server). */
  readonly imageFragments?: readonly string[];
  /** Executables that start it, as the first word of a command. */
  readonly commands: readonly string[];
  /** Where it keeps its data by default. */
  readonly dataPaths: readonly string[];
  /** The data path is distinctive enough to recognise the database by it alone. */
  readonly pathIdentifies: boolean;
}

export const DATABASE_KINDS: readonly DatabaseKind[] = [
  { name: 'MySQL', images: ['mysql', 'percona', 'percona-server'], commands: ['mysqld'], dataPaths: ['/var/lib/mysql', '/bitnami/mysql'], pathIdentifies: true },
  { name: 'MariaDB', images: ['mariadb'], commands: ['mariadbd'], dataPaths: ['/var/lib/mysql', '/bitnami/mariadb'], pathIdentifies: true },
  { name: 'PostgreSQL', images: ['postgres', 'postgresql', 'postgis', 'timescaledb'], commands: ['postgres'], dataPaths: ['/var/lib/postgresql/data', '/var/lib/postgresql', '/bitnami/postgresql'], pathIdentifies: true },
  { name: 'MongoDB', images: ['mongo', 'mongodb', 'mongodb-community-server'], commands: ['mongod'], dataPaths: ['/data/db', '/bitnami/mongodb'], pathIdentifies: true },
  { name: 'Redis', images: ['redis', 'redis-stack-server', 'valkey'], commands: ['redis-server', 'valkey-server'], dataPaths: ['/data', '/bitnami/redis'], pathIdentifies: false },
  { name: 'SQL Server', images: [], imageFragments: ['mssql', 'azure-sql-edge'], commands: ['sqlservr', '/opt/mssql/bin/sqlservr'], dataPaths: ['/var/opt/mssql'], pathIdentifies: true },
  { name: 'RabbitMQ', images: ['rabbitmq'], commands: ['rabbitmq-server'], dataPaths: ['/var/lib/rabbitmq', '/bitnami/rabbitmq'], pathIdentifies: true },
  { name: 'Elasticsearch', images: ['elasticsearch', 'opensearch'], commands: ['elasticsearch'], dataPaths: ['/usr/share/elasticsearch/data', '/usr/share/opensearch/data', '/bitnami/elasticsearch'], pathIdentifies: true },
];

/** The repository path of an image reference without registry, tag or digest: "mcr.microsoft.com/mssql/server:2022" → "mssql/server". */
export function imageRepository(image: string): string {
  return repositoryOf(image);
}

function commandWords(service: Service): string[] {
  return [...(service.entrypoint ?? []), ...(service.command ?? [])].flatMap((w) => w.split(/\s+/)).filter(Boolean);
}

function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** Recognises the database a service runs, by image name, then by command. */
export function databaseOf(service: Service): DatabaseKind | undefined {
  if (service.image) {
    const repo = imageRepository(service.image);
    const last = repo.slice(repo.lastIndexOf('/') + 1);
    const byImage = DATABASE_KINDS.find((k) => k.images.includes(last) || k.imageFragments?.some((f) => repo.split('/').includes(f)));
    if (byImage) return byImage;
  }
  const words = commandWords(service).map(baseName);
  return DATABASE_KINDS.find((k) => k.commands.some((c) => words.includes(baseName(c))));
}

/** Redis writes to /data only with persistence on (the default `save` rules, or appendonly). */
function redisPersists(service: Service): boolean {
  // Raw argv: an empty argument after --save is meaningful here.
  const words = [...(service.entrypoint ?? []), ...(service.command ?? [])];
  const value = (flag: string) => {
    const i = words.indexOf(flag);
    return i >= 0 ? words[i + 1] : undefined;
  };
  if (value('--appendonly') === 'yes') return true;
  const save = value('--save');
  // `--save ""` (or '') turns snapshots off; without appendonly there is nothing on disk.
  return !(save !== undefined && /^(""|'')?$/.test(save));
}

function normalizeContainerPath(path: string): string {
  const p = path.replace(/\/+$/, '');
  return p === '' ? '/' : p;
}

/** A mount at `target` holds `dataPath` when it is the same directory or a parent of it. */
function covers(target: string, dataPath: string): boolean {
  const t = normalizeContainerPath(target);
  if (t === '/') return false;
  return dataPath === t || dataPath.startsWith(t + '/');
}

/** A named volume created with the local driver's bind options is a host folder as well. */
function volumeIsBind(volume: Volume | undefined): boolean {
  const o = volume?.driver_opts;
  return !!o && (o.type === 'none' || o.type === 'bind') && /(^|,)r?bind($|,)/.test(o.o ?? '');
}

export interface DatabaseLintOptions {
  readonly linuxDaemon?: LinuxDaemonKind;
}

/**
 * The Windows drive a host path lies on: `C:\x`, `c:/x`, or WSL's mount of it (`/mnt/c/x`) → "C".
 * Read with path translation's own parser, so the lint and the translation agree on what a drive
 * path is: for a daemon on Windows such a path becomes that drive (Docker Desktop gets
 * /run/desktop/mnt/host/c/..., LCOW C:\...); for a Linux daemon `/mnt/c/...` stays as written, which
 * in WSL is the drive itself (drvfs, over 9p), and `C:\x` is refused. Wherever it can be mounted, it
 * is a shared Windows folder. The Git Bash form `/c/x` is left out: on Linux it is a directory.
 */
export function windowsDriveOf(source: string | undefined): string | undefined {
  if (!source || /^\/[a-zA-Z](\/|$)/.test(source)) return undefined;
  const parsed = parseHostPath(source, true);
  return parsed.form === 'drive' ? parsed.drive.toUpperCase() : undefined;
}

const FIX_VM = 'put the data on a named volume of a Linux VM daemon (Docker Desktop\'s Linux engine, WSL2), whose volumes live in the VM';
const FIX_LCOW = 'run this service on a Linux VM daemon (Docker Desktop\'s Linux engine, WSL2) with a named volume: on LCOW every volume is a host folder';
const FIX_WSL = 'keep the data in the Linux filesystem: a named volume, or a folder that is not under /mnt/<drive>';
const SILENCE = 'silence with `x-mixcompose: { lint: false }` on the service';

function dataPathsOf(service: Service, kind: DatabaseKind): readonly string[] {
  const pgdata = kind.name === 'PostgreSQL' ? service.environment.PGDATA : undefined;
  return pgdata ? [pgdata, ...kind.dataPaths] : kind.dataPaths;
}

function findingFor(
  service: Service,
  kind: DatabaseKind,
  volume: ServiceVolume,
  index: number,
  dataPath: string,
  project: Pick<Project, 'volumes'>,
  linuxDaemon: LinuxDaemonKind | undefined,
): ConfigIssue | undefined {
  const topLevel = volume.type === 'volume' && volume.source ? project.volumes[volume.source] : undefined;
  const hostFolder = volume.type === 'bind' || volumeIsBind(topLevel);
  const hostPath = topLevel?.driver_opts?.device ?? volume.source;
  const drive = hostFolder ? windowsDriveOf(hostPath) : undefined;
  const where = hostFolder
    ? `a bind mount of ${hostPath ?? 'a host folder'}${drive ? ` (on drive ${drive}: of the Windows host)` : ''}`
    : `${volume.source ? `the named volume "${volume.source}"` : 'an anonymous volume'} of an LCOW daemon`;
  let fix: string;
  if (hostFolder) {
    // On a Linux host the bind is a local filesystem with real locks, unless it is a Windows drive (WSL's /mnt/c).
    if (linuxDaemon === 'linux' && !drive) return undefined;
    fix = linuxDaemon === 'lcow' ? FIX_LCOW : linuxDaemon === 'linux' ? FIX_WSL : FIX_VM;
  } else if (volume.type === 'volume' && linuxDaemon === 'lcow') {
    fix = FIX_LCOW;
  } else {
    return undefined;
  }
  return {
    severity: 'warning',
    path: ['services', service.name, 'volumes', index],
    message:
      `${kind.name} keeps its data in ${dataPath}, which is on ${where}: host-shared folders have no byte-range locks, ` +
      `so it fails to start ("InnoDB: Unable to lock ./ibdata1 error: 95" and the like). Instead, ${fix}; ${SILENCE}`,
  };
}

/**
 * Warnings for database services of the linux platform whose data directory is on a host folder
 * (a bind mount, or any volume when the Linux daemon is LCOW). One warning per service at most.
 */
export function lintDatabaseStorage(project: Pick<Project, 'services' | 'volumes'>, options: DatabaseLintOptions = {}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(project.services).sort()) {
    const service = project.services[name]!;
    if (service.platform.os !== 'linux' || service.extension?.lint === false) continue;
    const byService = databaseOf(service);
    const candidates = byService ? [byService] : DATABASE_KINDS.filter((k) => k.pathIdentifies);
    let issue: ConfigIssue | undefined;
    for (const kind of candidates) {
      if (kind.name === 'Redis' && !redisPersists(service)) continue;
      const paths = dataPathsOf(service, kind);
      service.volumes.forEach((volume, index) => {
        if (issue || (volume.type !== 'bind' && volume.type !== 'volume')) return;
        const dataPath = paths.find((p) => covers(volume.target, p));
        // Recognised by its data path alone: only the exact directory counts (a mount of /var/lib is not a database).
        if (!dataPath || (!byService && normalizeContainerPath(volume.target) !== dataPath)) return;
        issue = findingFor(service, kind, volume, index, dataPath, project, options.linuxDaemon);
      });
      if (issue) break;
    }
    if (issue) issues.push(issue);
  }
  return issues;
}

/** The daemon kind the lint needs, from what the Linux daemon reported and where its bind paths go. */
export function linuxDaemonKind(facts: { readonly lcow: boolean; readonly osType: string } | undefined, bindTargetKind?: string): LinuxDaemonKind | undefined {
  if (!facts) return undefined;
  if (facts.lcow || facts.osType === 'windows') return 'lcow';
  return bindTargetKind === 'linux-on-windows' ? 'vm-on-windows' : 'linux';
}

/**
 * The lint for a connected project: the Linux daemon's kind from what it reported (LCOW, a VM on
 * Windows, or Linux on Linux) and its path settings. What `plan` and `up` print.
 */
export function lintDatabaseStorageFor(
  project: Pick<Project, 'services' | 'volumes' | 'extension'>,
  linuxFacts: (Pick<DaemonFacts, 'lcow' | 'osType'> & Partial<Pick<DaemonFacts, 'operatingSystem' | 'kernelVersion'>>) | undefined,
  hostPlatform?: string,
): ConfigIssue[] {
  const target = linuxFacts ? bindTargetFor(linuxFacts, project.extension?.daemons?.linux, hostPlatform) : undefined;
  const linuxDaemon = linuxDaemonKind(linuxFacts, target?.kind);
  return lintDatabaseStorage(project, linuxDaemon ? { linuxDaemon } : {});
}

/**
 * The Linux daemon's kind when no daemon was asked (`config`): a VM on Windows when the host is
 * Windows or a path prefix is set, Linux on Linux for a local unix socket on a non-Windows host,
 * otherwise not known (the lint then warns about every bind).
 */
export function offlineLinuxDaemonKind(
  settings: { readonly host?: string; readonly path_prefix?: string } | undefined,
  hostPlatform?: string,
): LinuxDaemonKind | undefined {
  if (hostPlatform === 'win32' || settings?.path_prefix) return 'vm-on-windows';
  if (settings?.host?.startsWith('unix://')) return 'linux';
  return undefined;
}
