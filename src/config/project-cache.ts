/**
 * A cache of loaded projects (issue 9: a second `up` with nothing changed parsed and checked the
 * same files again, some 60 ms of CPU with the yaml parser's own loading).
 *
 * Why it is sound: the pipeline (load-pipeline.ts) is a pure function of its options, the process
 * environment and the answers of its file system (ConfigFileSystem: every read and every "what is
 * at this path" goes through it). A load through the cache records each question it asked, in
 * order, with a digest of the answer. A later load with the same options (the cache key) and the
 * same environment (a digest of every variable) asks the same questions again, in the same order,
 * and takes the stored result only when every answer is the same: the pipeline would then ask the
 * same questions and compute the same result. Anything else (another answer, a damaged entry, a
 * result that JSON cannot carry exactly) runs the pipeline; the cache never changes an answer.
 *
 * What is stored: the result without the project's `environment` (the whole process environment:
 * it is rebuilt from the running process, only the variables that came from env files are kept),
 * the questions with digests of the answers, and a digest of the environment. Failed loads are not
 * stored (their errors are cheap to find again and must always be current).
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Project } from '../model/project.js';
import type { LoadOptions, LoadResult } from './load-project.js';
import { nodeFileSystem, type ConfigFileSystem } from './read-files.js';

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
  /** Digest of the process environment's defined variables. */
  readonly environment: string;
  readonly questions: readonly Question[];
  /** The project's `environment`: its keys in order, and the values that are not the process's. */
  readonly environmentKeys: readonly string[];
  readonly fileVariables: Readonly<Record<string, string>>;
  /** The result, with `project.environment` null (rebuilt at a hit). */
  readonly result: { readonly project: Omit<Project, 'environment'> & { environment: null }; readonly warnings: LoadResult['warnings'] };
}

const FORMAT = 1;

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** The cache key: every option but the environment (its digest is checked apart), the file system and the caches. */
export function projectCacheKey(options: LoadOptions): string {
  const { environment: _environment, fileSystem: _fileSystem, validityCache: _validity, projectCache: _projects, ...rest } = options;
  return digest(JSON.stringify(rest));
}

/** The process environment's defined variables (what the pipeline takes from it), sorted. */
function definedVariables(environment: LoadOptions['environment']): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const key of Object.keys(environment).sort()) {
    const value = environment[key];
    if (value !== undefined) defined[key] = value;
  }
  return defined;
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

/** The result an entry holds, with the environment rebuilt from the running process's. */
function resultOf(entry: Entry, variables: Readonly<Record<string, string>>): LoadResult {
  const environment: Record<string, string> = {};
  for (const key of entry.environmentKeys) environment[key] = variables[key] ?? entry.fileVariables[key]!;
  // Assigned in place: the key keeps its place among the project's keys.
  const project = entry.result.project as unknown as Record<string, unknown>;
  project.environment = environment;
  return { project: project as unknown as Project, warnings: entry.result.warnings };
}

/** The stored result when `text` is an entry whose environment and answers are all as they are now. */
function hit(text: string | undefined, fs: ConfigFileSystem, variables: Readonly<Record<string, string>>, environmentDigest: string): LoadResult | undefined {
  if (text === undefined) return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse(text) as Entry;
  } catch {
    return undefined;
  }
  if (entry?.format !== FORMAT || entry.environment !== environmentDigest || !Array.isArray(entry.questions)) return undefined;
  for (const [kind, path, stored] of entry.questions) if (answer(fs, kind, path) !== stored) return undefined;
  return resultOf(entry, variables);
}

/** The entry for a fresh result, or undefined when JSON cannot give it back exactly. */
function entryFor(result: LoadResult, questions: readonly Question[], variables: Readonly<Record<string, string>>, environmentDigest: string): string | undefined {
  const { environment } = result.project;
  const fileVariables: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) if (variables[key] !== value) fileVariables[key] = value;
  const entry: Entry = {
    format: FORMAT,
    environment: environmentDigest,
    questions,
    environmentKeys: Object.keys(environment),
    fileVariables,
    result: { project: { ...result.project, environment: null }, warnings: result.warnings },
  };
  const text = JSON.stringify(entry);
  // What a hit would give back must be this very result (an undefined, a NaN or a class would not survive JSON).
  const back = resultOf(JSON.parse(text) as Entry, variables);
  return isDeepStrictEqual(back, result) && JSON.stringify(back) === JSON.stringify(result) ? text : undefined;
}

/**
 * Loads through `store`: the stored result when every input is as it was, else `fresh(options)`
 * (whose result is then stored). Errors of `fresh` pass through and are never stored.
 */
export async function cachedLoad(options: LoadOptions, store: ProjectCacheStore, fresh: (options: LoadOptions) => Promise<LoadResult>): Promise<LoadResult> {
  const key = projectCacheKey(options);
  const fs = options.fileSystem ?? nodeFileSystem;
  const variables = definedVariables(options.environment);
  const environmentDigest = digest(JSON.stringify(variables));
  const stored = hit(store.read(key), fs, variables, environmentDigest);
  if (stored) return stored;
  const questions: Question[] = [];
  const result = await fresh({ ...options, fileSystem: recording(fs, questions) });
  const text = entryFor(result, questions, variables, environmentDigest);
  if (text !== undefined) store.write(key, text);
  return result;
}
