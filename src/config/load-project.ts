/**
 * The loader's public entry: compose files → Project. (Stub; the config pipeline fills it in.)
 */
import type { Project } from '../model/project.js';
import type { ConfigIssue } from '../errors.js';

export interface LoadOptions {
  /** -f paths as given (relative to cwd); empty = discover in projectDirectory or cwd. */
  readonly files: readonly string[];
  readonly projectName?: string;
  readonly projectDirectory?: string;
  readonly envFiles: readonly string[];
  readonly profiles: readonly string[];
  /** The process environment (injected: the pure core never reads process.env). */
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Skip `${VAR}` interpolation (config --no-interpolate). */
  readonly interpolate?: boolean;
  /** CLI overrides for daemon endpoints (strongest). */
  readonly daemonOverrides?: {
    readonly windowsHost?: string;
    readonly linuxHost?: string;
    readonly windowsContext?: string;
    readonly linuxContext?: string;
  };
  /** Host OS, for defaults (npipe endpoints on win32). */
  readonly hostPlatform?: NodeJS.Platform;
}

export interface LoadResult {
  readonly project: Project;
  /** Warnings (lint, deprecated keys); errors are thrown as one ConfigError. */
  readonly warnings: readonly ConfigIssue[];
}

/** Loads and validates; throws ConfigError with every problem found. */
export async function loadProject(_options: LoadOptions): Promise<LoadResult> {
  throw new Error('not implemented yet');
}
