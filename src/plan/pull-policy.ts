/**
 * PURE: per service, pull, build or use what is there — from `pull_policy`, `up --pull`, `--build`
 * and the local image facts, with the clock passed in.
 *
 * Policies (Compose Specification): `always`, `missing` (default; `if_not_present` is its old name),
 * `never`, `build`, `daily`, `weekly`, `every_<duration>` (e.g. `every_12h`, `every_2d`, `every_1w30m`):
 * pull when the local image is older than the interval, measured from when it was last pulled/tagged.
 */

export type PullPolicy =
  | { readonly kind: 'always' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'never' }
  | { readonly kind: 'build' }
  | { readonly kind: 'refresh'; readonly intervalMs: number; readonly raw: string };

export type PullPolicyParse = { readonly ok: true; readonly policy: PullPolicy } | { readonly ok: false; readonly message: string };

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** "1h30m", "2d", "45s" → milliseconds, or undefined when not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed = re.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

/** Parses a `pull_policy` value (undefined → missing). */
export function parsePullPolicy(value: string | undefined): PullPolicyParse {
  const v = (value ?? 'missing').trim().toLowerCase();
  switch (v) {
    case 'always':
      return { ok: true, policy: { kind: 'always' } };
    case 'missing':
    case 'if_not_present':
      return { ok: true, policy: { kind: 'missing' } };
    case 'never':
      return { ok: true, policy: { kind: 'never' } };
    case 'build':
      return { ok: true, policy: { kind: 'build' } };
    case 'daily':
      return { ok: true, policy: { kind: 'refresh', intervalMs: UNIT_MS.d!, raw: v } };
    case 'weekly':
      return { ok: true, policy: { kind: 'refresh', intervalMs: UNIT_MS.w!, raw: v } };
  }
  if (v.startsWith('every_')) {
    const ms = parseDurationMs(v.slice('every_'.length));
    if (ms !== undefined && ms > 0) return { ok: true, policy: { kind: 'refresh', intervalMs: ms, raw: v } };
  }
  return {
    ok: false,
    message: `pull_policy "${value}" is not one of always, missing, never, build, daily, weekly, every_<duration> (e.g. every_12h)`,
  };
}

/** `up --pull` / `pull` command override. `policy` (the default) keeps each service's own. */
export type PullOverride = 'always' | 'missing' | 'never' | 'policy';

export interface PullDecisionInput {
  readonly service: string;
  readonly image: string;
  readonly pullPolicy?: string;
  /** The service has a `build:` section. */
  readonly hasBuild: boolean;
  /** The service named an `image:` (a build-only service gets a generated name and cannot be pulled). */
  readonly hasImage: boolean;
  /** The local image, if the daemon has it: when it was last pulled or tagged (ms since epoch). */
  readonly local?: { readonly id: string; readonly refreshedAt?: number };
  /** Clock value (ms since epoch). */
  readonly now: number;
  readonly override?: PullOverride;
  /** `up --build` / `build` command. */
  readonly buildFlag?: boolean;
  /** `up --no-build`. */
  readonly noBuild?: boolean;
}

export type PullDecision =
  | { readonly action: 'pull'; readonly reason: string; readonly buildOnFailure?: boolean }
  | { readonly action: 'build'; readonly reason: string }
  | { readonly action: 'skip'; readonly reason: string }
  | { readonly action: 'error'; readonly reason: string };

/**
 * Decides what to do for one service. Compose's rules: `--build` or `pull_policy: build` builds;
 * a service with `build:` and no local image builds; `always` pulls; `missing` pulls when absent;
 * `never` requires the image locally; refresh policies pull when the local image is too old.
 */
export function decidePull(input: PullDecisionInput): PullDecision {
  const parsed = parsePullPolicy(input.pullPolicy);
  if (!parsed.ok) return { action: 'error', reason: `service "${input.service}": ${parsed.message}` };
  const own = parsed.policy;
  const policy: PullPolicy =
    !input.override || input.override === 'policy' || own.kind === 'build' ? own : { kind: input.override };

  if (input.hasBuild && !input.noBuild) {
    if (input.buildFlag || policy.kind === 'build') return { action: 'build', reason: input.buildFlag ? '--build' : 'pull_policy: build' };
  } else if (policy.kind === 'build') {
    return input.hasBuild
      ? { action: input.local ? 'skip' : 'error', reason: input.local ? 'image present (--no-build)' : `service "${input.service}": pull_policy build, but --no-build and image ${input.image} is not present` }
      : { action: 'error', reason: `service "${input.service}": pull_policy build needs a build: section` };
  }

  const present = input.local !== undefined;
  const canPull = input.hasImage;
  const buildIfNeeded = (why: string): PullDecision =>
    input.hasBuild && !input.noBuild
      ? { action: 'build', reason: why }
      : { action: 'error', reason: `service "${input.service}": image ${input.image} is not present and ${why}` };

  switch (policy.kind) {
    case 'always':
      if (canPull) return { action: 'pull', reason: 'pull_policy: always', ...(input.hasBuild ? { buildOnFailure: true } : {}) };
      return present ? { action: 'skip', reason: 'built image present' } : buildIfNeeded('it has no image: to pull');
    case 'never':
      if (present) return { action: 'skip', reason: 'image present (pull_policy: never)' };
      return buildIfNeeded('pull_policy is never');
    case 'missing':
      if (present) return { action: 'skip', reason: 'image present' };
      if (input.hasBuild) return buildIfNeeded('it has a build: section');
      return { action: 'pull', reason: 'image not present' };
    case 'refresh': {
      if (!present) {
        if (canPull) return { action: 'pull', reason: 'image not present' };
        return buildIfNeeded('it has no image: to pull');
      }
      const age = input.local?.refreshedAt === undefined ? Number.POSITIVE_INFINITY : input.now - input.local.refreshedAt;
      if (age < policy.intervalMs) return { action: 'skip', reason: `image refreshed within ${policy.raw.replace(/^every_/, '')}` };
      if (canPull) return { action: 'pull', reason: `image older than ${policy.raw.replace(/^every_/, '')}` };
      return { action: 'skip', reason: 'built image present' };
    }
    default:
      return { action: 'skip', reason: 'image present' };
  }
}
