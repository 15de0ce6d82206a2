/**
 * JSON Schema check of one interpolated file (see compose-schema.ts) with ajv, with ajv's many
 * errors reduced to the most specific cause per place: errors of a `oneOf` branch the value was
 * clearly not meant for are dropped, a deeper error wins over the failures it causes higher up,
 * and type errors of alternative branches are combined ("expected a string or a list").
 */
import type { ErrorObject } from 'ajv';
import { Tagged, type PositionIndex } from './positions.js';
import { modelDigest, type ValidityCache } from './schema-validity.js';
import { didYouMean } from './suggest.js';
import { daemonHostProblem, serviceValueProblem } from './value-checks.js';
import type { IssueList } from './issues.js';

/** The schema compiled ahead of time by ajv (schemas/generate.sh), with AJV_OPTIONS. */
export type SchemaValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Imports the compiled schema: a large module, loaded only when a model is not known valid. */
export async function loadSchemaValidator(): Promise<SchemaValidator> {
  return (await import('./compose-schema-validator.js')).validate as SchemaValidator;
}

/** How one load checks its files: the validator once loaded, and the digests of models known valid. */
export interface SchemaCheck {
  validator?: SchemaValidator;
  readonly cache?: ValidityCache;
}

/** Thrown when a model is not known valid and the validator is not loaded yet (the load then loads it and starts again). */
export class SchemaValidatorNeeded extends Error {
  constructor() {
    super('the schema validator is not loaded');
  }
}

/**
 * `uninterpolated`: the file was not interpolated (config --no-interpolate), so a string holding a
 * `$` may stand for a number or boolean; such values are not reported.
 */
export function validateAgainstSchema(
  root: Record<string, unknown>,
  positions: PositionIndex,
  issues: IssueList,
  check: SchemaCheck,
  uninterpolated = false,
  tagged = true,
): void {
  // The schema sees through merge tags: `!override x` is checked as x; a `!reset` key is left out.
  const restore = tagged ? untag(root) : () => {};
  let valid: boolean;
  let validate: SchemaValidator;
  try {
    const digest = check.cache ? modelDigest(root) : undefined;
    if (digest !== undefined && check.cache!.has(digest)) return;
    if (!check.validator) throw new SchemaValidatorNeeded();
    validate = check.validator;
    valid = validate(root) as boolean;
    // Valid as it stands (no cast below changed it): the same model needs no check next time.
    if (valid && digest !== undefined) check.cache!.add(digest);
    // Text is cast where a number or boolean is wanted, then checked again (a cast can settle a
    // `oneOf`). Two rounds suffice: a cast value is final, and the second round only confirms.
    for (let round = 0; !valid && round < 2 && castTypedText(validate.errors ?? [], root); round++) valid = validate(root) as boolean;
  } finally {
    restore();
  }
  if (valid) return;
  for (const problem of reduceSchemaErrors(validate.errors ?? [], root)) {
    const value = valueAt(root, problem.path);
    if (uninterpolated && typeof value === 'string' && value.includes('$')) continue;
    issues.error(problem.message, positions.locate(root, problem.path), problem.path);
  }
}

/**
 * The text → number / boolean casts docker compose makes where the Compose Specification wants a
 * number or boolean (`retries: "3"`, `init: ${INIT}` with INIT=true): a string is replaced by the
 * number or boolean it spells, at every place the schema reported "wrong type" for it. Nothing else
 * is cast: a number or boolean where text or a list is wanted stays an error (as in docker compose
 * v2, whose schema is strict after interpolation), and so does text that spells no number.
 * Returns whether anything was cast.
 */
export function castTypedText(errors: readonly ErrorObject[], root: unknown): boolean {
  let cast = false;
  for (const e of errors) {
    if (e.keyword !== 'type') continue;
    const path = splitPointer(e.instancePath, root);
    if (path.length === 0) continue;
    const parent = valueAt(root, path.slice(0, -1));
    const key = path[path.length - 1]!;
    if (parent === null || typeof parent !== 'object') continue;
    const value = (parent as Record<string | number, unknown>)[key];
    if (typeof value !== 'string') continue;
    const t = (e.params as { type: string | string[] }).type;
    const replacement = castText(value, Array.isArray(t) ? t : String(t).split(','));
    if (replacement === undefined) continue;
    (parent as Record<string | number, unknown>)[key] = replacement;
    cast = true;
  }
  return cast;
}

const INTEGER_TEXT = /^[-+]?\d+$/;
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The number or boolean `text` spells, if one of `types` wants it. */
function castText(text: string, types: readonly string[]): number | boolean | undefined {
  const t = text;
  if (types.includes('integer') && INTEGER_TEXT.test(t)) return Number(t);
  if (types.includes('number') && NUMBER_TEXT.test(t)) return Number(t);
  if (types.includes('boolean') && /^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  return undefined;
}

/** Replaces Tagged values by their content (dropping `!reset` keys); returns the undo. */
function untag(root: Record<string, unknown>): () => void {
  const undo: (() => void)[] = [];
  const walk = (node: Record<string | number, unknown>) => {
    for (const key of Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node)) {
      const value = node[key];
      if (value instanceof Tagged) {
        if (value.tag === 'reset' && !Array.isArray(node)) {
          delete node[key];
          undo.push(() => (node[key] = value));
          continue;
        }
        node[key] = value.value;
        undo.push(() => (node[key] = new Tagged(value.tag, node[key])));
      }
      const inner = node[key];
      if (inner !== null && typeof inner === 'object') walk(inner as Record<string | number, unknown>);
    }
  };
  walk(root);
  return () => {
    for (const u of undo.reverse()) u();
  };
}

