/**
 * Connects to the project's daemons and checks that each runs the OS it serves.
 *
 * NOTE FOR OTHER ENGINEERS (stable API, called from `up`, `down`, `ps`, ...):
 *   connectDaemons(project, { allowOsMismatch, env }) → { clients, facts, warnings }
 *   - clients[platform]: DaemonClient (one shared instance when both platforms name the same endpoint)
 *   - facts[platform]:   DaemonFacts (put them into ObservedState.daemons)
 *   - warnings:          strings to show (OS mismatch allowed); emit them as WarningEvents
 *   - notes:             informational lines (LCOW detected)
 *   Throws DaemonError (daemon unreachable: names the daemon and the failed call) or PlanError
 *   (daemon runs the wrong OS: names the daemon and what it reported); the clients it opened are
 *   closed first, so a daemon that never answered cannot keep the process alive.
 *   Only the daemons of ACTIVE services are required. A platform used only by services of disabled
 *   profiles is connected if it can be (so `down`/`ps` still find its containers), else left out
 *   with a note: a stack whose active services are all linux never needs a windows daemon.
 *   For LCOW use createPlatformFor(facts) / pullPlatformFor(facts) from src/plan/daemon-check.ts.
 */
import { DaemonError, PlanError } from '../errors.js';
import type { PlatformOs, Project } from '../model/project.js';
import { checkDaemonOs, daemonFacts, factInputs, type FactInputs } from '../plan/daemon-check.js';
import { pingSignature, type DaemonFactsCache } from './daemon-facts-cache.js';
import type { DaemonFacts } from '../plan/observed-state.js';
import type { DaemonClient } from './daemon-client.js';
import { resolveEndpoint, type Env, type ResolvedEndpoint } from './daemon-endpoints.js';
import { enforceEndpointSecurity } from './endpoint-security.js';
import { createDockerodeClient } from './dockerode-client.js';
import { desktopEngineHint, isNotListening } from './endpoint-discovery.js';

export interface ConnectOptions {
  /** --allow-os-mismatch / MIXCOMPOSE_ALLOW_OS_MISMATCH=1: a mismatch becomes a warning. */
  readonly allowOsMismatch: boolean;
  /** Process environment (DOCKER_CONFIG, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, HOME, SSH_AUTH_SOCK). */
  readonly env: Env;
  /**
   * Which platforms to connect (all required). Default: the platforms of the project's active
   * services (linux when there are none) required, plus those only services of disabled profiles
   * use, best effort (see optionalPlatforms).
   */
  readonly platforms?: readonly PlatformOs[];
  /** Host OS, for default endpoints (npipe on win32). Default: process.platform. */
  readonly hostPlatform?: NodeJS.Platform;
  /** How long to wait for /version and /info (default 20 s; env MIXCOMPOSE_CONNECT_TIMEOUT in seconds). */
  readonly timeoutMs?: number;
  /** Client factory (tests inject in-memory clients). Default: the dockerode adapter. */
  readonly createClient?: (endpoint: ResolvedEndpoint, label: string) => DaemonClient;
  /** `--insecure-daemon`: allow plain tcp:// to a non-loopback address (with a warning). */
  readonly insecureDaemon?: boolean;
  /**
   * Work that needs only the clients, started beside /version and /info instead of after them (the
   * CLI takes the project lock here: a container create that would otherwise wait for the connect).
   * It gets the clients of the required platforms. connectDaemons waits for it and returns what it
   * gave (`beside`); when connecting fails, what it gave is released before the clients close, and
   * when it fails (and connecting did not), its error is thrown.
   */
  readonly beside?: (clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>) => Promise<Releasable | undefined>;
  /** The client-side cache of /info and /version (engine/daemon-facts-cache.ts); none: always ask, write nothing. */
  readonly factsCache?: FactsCacheUse;
}

/** The facts cache, and when its facts may stand in for /info and /version. */
export interface FactsCacheUse {
  readonly cache: DaemonFactsCache;
  /**
   * Whether this run may take a required daemon's facts from the cache (its /_ping headers
   * matching): only a run that makes any plan with work again from confirmed facts
   * (ConnectedDaemons.confirmFacts), the CLI's optimistic `up`. Else /info and /version are asked
   * (with /_ping beside them) and written to the cache. Called once, with the required platforms' clients.
   */
  readonly trusted: (clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>) => boolean;
}

