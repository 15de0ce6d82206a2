/**
 * The loader's pipeline: compose files → Project (load-project.ts is the public entry, which asks
 * its cache first and imports this module, with the yaml parser, only when the cache cannot answer).
 *
 * Pipeline, per file: read → parse (positions kept) → interpolate → schema check → canonical form
 * (short → long syntax, relative paths resolved) → extends → include; then the files are merged in
 * order, profiles applied, services normalized, `x-mixcompose` resolved and the semantic rules run.
 * Every problem is collected; if any is an error, one ConfigError carries them all. A schema problem
 * fails its file (the later steps are skipped for it), except one in the project's `x-mixcompose`.
 */
import * as path from 'node:path';
import type { Project, Service } from '../model/project.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { nodeFileSystem, type ConfigFileSystem } from './read-files.js';
import { IssueList } from './issues.js';
import { PositionIndex, isPlainMap, type KeyPath } from './positions.js';
import { parseYamlFile } from './parse-yaml.js';
import { interpolateString, interpolateTree, type VariableLookup } from './interpolate.js';
import { parse as parseYaml } from 'yaml';
import { EnvFileError, parseEnvFile } from './env-file.js';
import { encodingProblem, projectEnvironment, trackedEnvironment } from './project-environment.js';
import { canonicalizeFile } from './canonical.js';
import { mergeValues, stripTags } from './merge.js';
import { normalizeFileObjects, normalizeResources, normalizeService } from './normalize.js';
import { resolveExtension } from './extension.js';
import { discoverFiles, CANDIDATES } from './discover.js';
import { normalizeProjectName, projectNameProblem } from './project-name.js';
import { resolveExtends } from './extends.js';
import { applyIncludes } from './include.js';
import { loadSchemaValidator, SchemaValidatorNeeded, validateAgainstSchema, type SchemaCheck } from './schema.js';
import { checkProject } from './rules.js';
import { selectByProfiles } from './profiles.js';
import { checkServiceValues } from './value-checks.js';
import { checkDaemonAddresses } from './daemon-address-rules.js';
import { castTypedValues } from './typed-values.js';
import { checkExternalResources } from './spec-checks.js';

import type { LoadOptions, LoadResult } from './load-project.js';

/** Shared state of one load: where things were written, and what went wrong. */
export interface LoadContext {
  readonly fs: ConfigFileSystem;
  readonly positions: PositionIndex;
  readonly issues: IssueList;
  readonly options: LoadOptions;
  readonly home: string | undefined;
  /**
   * Files that could not be read, parsed or passed the schema (at any depth: -f, extends, include).
   * With any, the semantic checks are skipped: they would only report what is missing because of it.
   */
  readonly failedFiles: Set<string>;
  /**
   * Key paths below the project's `x-mixcompose` that failed the schema. Such a problem does not
   * fail its file (the extension is read defensively, see extension.ts), so a bad `reach` does not
   * hide the services' problems; the extension's own checks say nothing more at these keys.
   */
  readonly extensionSchemaPaths: KeyPath[];
  /** The schema check's validator (when loaded) and the digests of models known valid. */
  readonly schema: SchemaCheck;
  /** How a file is named in messages (relative to cwd when below it). */
  display(file: string): string;
}

/** One file after parse, interpolation, schema, canonical form, extends and include. */
export interface LoadedFile {
  readonly file: string;
  readonly root: Record<string, unknown>;
  readonly ok: boolean;
  /** May hold `!reset` / `!override` values. */
  readonly tagged: boolean;
}

/**
 * Loads and validates (no cache); throws ConfigError with every problem found.
 *
 * With a validity cache the schema validator is imported only when a file's model is not known
 * valid: the load then stops there, imports it and starts again from the beginning (the loader is
 * synchronous and has no side effects but the issues it collects, which start again too).
 */
export async function loadProjectFresh(options: LoadOptions): Promise<LoadResult> {
  const schema: SchemaCheck = options.validityCache ? { cache: options.validityCache } : { validator: await loadSchemaValidator() };
  for (;;) {
    const issues = new IssueList();
    let project: Project | undefined;
    try {
      project = loadInto(options, issues, schema);
    } catch (error) {
      if (error instanceof SchemaValidatorNeeded && !schema.validator) {
        schema.validator = await loadSchemaValidator();
        continue;
      }
      if (error instanceof ConfigError) throw error;
      // A bug of ours must not look like a config problem, but it must not lose the collected ones either.
      if (issues.hasErrors) throw new ConfigError(issues.sorted());
      throw error;
    }
    if (issues.hasErrors || !project) throw new ConfigError(issues.sorted());
    return { project, warnings: issues.sorted().filter((i) => i.severity === 'warning') };
  }
}

