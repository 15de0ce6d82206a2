/** `cp` as a library call: files between this machine and a service's container, on its daemon. */
import { copyFiles, type CopyDone, type CopyIo, type CopySpec } from '../engine/copy.js';
import { checkServiceNames } from '../plan/dependencies.js';
import { withDaemons, type CallOptions, type Stack } from './stack.js';

export interface CopyOptions extends CallOptions, CopyIo {
  /** Find the containers and say what would be copied; copy nothing. */
  readonly dryRun?: boolean;
}

/**
 * Copies as `mixcompose cp` does (see CopySpec: direction, service, containerPath, hostPath,
 * index, followLink, copyUidGid); resolves with one entry per container copied to or from.
 */
export async function copy(stack: Stack, spec: CopySpec, options: CopyOptions = {}): Promise<CopyDone[]> {
  checkServiceNames(stack.project, [spec.service]);
  return withDaemons(stack, options, (daemons) =>
    copyFiles(stack.project, daemons, spec, { ...(options.stdin ? { stdin: options.stdin } : {}), ...(options.stdout ? { stdout: options.stdout } : {}) }, { ...(options.dryRun ? { dryRun: true } : {}) }),
  );
}