/** Facts asked again of the daemons whose facts came from the cache (ConnectedDaemons.confirmFacts). */
export interface ConfirmedFacts {
  readonly facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>;
  /** Warnings the cached facts did not give already (they were shown at connect). */
  readonly warnings: readonly string[];
}

/** What `beside` work holds until the command ends (the project lock). */
export interface Releasable {
  release(): Promise<void>;
}

export interface ConnectedDaemons {
  /** What the `beside` work gave, held (connecting succeeded). */
  readonly beside?: Releasable;
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  readonly facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>;
  readonly endpoints: Readonly<Partial<Record<PlatformOs, ResolvedEndpoint>>>;
  readonly warnings: readonly string[];
  /** Informational lines (LCOW detected, an optional daemon left out, ...). */
  readonly notes: readonly string[];
  /**
   * Set when some facts came from the cache (FactsCacheUse.trusted): asks those daemons /info and
   * /version now and gives every platform's facts from their answers, checked as connecting checks
   * them (throws PlanError for a daemon that runs the wrong OS now).
   */
  readonly confirmFacts?: () => Promise<ConfirmedFacts>;
}

/** Platforms the project's active services run on, sorted (linux first); linux when there are none. */
export function projectPlatforms(project: Project): PlatformOs[] {
  const used = new Set<PlatformOs>(Object.values(project.services).map((s) => s.platform.os));
  if (used.size === 0) used.add('linux');
  return [...used].sort();
}

/** Platforms only services of disabled profiles run on (not needed, but their containers may exist). */
export function optionalPlatforms(project: Project): PlatformOs[] {
  const required = new Set(projectPlatforms(project));
  const used = new Set<PlatformOs>(Object.values(project.disabledServices).map((s) => s.platform.os));
  return [...used].filter((p) => !required.has(p)).sort();
}

/** At most this long for a daemon only disabled services use (it must not slow every command down). */
const OPTIONAL_TIMEOUT_MS = 3_000;

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}

/**
 * A Docker Desktop engine that nothing listens for was stopped by Desktop (one engine at a time after
 * `docker desktop engine use`): the error says so, and how to start it.
 */
export function withDesktopHint(error: unknown, label: string, endpoint: ResolvedEndpoint): unknown {
  if (!endpoint.desktop || !isNotListening(error)) return error;
  let cause = error;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return new DaemonError(label, 'connect', new Error(`${shortReason(cause)}; ${desktopEngineHint(endpoint.desktop)}`));
}

interface Entry {
  client: DaemonClient;
  platforms: PlatformOs[];
  /** Every platform of this endpoint is optional: a failure leaves it out instead of failing. */
  optional: boolean;
}

function unanswered(client: DaemonClient, ms: number): DaemonError {
  return new DaemonError(client.label, 'connect', new Error(`no answer to /version and /info within ${ms / 1000} s`));
}

/** What one daemon said about itself; `cached`: from the facts cache, its /_ping matching. */
interface AskedSelf extends FactInputs {
  readonly cached?: true;
}

/**
 * /version and /info of one daemon, or (`trusted`, and /_ping answering as when they were cached)
 * the cached answers. Fresh answers are written to the cache when /_ping, asked beside them, names
 * the same version, API and OS: a daemon upgraded between the calls writes nothing.
 */
async function askSelf(client: DaemonClient, endpoint: string, cache: DaemonFactsCache | undefined, trusted: boolean): Promise<AskedSelf> {
  const ask = async (): Promise<FactInputs> => {
    const [version, info] = await Promise.all([client.version(), client.info()]);
    return { version, info };
  };
  if (!cache || !client.pingHeaders) return ask();
  const ping = client.pingHeaders().catch(() => ({}) as Readonly<Record<string, string>>);
  if (trusted) {
    const signature = pingSignature(await ping);
    const hit = signature === undefined ? undefined : cache.get(endpoint, signature);
    if (hit) return { ...hit, cached: true };
  }
  const asked = await ask();
  const headers = await ping;
  const signature = pingSignature(headers);
  const consistent =
    headers['api-version'] === asked.version.ApiVersion &&
    headers.ostype === asked.info.OSType &&
    asked.version.Version !== undefined &&
    headers.server?.startsWith(`Docker/${asked.version.Version} `);
  if (signature !== undefined && consistent) cache.save(endpoint, signature, factInputs(asked.info, asked.version));
  return asked;
}