/**
 * One pass of the pipeline over `given`: which files, their environment, each file loaded and
 * merged, then the Project built and checked. Every problem goes to `issues`; undefined when a
 * step could not go on (the issues then say why).
 */
function loadInto(given: LoadOptions, issues: IssueList, schema: SchemaCheck): Project | undefined {
  const reads = given.variableReads;
  // Every variable read below is noted for the project cache (project-environment.ts, VariableReads).
  const options: LoadOptions = reads ? { ...given, environment: trackedEnvironment(given.environment, reads) } : given;
  const cwd = path.resolve(options.cwd);
  const ctx = newLoadContext(options, issues, schema, cwd);

  const files = composeFiles(ctx, cwd);
  if (!files) return undefined;
  const projectDir = options.projectDirectory ? path.resolve(cwd, options.projectDirectory) : path.dirname(files[0]!);
  const where: ProjectFiles = { files, projectDir, cwd };
  const env = interpolationEnvironment(ctx, given, where);
  const merged = loadAndMerge(ctx, files, projectDir, env.lookup);
  if (!merged) return undefined;
  return buildProject(ctx, merged, where, env);
}

/** The shared state of one load, with file names shown relative to `cwd` when below it. */
function newLoadContext(options: LoadOptions, issues: IssueList, schema: SchemaCheck, cwd: string): LoadContext {
  return {
    fs: options.fileSystem ?? nodeFileSystem,
    positions: new PositionIndex(),
    issues,
    options,
    home: options.environment.HOME ?? options.environment.USERPROFILE,
    failedFiles: new Set(),
    extensionSchemaPaths: [],
    schema,
    display: (file) => {
      const rel = path.relative(cwd, file);
      return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
    },
  };
}

/**
 * Step 1, which files: `-f` options, else COMPOSE_FILE, else the first candidate found from the
 * project directory up. Undefined (with the problems reported) when none is found, or when one
 * given is `-` or not a file: nothing later could say more.
 */
function composeFiles(ctx: LoadContext, cwd: string): string[] | undefined {
  const { options, issues, fs } = ctx;
  let files = options.files.map((f) => (f === '-' ? f : path.resolve(cwd, f)));
  if (files.length === 0 && options.environment.COMPOSE_FILE) {
    const sep = options.environment.COMPOSE_PATH_SEPARATOR ?? (options.hostPlatform === 'win32' ? ';' : ':');
    files = options.environment.COMPOSE_FILE.split(sep).filter(Boolean).map((f) => path.resolve(cwd, f));
  }
  if (files.length === 0) {
    const found = discoverFiles(options.projectDirectory ? path.resolve(cwd, options.projectDirectory) : cwd, fs);
    if (!found) {
      issues.error(`no compose file found in ${options.projectDirectory ?? cwd} or its parents (looked for ${CANDIDATES.join(', ')})`);
      return undefined;
    }
    files = found;
  }
  for (const f of files) {
    if (f === '-') issues.error('reading the compose file from stdin (-f -) is not supported; pass a path');
    else if (fs.kind(f) !== 'file') issues.error(`compose file not found: ${ctx.display(f)}`);
  }
  return issues.hasErrors ? undefined : files;
}

/** Where the loaded files are and what the pipeline was started from. */
interface ProjectFiles {
  readonly files: string[];
  readonly projectDir: string;
  readonly cwd: string;
}

/** The variables interpolation sees, and how it looks one up. */
interface InterpolationEnvironment {
  /** The project's environment (env files, then the process environment), as the Project keeps it. */
  readonly environment: Record<string, string>;
  /** The same, with every read noted for the project cache when asked. */
  readonly variables: Record<string, string>;
  readonly lookup: VariableLookup;
}

/**
 * Step 2, the environment for interpolation: env files, then the process environment wins. Read
 * from `given` (not the tracked options): projectEnvironment notes its own reads.
 */
