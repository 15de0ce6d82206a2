/**
 * Where the docker CLI keeps its configuration ($DOCKER_CONFIG, else ~/.docker) and how it names a
 * context's directory there, shared by endpoint resolution and discovery.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PlanError } from '../errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * A daemon endpoint that cannot be used as written (bad address, unknown context, unreadable TLS
 * files): invalid input, so a PlanError (exit 1 with the message, never an internal error).
 */
export class EndpointError extends PlanError {}

/** sha256 hex of a context name: the directory name docker uses under contexts/meta and contexts/tls. */
export function contextDirectoryName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: Env): string {
  return env.DOCKER_CONFIG || join(env.HOME || env.USERPROFILE || homedir(), '.docker');
}