/** The clients, facts and checks of the daemons that answered. */
interface MadeFacts {
  readonly clients: Partial<Record<PlatformOs, DaemonClient>>;
  readonly facts: Partial<Record<PlatformOs, DaemonFacts>>;
  readonly endpoints: Partial<Record<PlatformOs, ResolvedEndpoint>>;
  readonly warnings: string[];
  readonly notes: string[];
  readonly errors: string[];
}

/** The facts of each answering daemon's platforms, and the OS check of each (optional platforms that fail it are left out). */
function factsOfAnswers(
  answers: readonly (AskedSelf & { readonly entry: Entry })[],
  endpoints: Readonly<Partial<Record<PlatformOs, ResolvedEndpoint>>>,
  isOptional: (platform: PlatformOs) => boolean,
  allowOsMismatch: boolean,
): MadeFacts {
  const made: MadeFacts = { clients: {}, facts: {}, endpoints: {}, warnings: [], notes: [], errors: [] };
  for (const { entry, version, info } of answers) {
    const factsFor = (platform: PlatformOs, other?: PlatformOs) =>
      daemonFacts({ platform, label: endpoints[platform]!.label, info, version, ...(other ? { sharedWith: other } : {}) });
    // Not needed by any active service: do not fail (or warn) over a daemon nobody asked for.
    const kept = entry.platforms.filter((platform) => {
      if (!isOptional(platform)) return true;
      const check = checkDaemonOs(factsFor(platform), allowOsMismatch);
      if (check.status !== 'error') return true;
      made.notes.push(leftOutNote(platform, check.message));
      return false;
    });
    for (const platform of kept) {
      const f = factsFor(platform, kept.find((p) => p !== platform));
      const check = checkDaemonOs(f, allowOsMismatch);
      made.clients[platform] = entry.client;
      made.facts[platform] = f;
      made.endpoints[platform] = endpoints[platform]!;
      if (check.status === 'error') made.errors.push(check.message);
      else if (check.status === 'warning') (isOptional(platform) ? made.notes : made.warnings).push(check.message);
      else if (check.note) made.notes.push(check.note);
    }
  }
  return made;
}

/** The note for a platform left out (only services of disabled profiles use it). */
function leftOutNote(platform: PlatformOs, why: string): string {
  return `the ${platform} daemon is not connected (only services of disabled profiles use it): ${why}`;
}

/**
 * ConnectedDaemons.confirmFacts: the daemons whose facts came from the cache are asked /version and
 * /info (bounded as connecting is), and every platform's facts made again (the others' from their
 * fresh answers at connect).
 */
function confirmer(
  made: MadeFacts,
  cached: readonly (AskedSelf & { readonly entry: Entry })[],
  how: {
    readonly endpoints: Readonly<Partial<Record<PlatformOs, ResolvedEndpoint>>>;
    readonly isOptional: (platform: PlatformOs) => boolean;
    readonly allowOsMismatch: boolean;
    readonly timeoutMs: number;
    readonly cache: DaemonFactsCache | undefined;
  },
): () => Promise<ConfirmedFacts> {
  const { endpoints, isOptional, allowOsMismatch, timeoutMs } = how;
  return async () => {
    // Asked afresh (and the cache brought up to date: a changed kernel, driver, plugin list).
    const ask = (entry: Entry) => askSelf(entry.client, endpoints[entry.platforms[0]!]!.key, how.cache, false);
    const fresh = await Promise.all(cached.map(async ({ entry }) => ({ entry, ...(await withTimeout(ask(entry), timeoutMs, () => unanswered(entry.client, timeoutMs))) })));
    const again = factsOfAnswers(fresh, endpoints, isOptional, allowOsMismatch);
    if (again.errors.length) throw new PlanError(again.errors.join('\n'));
    const facts = { ...made.facts };
    for (const platform of Object.keys(facts) as PlatformOs[]) if (again.facts[platform]) facts[platform] = again.facts[platform];
    return { facts, warnings: again.warnings.filter((w) => !made.warnings.includes(w)) };
  };
}

/** How long to wait for a daemon's /version and /info: ConnectOptions.timeoutMs, else MIXCOMPOSE_CONNECT_TIMEOUT (seconds), else 20 s. */
function connectTimeoutMs(options: ConnectOptions): number {
  const envTimeout = Number(options.env.MIXCOMPOSE_CONNECT_TIMEOUT);
  return options.timeoutMs ?? (Number.isFinite(envTimeout) && envTimeout > 0 ? envTimeout * 1000 : 20_000);
}