function interpolationEnvironment(ctx: LoadContext, given: LoadOptions, where: ProjectFiles): InterpolationEnvironment {
  const { files, projectDir, cwd } = where;
  const reads = given.variableReads;
  const environment = projectEnvironment(
    { fs: ctx.fs, environment: given.environment, envFiles: ctx.options.envFiles, projectDir, cwd, ...(reads ? { reads } : {}), display: ctx.display },
    (message, at) => ctx.issues.error(message, at),
  );
  const variables = trackedEnvironment(environment, reads);
  // Like docker compose v2, `${COMPOSE_PROJECT_NAME}` is the project name even when not set.
  let provisionalName: string | undefined;
  const lookup: VariableLookup = (name) => {
    if (name !== 'COMPOSE_PROJECT_NAME') return variables[name];
    return (provisionalName ??= nameBeforeInterpolation(ctx, files, variables, projectDir));
  };
  return { environment, variables, lookup };
}

/**
 * Step 3, each file loaded, then merged in order. Undefined when any file (at any depth) failed:
 * the files that did load are then not merged, but their services' values are checked all the same.
 * Interpolation, short-syntax and extends problems do not stop here: the semantic checks still run.
 */
function loadAndMerge(ctx: LoadContext, files: readonly string[], projectDir: string, lookup: VariableLookup): Record<string, unknown> | undefined {
  const { positions } = ctx;
  let merged: Record<string, unknown> | undefined;
  const loadedFiles: LoadedFile[] = [];
  for (const file of files) {
    const loaded = loadFile(ctx, file, projectDir, lookup, []);
    if (!loaded.ok) continue;
    loadedFiles.push(loaded);
    merged = merged === undefined ? (loaded.tagged ? (stripTags(loaded.root, positions) as Record<string, unknown>) : loaded.root) : (mergeValues(merged, loaded.root, [], positions) as Record<string, unknown>);
  }
  if (ctx.failedFiles.size > 0 || !merged) {
    for (const loaded of loadedFiles) checkServicesOf(loaded.root, positions, ctx.issues, ctx.options.interpolate === false);
    return undefined;
  }
  return merged;
}

/**
 * Steps 4 and 5, the Project from the merged model: name, `x-mixcompose`, profiles, services
 * normalized, resources; then the semantic rules. The object's keys keep this order (`config`
 * prints it).
 */
function buildProject(ctx: LoadContext, merged: Record<string, unknown>, where: ProjectFiles, env: InterpolationEnvironment): Project {
  const { options, positions, issues } = ctx;
  const name = projectName(ctx, merged, env.variables, where.projectDir);
  checkExternalResources(merged, (message, keyPath) => issues.error(message, positions.locate(merged, keyPath), keyPath));

  const extensionIssues = new IssueList();
  const extension = resolveExtension(merged, options, positions, extensionIssues);
  copyUnreported(extensionIssues, issues, ctx.extensionSchemaPaths);
  const activeProfiles = [...new Set([...options.profiles, ...(env.variables.COMPOSE_PROFILES ?? '').split(',')].map((p) => p.trim()).filter(Boolean))];
  const services = normalizeServices(ctx, merged, extension.default_platform, env.lookup);
  const { enabled, disabled } = selectByProfiles(services, activeProfiles, merged, positions, issues);

  const project: Project = {
    name,
    workingDir: where.projectDir,
    configFiles: where.files,
    services: sortKeys(enabled),
    disabledServices: sortKeys(disabled),
    networks: withDefaultNetwork(normalizeResources(merged.networks, name), enabled, name),
    volumes: normalizeResources(merged.volumes, name),
    secrets: normalizeFileObjects(merged.secrets, name),
    configs: normalizeFileObjects(merged.configs, name),
    ...(isPlainMap(merged.models) ? { models: sortKeys(merged.models) } : {}),
    ...topLevelExtensions(merged),
    extension,
    environment: env.environment,
    profiles: activeProfiles,
  };
  checkProject(project, { root: merged, positions, issues, fs: ctx.fs, ...(options.hostPlatform ? { hostPlatform: options.hostPlatform } : {}) });
  checkDaemonAddresses(project, { root: merged, positions, issues });
  return project;
}

/**
 * Every service of the merged model, value-checked then normalized (long syntax, defaults, env
 * and label files read), in the model's order; entries that are not maps are left out (the
 * schema has reported them).
 */
