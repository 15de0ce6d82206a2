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
import { checkDaemonOs, daemonFacts } from '../plan/daemon-check.js';
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

export async function connectDaemons(project: Project, options: ConnectOptions): Promise<ConnectedDaemons> {
  const envTimeout = Number(options.env.MIXCOMPOSE_CONNECT_TIMEOUT);
  const timeoutMs = options.timeoutMs ?? (Number.isFinite(envTimeout) && envTimeout > 0 ? envTimeout * 1000 : 20_000);
  const required = [...new Set(options.platforms ?? projectPlatforms(project))].sort();
  const optional = options.platforms ? [] : optionalPlatforms(project);
  const isOptional = (p: PlatformOs) => optional.includes(p);
  const notes: string[] = [];
  const leaveOut = (platform: PlatformOs, why: string) =>
    notes.push(`the ${platform} daemon is not connected (only services of disabled profiles use it): ${why}`);

  const endpoints: Partial<Record<PlatformOs, ResolvedEndpoint>> = {};
  for (const platform of [...required, ...optional]) {
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
  const platforms = (Object.keys(endpoints) as PlatformOs[]).sort();
  const securityWarnings = enforceEndpointSecurity(endpoints, options.insecureDaemon ?? options.env.MIXCOMPOSE_INSECURE_DAEMON === '1');

  // One client per distinct endpoint: both platforms may name the same daemon.
  const byKey = new Map<string, Entry>();
  const factory =
    options.createClient ?? ((endpoint: ResolvedEndpoint, label: string) => createDockerodeClient({ label, modem: endpoint.modem }));
  for (const platform of platforms) {
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
  // The beside work starts now, with the required platforms' clients; a failed connect releases what it holds first.
  const besideClients: Partial<Record<PlatformOs, DaemonClient>> = {};
  for (const entry of byKey.values()) for (const platform of entry.platforms) if (!isOptional(platform)) besideClients[platform] = entry.client;
  const beside = options.beside?.(besideClients);
  beside?.catch(() => undefined); // awaited below
  const closeAll = async (entries: Iterable<Entry>) => {
    await beside?.then((held) => held?.release()).catch(() => undefined);
    for (const entry of entries) entry.client.close?.();
  };

  // Ask every distinct daemon in parallel; report every unreachable daemon, first one thrown.
  const answers = await Promise.allSettled(
    [...byKey.values()].map(async (entry) => {
      const asked = Promise.all([entry.client.version(), entry.client.info()]);
      asked.catch(() => {}); // settled later by the race below, or abandoned after a timeout
      const ms = entry.optional ? Math.min(timeoutMs, OPTIONAL_TIMEOUT_MS) : timeoutMs;
      const [version, info] = await withTimeout(asked, ms, () => new DaemonError(entry.client.label, 'connect', new Error(`no answer to /version and /info within ${ms / 1000} s`)));
      return { entry, version, info };
    }),
  );
  const failures: unknown[] = [];
  [...byKey.values()].forEach((entry, i) => {
    const answer = answers[i]!;
    if (answer.status === 'fulfilled') return;
    if (!entry.optional) failures.push(withDesktopHint(answer.reason, entry.client.label, endpoints[entry.platforms[0]!]!));
    else for (const platform of entry.platforms) leaveOut(platform, shortReason(answer.reason));
    entry.client.close?.();
  });
  if (failures.length) {
    await closeAll(byKey.values());
    throw failures[0];
  }

  const clients: Partial<Record<PlatformOs, DaemonClient>> = {};
  const facts: Partial<Record<PlatformOs, DaemonFacts>> = {};
  const connectedEndpoints: Partial<Record<PlatformOs, ResolvedEndpoint>> = {};
  const warnings: string[] = [...securityWarnings];
  const errors: string[] = [];
  for (const answer of answers) {
    if (answer.status !== 'fulfilled') continue;
    const { entry, version, info } = answer.value;
    const factsFor = (platform: PlatformOs, other?: PlatformOs) =>
      daemonFacts({ platform, label: endpoints[platform]!.label, info, version, ...(other ? { sharedWith: other } : {}) });
    // Not needed by any active service: do not fail (or warn) over a daemon nobody asked for.
    const kept = entry.platforms.filter((platform) => {
      if (!isOptional(platform)) return true;
      const check = checkDaemonOs(factsFor(platform), options.allowOsMismatch);
      if (check.status !== 'error') return true;
      leaveOut(platform, check.message);
      return false;
    });
    for (const platform of kept) {
      const f = factsFor(platform, kept.find((p) => p !== platform));
      const check = checkDaemonOs(f, options.allowOsMismatch);
      clients[platform] = entry.client;
      facts[platform] = f;
      connectedEndpoints[platform] = endpoints[platform]!;
      if (check.status === 'error') errors.push(check.message);
      else if (check.status === 'warning') (isOptional(platform) ? notes : warnings).push(check.message);
      else if (check.note) notes.push(check.note);
    }
    if (!entry.platforms.some((p) => clients[p] === entry.client)) entry.client.close?.();
  }
  if (errors.length) {
    await closeAll(byKey.values());
    throw new PlanError(errors.join('\n'));
  }
  let held: Releasable | undefined;
  try {
    held = await beside;
  } catch (error) {
    for (const entry of byKey.values()) entry.client.close?.();
    throw error;
  }
  return { clients, facts, endpoints: connectedEndpoints, warnings, notes, ...(held ? { beside: held } : {}) };
}
