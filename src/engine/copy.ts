/**
 * `cp` between this machine and a service's container, on whichever daemon runs it, through the
 * Engine API's archive endpoints (HEAD/GET/PUT /containers/{id}/archive), with docker cp's rules:
 * - into an existing directory, the source keeps its name (`a.txt` → `DEST/a.txt`);
 * - onto a missing path or an existing file, it takes the destination's name (a directory onto a
 *   file is refused; `DEST/` that does not exist is refused for a file);
 * - `SRC/.` copies the directory's contents; `-` is a tar on stdin / stdout;
 * - `-L` follows SRC when it is a symlink (the copy keeps the link's name).
 * A Windows container's paths may be written `C:\data\x` (or `C:/data/x`): the archive endpoints
 * take them as `/data/x` (a Windows daemon puts that on its system drive, the only one it copies to).
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import * as hostPath from 'node:path';
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack, type Headers } from 'tar-fs';
import { PlanError, UsageError } from '../errors.js';
import type { Project } from '../model/project.js';
import type { ArchiveClient, ContainerPathStat } from './daemon-client.js';
import type { Daemons } from './apply.js';
import { projectContainers, type PlacedContainer } from './project-containers.js';

/** Which way, which service, which paths: what `cp SERVICE:SRC DEST` / `cp SRC SERVICE:DEST` say. */
export interface CopySpec {
  readonly direction: 'from-container' | 'to-container';
  readonly service: string;
  /** The path in the container as given (`/etc/x`, `C:\data\x`). */
  readonly containerPath: string;
  /** The path on this machine, or `-` (a tar on stdout / stdin). */
  readonly hostPath: string;
  /** Replica (1-based). Without it: from the first container, to every container of the service. */
  readonly index?: number;
  /** -L: follow SRC when it is a symlink. */
  readonly followLink?: boolean;
  /** -a: keep the files' uid/gid (into a container). */
  readonly copyUidGid?: boolean;
}

export interface CopyIo {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
}

/** One copy done (or, with dryRun, to be done). */
export interface CopyDone {
  readonly container: string;
  readonly daemon: string;
  /** "./a.txt → shop-web-1:/tmp/a.txt" */
  readonly description: string;
}

const DIR_MODE = 2 ** 31;
const SYMLINK_MODE = 2 ** 27;
const hasBit = (mode: number, bit: number) => Math.floor(mode / bit) % 2 === 1;
export const isDirectoryStat = (s: ContainerPathStat) => hasBit(s.mode, DIR_MODE);
const isSymlinkStat = (s: ContainerPathStat) => hasBit(s.mode, SYMLINK_MODE);

/**
 * A container path as the archive endpoints take it. For a Windows container `C:\data\x` and
 * `C:/data/x` become `/data/x`; a drive other than C: is refused (the daemon copies on its system
 * drive only). A relative path is relative to the container's root, as docker cp has it.
 */