function normalizeServices(ctx: LoadContext, merged: Record<string, unknown>, defaultOs: Project['extension']['default_platform'], lookup: VariableLookup): Record<string, Service> {
  const { options, positions, issues } = ctx;
  const rawServices = isPlainMap(merged.services) ? merged.services : {};
  const services: Record<string, Service> = {};
  for (const [svcName, raw] of Object.entries(rawServices)) {
    if (!isPlainMap(raw)) continue;
    const problem = serviceProblem(merged, svcName, positions, issues);
    checkServiceValues(raw, problem, options.interpolate === false);
    services[svcName] = normalizeService(svcName, raw, {
      defaultOs,
      lookup,
      problem,
      serviceNames: Object.keys(rawServices),
      uninterpolated: options.interpolate === false,
      readEnvFile: (entry, i) => readServiceEnvFile(ctx, entry, lookup, ['services', svcName, 'env_file', i], merged),
      readLabelFile: (file, i, earlier) => readLabelFile(ctx, file, earlier, ['services', svcName, 'label_file', i], merged),
    });
  }
  return services;
}

/** Reports a problem of service `name` at a key path below it, located in `root`. */
function serviceProblem(root: Record<string, unknown>, name: string, positions: PositionIndex, issues: IssueList) {
  return (message: string, p: KeyPath, severity: 'error' | 'warning' = 'error') => {
    const keyPath = ['services', name, ...p];
    issues[severity](message, positions.locate(root, keyPath), keyPath);
  };
}

/** The value checks (sizes, durations, CPU counts, ports…) of every service of one file. */
function checkServicesOf(root: Record<string, unknown>, positions: PositionIndex, issues: IssueList, uninterpolated: boolean): void {
  if (!isPlainMap(root.services)) return;
  for (const [name, raw] of Object.entries(root.services)) {
    if (isPlainMap(raw)) checkServiceValues(raw, serviceProblem(root, name, positions, issues), uninterpolated);
  }
}

/**
 * A file that failed the schema is not merged, but its other problems are reported in the same run:
 * short syntax (ports, volumes, extra_hosts), sizes, durations, CPU counts, exposed ports and the
 * extension's settings. A key the schema already reported (or one below it) gets no second message.
 * The checks run on a value the schema rejected, so a throw here only ends this extra pass.
 */
function reportBesidesSchema(ctx: LoadContext, file: string, root: Record<string, unknown>, baseDir: string, schemaIssues: readonly ConfigIssue[]): void {
  const { positions, options } = ctx;
  const uninterpolated = options.interpolate === false;
  const found = new IssueList();
  try {
    canonicalizeFile({ root, baseDir, fileDir: path.dirname(file), home: ctx.home, positions, issues: found, uninterpolated });
    checkServicesOf(root, positions, found, uninterpolated);
    resolveExtension(root, options, positions, found);
  } catch {
    // A shape the schema rejected; what was found until here is still reported.
  }
  // Only this file's own problems (the extension also reports command-line settings).
  copyUnreported(found, ctx.issues, schemaIssues.map((i) => i.path ?? []), (issue) => issue.position?.file === ctx.display(file));
}

/** Copies the issues of `from` to `to`, except those at or below a key the schema already reported. */
function copyUnreported(from: IssueList, to: IssueList, reported: readonly KeyPath[], keep: (issue: ConfigIssue) => boolean = () => true): void {
  const below = (outer: readonly (string | number)[], inner: readonly (string | number)[]) => outer.length <= inner.length && outer.every((k, i) => inner[i] === k);
  for (const issue of from.items) {
    if (!keep(issue)) continue;
    if (issue.path && reported.some((r) => below(r, issue.path!))) continue;
    to[issue.severity](issue.message, issue.position, issue.path);
  }
}

/** A schema problem in the project's `x-mixcompose`, which does not fail its file (see LoadContext.extensionSchemaPaths). */
function inExtension(issue: ConfigIssue): boolean {
  return issue.path?.[0] === 'x-mixcompose';
}