/**
 * The endpoint of each platform from its x-mixcompose.daemons settings (or the defaults). A required
 * platform's error is thrown; an optional one's leaves that platform out with a note (`leaveOut`).
 */
async function resolveEndpoints(
  project: Project,
  options: ConnectOptions,
  platforms: readonly PlatformOs[],
  isOptional: (platform: PlatformOs) => boolean,
  leaveOut: (platform: PlatformOs, why: string) => void,
): Promise<Partial<Record<PlatformOs, ResolvedEndpoint>>> {
  const endpoints: Partial<Record<PlatformOs, ResolvedEndpoint>> = {};
  for (const platform of platforms) {
    const settings = project.extension.daemons[platform] ?? { platform, reach: 'auto', origin: 'default' as const };
    try {
      endpoints[platform] = await resolveEndpoint(settings, {
        env: options.env,
        ...(options.hostPlatform ? { hostPlatform: options.hostPlatform } : {}),
      });
    } catch (error) {
      if (!isOptional(platform)) throw error;
      leaveOut(platform, shortReason(error));
    }
  }
  return endpoints;
}

/**
 * One client per distinct endpoint (both platforms may name the same daemon: one shared client,
 * labelled with both), in the order of the sorted platforms. An endpoint is optional when all its platforms are.
 */
function openClients(
  endpoints: Readonly<Partial<Record<PlatformOs, ResolvedEndpoint>>>,
  isOptional: (platform: PlatformOs) => boolean,
  createClient: ConnectOptions['createClient'],
): Entry[] {
  const byKey = new Map<string, Entry>();
  const factory = createClient ?? ((endpoint: ResolvedEndpoint, label: string) => createDockerodeClient({ label, modem: endpoint.modem }));
  for (const platform of (Object.keys(endpoints) as PlatformOs[]).sort()) {
    const key = endpoints[platform]!.key;
    const existing = byKey.get(key);
    if (existing) {
      existing.platforms.push(platform);
      existing.optional &&= isOptional(platform);
    } else {
      byKey.set(key, { client: undefined as unknown as DaemonClient, platforms: [platform], optional: isOptional(platform) });
    }
  }
  for (const [, entry] of byKey) {
    const endpoint = endpoints[entry.platforms[0]!]!;
    const label = entry.platforms.length > 1 ? `${entry.platforms.join('+')} (${endpoint.label.replace(/^\w+ \(/, '').replace(/\)$/, '')})` : endpoint.label;
    entry.client = factory(endpoint, label);
  }
  return [...byKey.values()];
}

/** The clients of the required platforms: what the `beside` work and FactsCacheUse.trusted get. */
function requiredClients(entries: readonly Entry[], isOptional: (platform: PlatformOs) => boolean): Partial<Record<PlatformOs, DaemonClient>> {
  const clients: Partial<Record<PlatformOs, DaemonClient>> = {};
  for (const entry of entries) for (const platform of entry.platforms) if (!isOptional(platform)) clients[platform] = entry.client;
  return clients;
}

/**
 * Asks every distinct daemon about itself in parallel (askSelf), each within its time (an optional
 * one's at most OPTIONAL_TIMEOUT_MS, so it cannot slow every command down). Settles for each entry, in order.
 */
function askDaemons(
  entries: readonly Entry[],
  endpoints: Readonly<Partial<Record<PlatformOs, ResolvedEndpoint>>>,
  how: { readonly cache: DaemonFactsCache | undefined; readonly trusted: boolean; readonly timeoutMs: number },
): Promise<PromiseSettledResult<AskedSelf & { readonly entry: Entry }>[]> {
  return Promise.allSettled(
    entries.map(async (entry) => {
      const endpoint = endpoints[entry.platforms[0]!]!.key;
      const asked = askSelf(entry.client, endpoint, how.cache, how.trusted && !entry.optional);
      asked.catch(() => {}); // settled later by the race below, or abandoned after a timeout
      const ms = entry.optional ? Math.min(how.timeoutMs, OPTIONAL_TIMEOUT_MS) : how.timeoutMs;
      return { entry, ...(await withTimeout(asked, ms, () => unanswered(entry.client, ms))) };
    }),
  );
}