export function archivePathFor(path: string, windows: boolean): string {
  let rest = path;
  if (windows) {
    const drive = /^(\p{L}):(.*)$/su.exec(path);
    if (drive) {
      if (drive[1]!.toUpperCase() !== 'C') throw new UsageError(`${path}: a Windows container's files can be copied on its system drive (C:) only`);
      rest = drive[2]!;
    }
    rest = rest.replace(/\\/g, '/');
  }
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** Renames the archive's top entry `from` (and what is under it) to `to`; `.` as `from` is a directory's contents. */
export function rebaseEntry(name: string, from: string, to: string): string {
  const clean = name.replace(/\/+$/, '');
  if (from === '.') {
    if (clean === '.' || clean === '') return to;
    return `${to}/${clean.replace(/^\.\//, '')}`;
  }
  if (clean === from) return to;
  if (clean.startsWith(`${from}/`)) return `${to}${clean.slice(from.length)}`;
  return clean;
}

/** The containers a copy acts on: with --index that replica, else the first (from) or all (to). */
export function copyTargets(containers: readonly PlacedContainer[], spec: Pick<CopySpec, 'service' | 'index' | 'direction'>): PlacedContainer[] {
  const replicas = containers.filter((c) => c.container.service === spec.service && !c.container.oneoff).sort((a, b) => a.container.number - b.container.number);
  if (!replicas.length) throw new PlanError(`no container found for service "${spec.service}" (create it with: mixcompose up -d ${spec.service})`, spec.service);
  if (spec.index !== undefined) {
    const found = replicas.find((c) => c.container.number === spec.index);
    if (!found) throw new PlanError(`service ${spec.service} has no container with index ${spec.index} (there are: ${replicas.map((c) => c.container.number).join(', ')})`, spec.service);
    return [found];
  }
  return spec.direction === 'from-container' ? [replicas[0]!] : replicas;
}

function archiveOf(target: PlacedContainer): ArchiveClient {
  const c = target.client;
  if (!c.statContainerPath || !c.archiveFrom || !c.archiveTo) throw new PlanError(`cp: the client of the ${target.daemon} daemon cannot copy files`);
  return c as ArchiveClient;
}

function describe(spec: CopySpec, target: PlacedContainer): string {
  const inContainer = `${target.container.name}:${spec.containerPath}`;
  const host = spec.hostPath === '-' ? (spec.direction === 'from-container' ? 'stdout' : 'stdin') : spec.hostPath;
  return spec.direction === 'from-container' ? `${inContainer} → ${host}` : `${host} → ${inContainer}`;
}

/**
 * Copies between this machine and the service's container(s). The project's service names are
 * the caller's to check; `dryRun` finds the containers and returns what would be copied.
 */
export async function copyFiles(project: Project, daemons: Daemons, spec: CopySpec, io: CopyIo = {}, options: { dryRun?: boolean } = {}): Promise<CopyDone[]> {
  const containers = await projectContainers(project.name, daemons, { services: [spec.service], all: true });
  const targets = copyTargets(containers, spec);
  const done: CopyDone[] = [];
  for (const target of targets) {
    if (!options.dryRun) {
      if (spec.direction === 'from-container') await copyFromContainer(target, spec, io);
      else await copyToContainer(target, spec, io);
    }
    done.push({ container: target.container.name, daemon: target.client.label, description: describe(spec, target) });
  }
  return done;
}

/** The stat of a container path, following it when it is a symlink (relative links from its directory). */
async function statFollowing(archive: ArchiveClient, id: string, path: string): Promise<{ path: string; stat: ContainerPathStat | undefined }> {
  const found = await archive.statContainerPath(id, path);
  if (!found || !isSymlinkStat(found) || !found.linkTarget) return { path, stat: found };
  const target = posix.isAbsolute(found.linkTarget) ? found.linkTarget : posix.join(posix.dirname(path), found.linkTarget);
  return { path: target, stat: await archive.statContainerPath(id, target) };
}

async function localStat(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function copyFromContainer(target: PlacedContainer, spec: CopySpec, io: CopyIo): Promise<void> {
  const archive = archiveOf(target);
  const id = target.container.id;
  const asked = archivePathFor(spec.containerPath, target.daemon === 'windows');
  let source = asked;
  let keepName: string | undefined;
  if (spec.followLink) {
    const followed = await statFollowing(archive, id, asked);
    if (followed.path !== asked) keepName = posix.basename(asked);
    source = followed.path;
  }
  const got = await archive.archiveFrom(id, source);
  if (!got) throw new PlanError(`${spec.service}: no such file or directory in container ${target.container.name}: ${spec.containerPath}`, spec.service);
  if (spec.hostPath === '-') {
    if (!io.stdout) throw new UsageError('cp: no stdout to write the archive to');
    await pipeline(got.tar, io.stdout, { end: false });
    return;
  }
  const root = posix.basename(source);
  const sourceIsDir = isDirectoryStat(got.stat);
  const dest = await localStat(spec.hostPath);
  let into: string;
  let name: string;
  if (dest?.isDirectory()) {
    into = spec.hostPath;
    name = keepName ?? root;
  } else {
    if (dest && sourceIsDir) throw new UsageError(`cp: cannot copy the directory ${spec.containerPath} onto the file ${spec.hostPath}`);
    if (!dest && !sourceIsDir && /[\\/]$/.test(spec.hostPath)) throw new UsageError(`cp: the destination directory ${spec.hostPath} does not exist`);
    into = hostPath.dirname(spec.hostPath);
    name = hostPath.basename(spec.hostPath);
    if (!(await localStat(into))?.isDirectory()) throw new UsageError(`cp: the destination's directory ${into} does not exist`);
  }
  // No chown (docker cp neither), modes as archived.
  const sink = extract(into, { map: (h: Headers) => ({ ...h, name: rebaseEntry(h.name, root, name) }), chown: false, umask: 0 } as Parameters<typeof extract>[1]);
  await pipeline(got.tar, sink);
}

async function copyToContainer(target: PlacedContainer, spec: CopySpec, io: CopyIo): Promise<void> {
  const archive = archiveOf(target);
  const id = target.container.id;
  const dest = await statFollowing(archive, id, archivePathFor(spec.containerPath, target.daemon === 'windows'));
  const destIsDir = dest.stat !== undefined && isDirectoryStat(dest.stat);
  const copyOptions = spec.copyUidGid ? { copyUidGid: true } : {};
  if (spec.hostPath === '-') {
    if (!destIsDir) throw new UsageError(`cp: the destination ${spec.containerPath} must be a directory in ${target.container.name} to unpack a tar from stdin`);
    if (!io.stdin) throw new UsageError('cp: no stdin to read the archive from');
    await archive.archiveTo(id, dest.path, io.stdin, copyOptions);
    return;
  }
  const asked = spec.hostPath;
  const source = spec.followLink ? await realpath(asked).catch(() => asked) : asked;
  const sourceStat = await lstat(source).catch(() => undefined);
  if (!sourceStat) throw new UsageError(`cp: no such file or directory: ${asked}`);
  const root = hostPath.basename(source);
  let into: string;
  let name: string;
  if (destIsDir) {
    into = dest.path;
    name = spec.followLink ? hostPath.basename(asked) : root;
  } else {
    if (dest.stat && sourceStat.isDirectory()) throw new UsageError(`cp: cannot copy the directory ${asked} onto the file ${spec.containerPath} in ${target.container.name}`);
    if (!dest.stat && !sourceStat.isDirectory() && /[\\/]$/.test(spec.containerPath)) {
      throw new UsageError(`cp: the destination directory ${spec.containerPath} does not exist in ${target.container.name}`);
    }
    into = posix.dirname(dest.path);
    name = posix.basename(dest.path);
    const parent = await archive.statContainerPath(id, into);
    if (!parent || !isDirectoryStat(parent)) throw new PlanError(`${spec.service}: no such directory in container ${target.container.name}: ${into}`, spec.service);
  }
  const tar = pack(hostPath.dirname(source), {
    entries: [root],
    umask: 0,
    map: (h: Headers) => ({ ...h, name: rebaseEntry(h.name, root, name) }),
  } as Parameters<typeof pack>[1]);
  await archive.archiveTo(id, into, tar as unknown as Readable, copyOptions);
}