/** The top-level `x-*` keys other than ours, sorted. */
function topLevelExtensions(root: Record<string, unknown>): { extensions?: Record<string, unknown> } {
  const keys = Object.keys(root).filter((k) => k.startsWith('x-') && k !== 'x-mixcompose');
  return keys.length ? { extensions: sortKeys(Object.fromEntries(keys.map((k) => [k, root[k]]))) } : {};
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function withDefaultNetwork(networks: Record<string, Project['networks'][string]>, services: Record<string, Service>, project: string) {
  const used = Object.values(services).some((s) => 'default' in s.networks);
  if (used && !networks.default) return sortKeys({ ...networks, default: { name: `${project}_default` } });
  return sortKeys(networks);
}

export { encodingProblem } from './project-environment.js';

/** Parses one service env_file; a missing required file is an error at the `env_file` entry. */
function readServiceEnvFile(
  ctx: LoadContext,
  entry: { path: string; required: boolean; format?: string },
  lookup: VariableLookup,
  keyPath: KeyPath,
  root: Record<string, unknown>,
): Record<string, string | null> | undefined {
  const text = ctx.fs.readText(entry.path);
  const at = ctx.positions.locate(root, keyPath);
  if (text === undefined) {
    if (entry.required) ctx.issues.error(`env file ${entry.path} not found (set \`required: false\` to make it optional)`, at, keyPath);
    return undefined;
  }
  const notUtf8 = encodingProblem(ctx, entry.path);
  if (notUtf8) {
    ctx.issues.error(`invalid env file ${entry.path}: line ${notUtf8.line}: ${notUtf8.message}`, at, keyPath);
    return undefined;
  }
  const out: Record<string, string | null> = {};
  try {
    // A bare KEY the environment does not set is left out, as compose does.
    for (const line of parseEnvFile(text, lookup, entry.format !== 'raw')) {
      const value = line.value ?? lookup(line.key);
      if (value !== undefined) out[line.key] = value;
    }
  } catch (error) {
    const line = error instanceof EnvFileError ? `line ${error.line}: ` : '';
    ctx.issues.error(`invalid env file ${entry.path}: ${line}${(error as Error).message}`, at, keyPath);
  }
  return out;
}

/** Parses one label_file (env-file syntax); a missing file is an error at its entry. */
function readLabelFile(ctx: LoadContext, file: string, earlier: Readonly<Record<string, string>>, keyPath: KeyPath, root: Record<string, unknown>): Record<string, string> | undefined {
  const text = ctx.fs.readText(file);
  const at = ctx.positions.locate(root, keyPath);
  if (text === undefined) {
    ctx.issues.error(`label file ${file} not found`, at, keyPath);
    return undefined;
  }
  const notUtf8 = encodingProblem(ctx, file);
  if (notUtf8) {
    ctx.issues.error(`invalid label file ${file}: line ${notUtf8.line}: ${notUtf8.message}`, at, keyPath);
    return undefined;
  }
  const out: Record<string, string> = {};
  try {
    for (const line of parseEnvFile(text, (n) => out[n] ?? earlier[n])) if (line.value !== undefined) out[line.key] = line.value;
  } catch (error) {
    const line = error instanceof EnvFileError ? `line ${error.line}: ` : '';
    ctx.issues.error(`invalid label file ${file}: ${line}${(error as Error).message}`, at, keyPath);
  }
  return out;
}

/**
 * The project name as interpolation sees it (`${COMPOSE_PROJECT_NAME}`), found before the files
 * are interpolated: -p, COMPOSE_PROJECT_NAME, the last file's top-level `name:` (interpolated
 * without itself), else the project directory's name.
 */
function nameBeforeInterpolation(ctx: LoadContext, files: readonly string[], environment: Record<string, string>, projectDir: string): string {
  if (ctx.options.projectName) return ctx.options.projectName;
  if (environment.COMPOSE_PROJECT_NAME) return environment.COMPOSE_PROJECT_NAME;
  let fromFile: string | undefined;
  for (const file of files) {
    const text = ctx.fs.readText(file);
    if (text === undefined || !/^name\s*:/m.test(text)) continue;
    try {
      const doc = parseYaml(text, { uniqueKeys: false }) as unknown;
      const name = isPlainMap(doc) ? doc.name : undefined;
      if (typeof name !== 'string' || name === '') continue;
      const value = ctx.options.interpolate === false ? name : interpolateString(name, (n) => (n === 'COMPOSE_PROJECT_NAME' ? undefined : environment[n]));
      if (value) fromFile = value;
    } catch {
      // Reported when the file itself is loaded.
    }
  }
  return fromFile ?? normalizeProjectName(path.basename(projectDir));
}

function projectName(ctx: LoadContext, merged: Record<string, unknown>, environment: Record<string, string>, projectDir: string): string {
  const { options, issues, positions } = ctx;
  const candidates: [string | undefined, string][] = [
    [options.projectName, '-p'],
    [environment.COMPOSE_PROJECT_NAME || undefined, 'COMPOSE_PROJECT_NAME'],
    [typeof merged.name === 'string' && merged.name !== '' ? merged.name : undefined, 'name:'],
  ];
  for (const [value, source] of candidates) {
    if (value === undefined) continue;
    const problem = projectNameProblem(value, source);
    if (problem) issues.error(problem, source === 'name:' ? positions.locate(merged, ['name']) : undefined, source === 'name:' ? ['name'] : undefined);
    return value;
  }
  const fromDir = normalizeProjectName(path.basename(projectDir));
  if (!fromDir) issues.error(`cannot derive a project name from the directory "${projectDir}": pass -p NAME or set name:`);
  return fromDir || 'default';
}

/**
 * One file through parse, interpolation, schema, canonical form, extends and include.
 * `baseDir`: where its relative paths point (the project directory for -f files).
 */
export interface LoadFileOptions {
  /** Read for `extends`: the file only lends services (an empty one is no error). */
  readonly forExtends?: boolean;
  /** Included with a project_directory: its `extends.file` paths are relative to `baseDir`, as in compose. */
  readonly extendsFromBase?: boolean;
}

export function loadFile(ctx: LoadContext, file: string, baseDir: string, lookup: VariableLookup, includeStack: readonly string[], fileOptions: LoadFileOptions = {}): LoadedFile {
  const forExtends = fileOptions.forExtends === true;
  const { fs, positions, issues, options } = ctx;
  const text = fs.readText(file);
  if (text === undefined) {
    issues.error(`compose file not found: ${ctx.display(file)}`);
    ctx.failedFiles.add(file);
    return { file, root: {}, ok: false, tagged: false };
  }
  const notUtf8 = encodingProblem(ctx, file);
  if (notUtf8) {
    issues.error(notUtf8.message, { file: ctx.display(file), line: notUtf8.line, col: notUtf8.col });
    ctx.failedFiles.add(file);
    return { file, root: {}, ok: false, tagged: false };
  }
  const parsed = parseYamlFile(text, ctx.display(file), positions, issues);
  if (!parsed.ok) {
    ctx.failedFiles.add(file);
    return { file, root: {}, ok: false, tagged: false };
  }
  const root = parsed.root;
  // A file read for `extends` only lends services: an empty (null) one there is no error, as in compose.
  if (forExtends && isPlainMap(root.services)) {
    for (const [name, svc] of Object.entries(root.services)) if (svc === null) root.services[name] = {};
  }
  if (root.version !== undefined) {
    issues.warning('`version` is obsolete and ignored (the Compose Specification has no versions); remove it', positions.locate(root, ['version']), ['version']);
  }
  if (options.interpolate !== false) interpolateTree(root, lookup, positions, issues);
  castTypedValues(root, positions, issues, options.interpolate === false);
  if (!options.skipSchema) {
    const before = issues.items.length;
    validateAgainstSchema(root, positions, issues, ctx.schema, options.interpolate === false, parsed.tagged);
    const schemaErrors = issues.items.slice(before).filter((i) => i.severity === 'error');
    ctx.extensionSchemaPaths.push(...schemaErrors.filter(inExtension).map((i) => i.path!));
    if (schemaErrors.some((i) => !inExtension(i))) {
      ctx.failedFiles.add(file);
      reportBesidesSchema(ctx, file, root, baseDir, schemaErrors);
      return { file, root, ok: false, tagged: parsed.tagged };
    }
  }
  const fileDir = fileOptions.extendsFromBase ? baseDir : path.dirname(file);
  canonicalizeFile({ root, baseDir, fileDir, home: ctx.home, positions, issues, uninterpolated: options.interpolate === false });
  resolveExtends(ctx, file, root, lookup);
  applyIncludes(ctx, file, root, lookup, includeStack);
  return { file, root, ok: true, tagged: parsed.tagged };
}
