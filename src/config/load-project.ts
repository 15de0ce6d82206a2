/**
 * The loader's public entry: compose files → Project.
 *
 * The pipeline (load-pipeline.ts: parse, interpolate, schema, canonical form, merge, rules) is a pure
 * function of the options, the environment and what it reads. With a project cache (the CLI keeps
 * one, project-cache.ts) a load whose inputs are all as they were answers from the cache: the
 * pipeline and its yaml parser are then not even imported (issue 9: a second `up` with nothing
 * changed spent some 60 ms of CPU here, about a fifth of the process).
 */
import type { Project } from '../model/project.js';
import type { ConfigIssue } from '../errors.js';
import type { ConfigFileSystem } from './read-files.js';
import type { ValidityCache } from './schema-validity.js';
import { cachedLoad, type ProjectCacheStore } from './project-cache.js';
import type { VariableReads } from './project-environment.js';

export type { ConfigFileSystem } from './read-files.js';
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
  /** File access (default: the real file system). Tests pass memoryFileSystem(...). */
  readonly fileSystem?: ConfigFileSystem;
  /** Skip the JSON Schema check (not recommended; for tools that validate separately). */
  readonly skipSchema?: boolean;
  /**
   * Digests of models the schema found valid (schema-validity.ts): a model found there is not
   * checked again. The CLI keeps one in the user's cache directory; without it every file is checked.
   */
  readonly validityCache?: ValidityCache;
  /**
   * Earlier loads' results with what they read (project-cache.ts): a load whose inputs are all
   * unchanged is answered from it. Without it every load runs the pipeline.
   */
  readonly projectCache?: ProjectCacheStore;
  /**
   * Notes which variables of `environment` the load reads (the project cache passes one, to key its
   * entry on those variables only; project-environment.ts).
   */
  readonly variableReads?: VariableReads;
}

export interface LoadResult {
  readonly project: Project;
  /** Warnings (lint, deprecated keys); errors are thrown as one ConfigError. */
  readonly warnings: readonly ConfigIssue[];
}

/** Loads and validates; throws ConfigError with every problem found. */
export async function loadProject(options: LoadOptions): Promise<LoadResult> {
  const fresh = async (o: LoadOptions) => (await import('./load-pipeline.js')).loadProjectFresh(o);
  return options.projectCache ? cachedLoad(options, options.projectCache, fresh) : fresh(options);
}