/**
 * Sorts the answers: the daemons that answered, and the errors of the required ones that did not
 * (with the Desktop hint where it applies). An optional daemon that did not answer is left out with
 * a note; every client that did not answer is closed.
 */
function sortAnswers(
  entries: readonly Entry[],
  answers: readonly PromiseSettledResult<AskedSelf & { readonly entry: Entry }>[],
  endpoints: Readonly<Partial<Record<PlatformOs, ResolvedEndpoint>>>,
  leaveOut: (platform: PlatformOs, why: string) => void,
): { answered: (AskedSelf & { readonly entry: Entry })[]; failures: unknown[] } {
  const failures: unknown[] = [];
  entries.forEach((entry, i) => {
    const answer = answers[i]!;
    if (answer.status === 'fulfilled') return;
    if (!entry.optional) failures.push(withDesktopHint(answer.reason, entry.client.label, endpoints[entry.platforms[0]!]!));
    else for (const platform of entry.platforms) leaveOut(platform, shortReason(answer.reason));
    entry.client.close?.();
  });
  const answered = answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
  return { answered, failures };
}

/** Waits for the `beside` work and answers what it holds; when it fails, every client is closed and its error thrown. */
async function awaitBeside(beside: Promise<Releasable | undefined> | undefined, entries: readonly Entry[]): Promise<Releasable | undefined> {
  try {
    return await beside;
  } catch (error) {
    for (const entry of entries) entry.client.close?.();
    throw error;
  }
}

/**
 * Connects to the project's daemons (see the note at the top): resolves their endpoints, opens one
 * client per daemon, starts the `beside` work, asks each daemon about itself and checks its OS.
 * A failure closes every client, after releasing what `beside` holds.
 */
export async function connectDaemons(project: Project, options: ConnectOptions): Promise<ConnectedDaemons> {
  const timeoutMs = connectTimeoutMs(options);
  const required = [...new Set(options.platforms ?? projectPlatforms(project))].sort();
  const optional = options.platforms ? [] : optionalPlatforms(project);
  const isOptional = (p: PlatformOs) => optional.includes(p);
  const notes: string[] = [];
  const leaveOut = (platform: PlatformOs, why: string) => notes.push(leftOutNote(platform, why));

  const endpoints = await resolveEndpoints(project, options, [...required, ...optional], isOptional, leaveOut);
  const securityWarnings = enforceEndpointSecurity(endpoints, options.insecureDaemon ?? options.env.MIXCOMPOSE_INSECURE_DAEMON === '1');
  const entries = openClients(endpoints, isOptional, options.createClient);
  // The beside work starts now, with the required platforms' clients; a failed connect releases what it holds first.
  const besideClients = requiredClients(entries, isOptional);
  const beside = options.beside?.(besideClients);
  beside?.catch(() => undefined); // awaited below
  const closeAll = async () => {
    await beside?.then((held) => held?.release()).catch(() => undefined);
    for (const entry of entries) entry.client.close?.();
  };

  // Ask every distinct daemon in parallel; report every unreachable daemon, first one thrown.
  const trusted = options.factsCache?.trusted(besideClients) ?? false;
  const answers = await askDaemons(entries, endpoints, { cache: options.factsCache?.cache, trusted, timeoutMs });
  const { answered, failures } = sortAnswers(entries, answers, endpoints, leaveOut);
  if (failures.length) {
    await closeAll();
    throw failures[0];
  }

  const made = factsOfAnswers(answered, endpoints, isOptional, options.allowOsMismatch);
  notes.push(...made.notes);
  for (const { entry } of answered) if (!entry.platforms.some((p) => made.clients[p] === entry.client)) entry.client.close?.();
  if (made.errors.length) {
    await closeAll();
    throw new PlanError(made.errors.join('\n'));
  }
  const warnings = [...securityWarnings, ...made.warnings];
  const cached = answered.filter((a) => a.cached && a.entry.platforms.some((p) => made.clients[p] === a.entry.client));
  const confirmFacts = cached.length ? confirmer(made, cached, { endpoints, isOptional, allowOsMismatch: options.allowOsMismatch, timeoutMs, cache: options.factsCache?.cache }) : undefined;
  const held = await awaitBeside(beside, entries);
  const { clients, facts, endpoints: connectedEndpoints } = made;
  return { clients, facts, endpoints: connectedEndpoints, warnings, notes, ...(held ? { beside: held } : {}), ...(confirmFacts ? { confirmFacts } : {}) };
}