export interface SchemaProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

const COMPOSITE = new Set(['oneOf', 'anyOf', 'if', 'then', 'else', 'not']);

function splitPointer(pointer: string, root: unknown): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key: string | number = Array.isArray(node) && /^\d+$/.test(seg) ? Number(seg) : seg;
    out.push(key);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  }
  return out;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const k of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[k] : undefined;
  return node;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  null: 'nothing',
};

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (typeof v === 'boolean') return String(v);
  return `the number ${String(v)}`;
}

function joinOr(words: string[]): string {
  const unique = [...new Set(words)];
  return unique.length <= 1 ? (unique[0] ?? '') : `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

const PATTERN_HINTS: Record<string, string> = {
  '^(no|always|unless-stopped|on-failure(:[0-9]+)?)$': 'expected no, always, unless-stopped or on-failure[:N]',
  '^(always|never|missing|if_not_present|build|daily|weekly|every_([0-9]+(\\.[0-9]+)?(ms|s|m|h|d|w))+)$':
    'expected always, missing, never, build, daily, weekly or every_<duration> (e.g. every_12h, every_2h30m, every_1w)',
  '^[a-z0-9][a-z0-9_-]*$': 'expected lowercase letters, digits, "_" and "-", starting with a letter or digit',
  '^(unix|npipe|tcp|ssh|https)://.': 'expected a daemon address such as unix:///var/run/docker.sock, npipe:////./pipe/docker_engine or tcp://host:2376',
  '^[a-zA-Z0-9._-]+$': 'service names may use letters, digits, ".", "_" and "-"',
};

function messageFor(e: ErrorObject, root: unknown, path: (string | number)[]): string {
  const value = valueAt(root, path);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys(((e.parentSchema as Record<string, unknown>)?.properties as object) ?? {});
      return `unknown key "${key}"${didYouMean(key, known)}`;
    }
    case 'required':
      return `missing required key "${String(params.missingProperty)}"`;
    case 'enum':
      return `expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}`;
    case 'pattern':
      if (path[0] === 'x-mixcompose' && path[path.length - 1] === 'host' && typeof value === 'string') {
        const problem = daemonHostProblem(value);
        if (problem) return problem;
      }
      return `${PATTERN_HINTS[String(params.pattern)] ?? `expected text matching ${String(params.pattern)}`}, got ${describeValue(value)}`;
    case 'propertyNames':
      return `invalid name "${String(params.propertyName)}": ${PATTERN_HINTS['^[a-zA-Z0-9._-]+$']}`;
    case 'uniqueItems':
      return `duplicate entries: items ${String(params.j)} and ${String(params.i)} are the same`;
    case 'minimum':
    case 'maximum':
      return `expected a number ${e.keyword === 'minimum' ? '>=' : '<='} ${String(params.limit)}, got ${describeValue(value)}`;
    default:
      return e.message ?? `invalid value (${e.keyword})`;
  }
}

/** The most specific problems among ajv's errors, one message per place. */
export function reduceSchemaErrors(errors: readonly ErrorObject[], root: unknown): SchemaProblem[] {
  const candidates = errors
    .filter((e) => !COMPOSITE.has(e.keyword) && e.propertyName === undefined)
    .map((e) => {
      const base = splitPointer(e.instancePath, root);
      const params = e.params as Record<string, unknown>;
      const path =
        e.keyword === 'additionalProperties' ? [...base, String(params.additionalProperty)] : e.keyword === 'propertyNames' ? [...base, String(params.propertyName)] : base;
      return { e, path, key: JSON.stringify(path) };
    });
  // A problem deeper in a value explains the failures reported for the value itself.
  const deeper = (a: (string | number)[], b: (string | number)[]) => b.length > a.length && a.every((k, i) => b[i] === k);
  const specific = candidates.filter((c) => !candidates.some((o) => deeper(c.path, o.path)));
  const groups = new Map<string, typeof specific>();
  for (const c of specific) groups.set(c.key, [...(groups.get(c.key) ?? []), c]);
  const out: SchemaProblem[] = [];
  for (const group of groups.values()) {
    const path = group[0]!.path;
    const nonType = group.filter((c) => c.e.keyword !== 'type');
    if (nonType.length > 0) {
      for (const m of new Set(nonType.map((c) => messageFor(c.e, root, c.path)))) out.push({ path, message: m });
      continue;
    }
    const types = group.flatMap((c) => {
      const t = (c.e.params as { type: string | string[] }).type;
      return (Array.isArray(t) ? t : String(t).split(',')).map((x) => TYPE_WORDS[x] ?? x);
    });
    // A key whose value must parse says what it wants (`timeout: 10` lacks its unit), and the same
    // message then comes once, whether from here or from the value checks.
    const value = valueAt(root, path);
    const specific = path[0] === 'services' && path.length > 2 ? serviceValueProblem(path.slice(2), value) : undefined;
    out.push({ path, message: specific ?? `expected ${joinOr(types)}, got ${describeValue(value)}` });
  }
  return out;
}
