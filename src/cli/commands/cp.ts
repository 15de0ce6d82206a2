/**
 * `mixcompose cp [--index N] [-a] [-L] SERVICE:SRC DEST` and `cp SRC SERVICE:DEST`: files between
 * this machine and a service's container, through the daemon that runs it (engine/copy.ts).
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { copyFiles, type CopySpec } from '../../engine/copy.js';
import { withSession } from './session.js';
import { positiveInteger } from './option-parsers.js';

interface CpFlags {
  index?: number;
  archive?: boolean;
  followLink?: boolean;
  dryRun?: boolean;
}

/**
 * `SERVICE:PATH` → the service and its path; a local path otherwise: `-`, one that starts with
 * `/` or `.`, one without a colon, and on a Windows host a drive path (`C:\x`), as docker cp reads it.
 */
export function splitCpArg(arg: string, hostPlatform: NodeJS.Platform): { service?: string; path: string } {
  if (arg === '-' || arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  if (hostPlatform === 'win32' && /^\p{L}:[\\/]/u.test(arg)) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0) return { path: arg };
  return { service: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** The two arguments as a copy: exactly one of them names a service. */
export function parseCpArgs(source: string, destination: string, flags: Pick<CpFlags, 'index' | 'archive' | 'followLink'>, hostPlatform: NodeJS.Platform): CopySpec {
  const src = splitCpArg(source, hostPlatform);
  const dst = splitCpArg(destination, hostPlatform);
  if (src.service !== undefined && dst.service !== undefined) throw new UsageError('cp: copying between containers is not supported; copy to this machine first');
  const inContainer = src.service !== undefined ? src : dst;
  if (inContainer.service === undefined) throw new UsageError('cp: one of SRC and DEST must be SERVICE:PATH');
  if (inContainer.service === '') throw new UsageError(`cp: ${src.service !== undefined ? source : destination}: the service name before ":" is empty`);
  if (inContainer.path === '') throw new UsageError(`cp: ${src.service !== undefined ? source : destination}: the path after ":" is empty`);
  const local = src.service !== undefined ? dst : src;
  if (local.path === '') throw new UsageError('cp: the local path is empty');
  return {
    direction: src.service !== undefined ? 'from-container' : 'to-container',
    service: inContainer.service,
    containerPath: inContainer.path,
    hostPath: local.path,
    ...(flags.index !== undefined ? { index: flags.index } : {}),
    ...(flags.followLink ? { followLink: true } : {}),
    ...(flags.archive ? { copyUidGid: true } : {}),
  };
}

export function registerCp(program: Command): void {
  program
    .command('cp')
    .description("Copy files between a service's container and this machine (on the service's daemon)")
    .argument('<source>', 'SERVICE:SRC_PATH, or a local path (- for a tar on stdin)')
    .argument('<destination>', 'a local path (- for a tar on stdout), or SERVICE:DEST_PATH')
    .addOption(new Option('--index <n>', 'replica of the service (1-based; default: from the first, to all)').argParser(positiveInteger))
    .option('-a, --archive', 'keep uid/gid of the files (into a container)')
    .option('-L, --follow-link', 'follow SRC when it is a symbolic link')
    .option('--dry-run', 'say what would be copied, copy nothing')
    .action(async (source: string, destination: string, flags: CpFlags, command: Command) => {
      const spec = parseCpArgs(source, destination, flags, process.platform);
      const done = await withSession(
        command,
        (session) => copyFiles(session.project, session.daemons, spec, { stdin: process.stdin, stdout: process.stdout }, { ...(flags.dryRun ? { dryRun: true } : {}) }),
        { progress: 'quiet', services: [spec.service] },
      );
      // stdout may carry the tar (DEST -): what was copied goes to stderr.
      for (const d of done) process.stderr.write(flags.dryRun ? `would copy ${d.description} on ${d.daemon}\n` : `copied ${d.description} (${d.daemon})\n`);
    });
}
