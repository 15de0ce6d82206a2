/**
 * The project's environment (the variables interpolation and bare `environment: [KEY]` entries see):
 * the env files (`.env` in the project directory, or the --env-file list), with the process
 * environment on top, as docker compose v2 makes it.
 *
 * Apart from the pipeline (load-pipeline.ts) because the project cache (project-cache.ts) makes it
 * again at a hit, from the running process's environment: it imports no yaml parser.
 *
 * Also here: which variables a load reads (VariableReads). The project cache keys an entry on those
 * variables only, so a run from another shell (another SHLVL, `_`, OLDPWD) is still answered from it.
 */
import * as path from 'node:path';
import { EnvFileError, parseEnvFile } from './env-file.js';
import type { ConfigFileSystem } from './read-files.js';
import type { SourcePosition } from '../model/project.js';

type Environment = Readonly<Record<string, string | undefined>>;

/** The variables a load read by name; `all` once anything listed the environment's names. */
export interface VariableReads {
  readonly names: Set<string>;
  all: boolean;
}

export function newVariableReads(): VariableReads {
  return { names: new Set(), all: false };
}

/**
 * `environment` as seen by a load that notes what it reads in `reads`: every name asked (a get, an
 * `in`) is noted; listing the names (keys, entries, a spread) notes that everything was read.
 */
export function trackedEnvironment<T extends Environment>(environment: T, reads: VariableReads | undefined): T {
  if (!reads) return environment;
  return new Proxy(environment, {
    get(target, name, receiver) {
      if (typeof name === 'string') reads.names.add(name);
      return Reflect.get(target, name, receiver) as unknown;
    },
    has(target, name) {
      if (typeof name === 'string') reads.names.add(name);
      return Reflect.has(target, name);
    },
    getOwnPropertyDescriptor(target, name) {
      if (typeof name === 'string') reads.names.add(name);
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
    ownKeys(target) {
      reads.all = true;
      return Reflect.ownKeys(target);
    },
  });
}

/** Where a file read is not UTF-8 (bytes the reader turned into U+FFFD), as a message with its place. */
export function encodingProblem(ctx: { readonly fs: ConfigFileSystem }, file: string): { message: string; line: number; col: number } | undefined {
  const problem = ctx.fs.encodingProblem?.(file);
  if (!problem) return undefined;
  const hex = problem.byte.toString(16).toUpperCase().padStart(2, '0');
  return { ...problem, message: `byte 0x${hex} at line ${problem.line}, column ${problem.col} is not UTF-8; save the file as UTF-8` };
}

export interface ProjectEnvironmentInput {
  readonly fs: ConfigFileSystem;
  /** The process environment, as given (its names are listed here: not through a tracked view). */
  readonly environment: Environment;
  /** --env-file paths as given (relative to cwd); empty: `.env` in the project directory. */
  readonly envFiles: readonly string[];
  readonly projectDir: string;
  readonly cwd: string;
  /** Notes the process variables the env files read (a bare `KEY`, a `${VAR}`). */
  readonly reads?: VariableReads;
  /** How a file is named in messages. */
  display(file: string): string;
}

/** The env files, then the process environment on top; each problem of an env file goes to `report`. */
export function projectEnvironment(input: ProjectEnvironmentInput, report: (message: string, at?: SourcePosition) => void): Record<string, string> {
  const { fs, envFiles: given, reads } = input;
  const processEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.environment)) if (v !== undefined) processEnv[k] = v;
  const fromProcess = (name: string): string | undefined => {
    reads?.names.add(name);
    return processEnv[name];
  };
  const fromFiles: Record<string, string> = {};
  const envFiles = given.length > 0 ? given.map((f) => path.resolve(input.cwd, f)) : [path.join(input.projectDir, '.env')];
  for (const file of envFiles) {
    const text = fs.readText(file);
    if (text === undefined) {
      if (given.length > 0) report(`env file not found: ${input.display(file)}`);
      continue;
    }
    const notUtf8 = encodingProblem(input, file);
    if (notUtf8) {
      report(`invalid env file: ${notUtf8.message}`, { file: input.display(file), line: notUtf8.line, col: notUtf8.col });
      continue;
    }
    try {
      for (const line of parseEnvFile(text, (n) => fromProcess(n) ?? fromFiles[n])) {
        const value = line.value ?? fromProcess(line.key);
        if (value !== undefined) fromFiles[line.key] = value;
      }
    } catch (error) {
      const line = error instanceof EnvFileError ? error.line : 1;
      report(`invalid env file: ${(error as Error).message}`, { file: input.display(file), line, col: 1 });
    }
  }
  return { ...fromFiles, ...processEnv };
}
