/**
 * A cache of loaded projects (issue 9: a second `up` with nothing changed parsed and checked the
 * same files again, some 60 ms of CPU with the yaml parser's own loading).
 *
 * Why it is sound: the pipeline (load-pipeline.ts) is a pure function of its options, the process
 * variables it reads and the answers of its file system (ConfigFileSystem: every read and every
 * "what is at this path" goes through it). A load through the cache records each question it asked,
 * in order, with a digest of the answer, and the names of the variables it read (VariableReads,
 * project-environment.ts). A later load with the same options (the cache key) and the same values of
 * those variables asks the same questions again, in the same order, and takes the stored result only
 * when every answer is the same: the pipeline would then ask the same questions and compute the same
 * result. A load that listed the environment's names depends on every variable: its entry keeps a
 * digest of them all. Anything else (another answer, a damaged entry, a result that JSON cannot carry
 * exactly) runs the pipeline; the cache never changes an answer.
 *
 * What is stored: the result without the project's `environment` (the env files with the whole
 * process environment on top: made again at a hit from the running process, project-environment.ts),
 * the questions with digests of the answers, the names of the variables read and a digest of their
 * values. Failed loads are not stored (their errors are cheap to find again and must always be current).
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Project } from '../model/project.js';
import type { LoadOptions, LoadResult } from './load-project.js';
import { nodeFileSystem, type ConfigFileSystem } from './read-files.js';
import { newVariableReads, projectEnvironment, type VariableReads } from './project-environment.js';

/** Where entries are kept (the CLI: one file per key under the user's cache directory, read-files.ts). */
export interface ProjectCacheStore {
  /** The text stored under `key`, if any. */
  read(key: string): string | undefined;
  /** Stores `text` under `key` (a failure to store is the store's to swallow). */
  write(key: string, text: string): void;
}

/** One question the pipeline asked its file system, with (a digest of) the answer. */
type Question = readonly ['text' | 'kind' | 'encoding', string, string | null];

interface Entry {
  readonly format: typeof FORMAT;
  /** The variables the load read (null: it listed them all, so it depends on every one). */
  readonly variables: readonly string[] | null;
  /** Digest of those variables' values (of every defined variable for null). */
  readonly environment: string;
  readonly questions: readonly Question[];
  /** The result, with `project.environment` null (made again at a hit). */
  readonly result: { readonly project: Omit<Project, 'environment'> & { environment: null }; readonly warnings: LoadResult['warnings'] };
}

const FORMAT = 2;

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** The cache key: every option but the environment (its digest is checked apart), the file system and the caches. */
export function projectCacheKey(options: LoadOptions): string {
  const { environment: _environment, fileSystem: _fileSystem, validityCache: _validity, projectCache: _projects, variableReads: _reads, ...rest } = options;
  return digest(JSON.stringify(rest));
}

/** Digest of the values of `names` in `environment` (of every defined variable when names is null). */
function environmentDigest(environment: LoadOptions['environment'], names: readonly string[] | null): string {
  const keys = names ?? Object.keys(environment).filter((k) => environment[k] !== undefined).sort();
  return digest(JSON.stringify(keys.map((k) => [k, environment[k] ?? null])));
}

/** The variables an entry keys on: the names read, sorted, or null (every variable). */
function keyedVariables(reads: VariableReads): string[] | null {
  return reads.all ? null : [...reads.names].sort();
}

/** The answer to one question, as stored: a digest of a file's text, a kind, an encoding problem. */
function answer(fs: ConfigFileSystem, kind: Question[0], path: string): string | null {
  if (kind === 'text') {
    const text = fs.readText(path);
    return text === undefined ? null : digest(text);
  }
  if (kind === 'kind') return fs.kind(path) ?? null;
  const problem = fs.encodingProblem?.(path);
  return problem ? JSON.stringify(problem) : null;
}

/** `fs`, noting each question it is asked (and a digest of its answer) in `questions`. */
function recording(fs: ConfigFileSystem, questions: Question[]): ConfigFileSystem {
  return {
    readText(file) {
      const text = fs.readText(file);
      questions.push(['text', file, text === undefined ? null : digest(text)]);
      return text;
    },
    kind(p) {
      const kind = fs.kind(p);
      questions.push(['kind', p, kind ?? null]);
      return kind;
    },
    ...(fs.encodingProblem
      ? {
          encodingProblem(file: string) {
            const problem = fs.encodingProblem!(file);
            questions.push(['encoding', file, problem ? JSON.stringify(problem) : null]);
            return problem;
          },
        }
      : {}),
  };
}

/**
 * The result an entry holds, with the project's environment made again as the pipeline makes it
 * (env files, the running process's variables on top); undefined if that fails now.
 */
function resultOf(entry: Entry, options: LoadOptions, fs: ConfigFileSystem): LoadResult | undefined {
  const project = entry.result.project as unknown as Record<string, unknown>;
  let failed = false;
  const input = { fs, environment: options.environment, envFiles: options.envFiles, projectDir: project.workingDir as string, cwd: options.cwd, display: (f: string) => f };
  const environment = projectEnvironment(input, () => (failed = true));
  if (failed) return undefined;
  // Assigned in place: the key keeps its place among the project's keys.
  project.environment = environment;
  return { project: project as unknown as Project, warnings: entry.result.warnings };
}

/** The stored result when `text` is an entry whose variables and answers are all as they are now. */
function hit(text: string | undefined, options: LoadOptions, fs: ConfigFileSystem): LoadResult | undefined {
  if (text === undefined) return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse(text) as Entry;
  } catch {
    return undefined;
  }
  if (entry?.format !== FORMAT || !Array.isArray(entry.questions)) return undefined;
  if (entry.variables !== null && !Array.isArray(entry.variables)) return undefined;
  if (entry.environment !== environmentDigest(options.environment, entry.variables)) return undefined;
  for (const [kind, path, stored] of entry.questions) if (answer(fs, kind, path) !== stored) return undefined;
  return resultOf(entry, options, fs);
}

/** The entry for a fresh result, or undefined when JSON cannot give it back exactly. */
function entryFor(result: LoadResult, questions: readonly Question[], reads: VariableReads, options: LoadOptions, fs: ConfigFileSystem): string | undefined {
  const variables = keyedVariables(reads);
  const entry: Entry = {
    format: FORMAT,
    variables,
    environment: environmentDigest(options.environment, variables),
    questions,
    result: { project: { ...result.project, environment: null }, warnings: result.warnings },
  };
  const text = JSON.stringify(entry);
  // What a hit would give back must be this very result (an undefined, a NaN or a class would not survive JSON).
  const back = resultOf(JSON.parse(text) as Entry, options, fs);
  return back && isDeepStrictEqual(back, result) && JSON.stringify(back) === JSON.stringify(result) ? text : undefined;
}

/**
 * Loads through `store`: the stored result when every input is as it was, else `fresh(options)`
 * (whose result is then stored). Errors of `fresh` pass through and are never stored.
 */
export async function cachedLoad(options: LoadOptions, store: ProjectCacheStore, fresh: (options: LoadOptions) => Promise<LoadResult>): Promise<LoadResult> {
  const key = projectCacheKey(options);
  const fs = options.fileSystem ?? nodeFileSystem;
  const stored = hit(store.read(key), options, fs);
  if (stored) return stored;
  const questions: Question[] = [];
  const reads = newVariableReads();
  const result = await fresh({ ...options, fileSystem: recording(fs, questions), variableReads: reads });
  const text = entryFor(result, questions, reads, options, fs);
  if (text !== undefined) store.write(key, text);
  return result;
}
