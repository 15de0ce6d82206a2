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
 *   (daemon runs the wrong OS: names the daemon and what it reported).
 *   For LCOW use createPlatformFor(facts) / pullPlatformFor(facts) from src/plan/daemon-check.ts.
 */
import { DaemonError, PlanError } from '../errors.js';
import type { PlatformOs, Project } from '../model/project.js';
import { checkDaemonOs, daemonFacts } from '../plan/daemon-check.js';
import type { DaemonFacts } from '../plan/observed-state.js';
import type { DaemonClient } from './daemon-client.js';
import { resolveEndpoint, type Env, type ResolvedEndpoint } from './daemon-endpoints.js';
import { createDockerodeClient } from './dockerode-client.js';

export interface ConnectOptions {
  /** --allow-os-mismatch / MIXCOMPOSE_ALLOW_OS_MISMATCH=1: a mismatch becomes a warning. */
  readonly allowOsMismatch: boolean;
  /** Process environment (DOCKER_CONFIG, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, HOME, SSH_AUTH_SOCK). */
  readonly env: Env;
  /**
   * Which platforms to connect. Default: the platforms of the project's services (active and
   * disabled by profiles, so `down --remove-orphans` sees them), or linux when there are none.
   */
  readonly platforms?: readonly PlatformOs[];
  /** Host OS, for default endpoints (npipe on win32). Default: process.platform. */
  readonly hostPlatform?: NodeJS.Platform;
  /** How long to wait for /version and /info (default 20 s; env MIXCOMPOSE_CONNECT_TIMEOUT in seconds). */
  readonly timeoutMs?: number;
  /** Client factory (tests inject in-memory clients). Default: the dockerode adapter. */
  readonly createClient?: (endpoint: ResolvedEndpoint, label: string) => DaemonClient;
}

export interface ConnectedDaemons {
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  readonly facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>;
  readonly endpoints: Readonly<Partial<Record<PlatformOs, ResolvedEndpoint>>>;
  readonly warnings: readonly string[];
  /** Informational lines (LCOW detected, ...). */
  readonly notes: readonly string[];
}

/** Platforms the project's services run on, sorted (linux first). */
export function projectPlatforms(project: Project): PlatformOs[] {
  const used = new Set<PlatformOs>();
  for (const service of [...Object.values(project.services), ...Object.values(project.disabledServices)]) {
    used.add(service.platform.os);
  }
  if (used.size === 0) used.add('linux');
  return [...used].sort();
}

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function connectDaemons(project: Project, options: ConnectOptions): Promise<ConnectedDaemons> {
  const envTimeout = Number(options.env.MIXCOMPOSE_CONNECT_TIMEOUT);
  const timeoutMs = options.timeoutMs ?? (Number.isFinite(envTimeout) && envTimeout > 0 ? envTimeout * 1000 : 20_000);
  const platforms = [...new Set(options.platforms ?? projectPlatforms(project))].sort();
  const endpoints: Partial<Record<PlatformOs, ResolvedEndpoint>> = {};
  for (const platform of platforms) {
    const settings = project.extension.daemons[platform] ?? { platform, reach: 'auto', origin: 'default' as const };
    endpoints[platform] = await resolveEndpoint(settings, {
      env: options.env,
      ...(options.hostPlatform ? { hostPlatform: options.hostPlatform } : {}),
    });
  }

  // One client per distinct endpoint: both platforms may name the same daemon.
  const byKey = new Map<string, { client: DaemonClient; platforms: PlatformOs[] }>();
  for (const platform of platforms) {
    const endpoint = endpoints[platform]!;
    const existing = byKey.get(endpoint.key);
    if (existing) existing.platforms.push(platform);
    else byKey.set(endpoint.key, { client: undefined as unknown as DaemonClient, platforms: [platform] });
  }
  const factory =
    options.createClient ?? ((endpoint: ResolvedEndpoint, label: string) => createDockerodeClient({ label, modem: endpoint.modem }));
  for (const [, entry] of byKey) {
    const endpoint = endpoints[entry.platforms[0]!]!;
    const label = entry.platforms.length > 1 ? `${entry.platforms.join('+')} (${endpoint.label.replace(/^\w+ \(/, '').replace(/\)$/, '')})` : endpoint.label;
    entry.client = factory(endpoint, label);
  }

  // Ask every distinct daemon in parallel; report every unreachable daemon, first one thrown.
  const answers = await Promise.allSettled(
    [...byKey.values()].map(async (entry) => {
      const asked = Promise.all([entry.client.version(), entry.client.info()]);
      const [version, info] = await withTimeout(asked, timeoutMs, () => new DaemonError(entry.client.label, 'connect', new Error(`no answer to /version and /info within ${timeoutMs / 1000} s`)));
      return { entry, version, info };
    }),
  );
  const failures = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
  if (failures.length) throw failures[0]!.reason;

  const clients: Partial<Record<PlatformOs, DaemonClient>> = {};
  const facts: Partial<Record<PlatformOs, DaemonFacts>> = {};
  const warnings: string[] = [];
  const notes: string[] = [];
  const errors: string[] = [];
  for (const answer of answers) {
    if (answer.status !== 'fulfilled') continue;
    const { entry, version, info } = answer.value;
    for (const platform of entry.platforms) {
      clients[platform] = entry.client;
      const other = entry.platforms.find((p) => p !== platform);
      const f = daemonFacts({
        platform,
        label: endpoints[platform]!.label,
        info,
        version,
        ...(other ? { sharedWith: other } : {}),
      });
      facts[platform] = f;
      const check = checkDaemonOs(f, options.allowOsMismatch);
      if (check.status === 'error') errors.push(check.message);
      else if (check.status === 'warning') warnings.push(check.message);
      else if (check.note) notes.push(check.note);
    }
  }
  if (errors.length) throw new PlanError(errors.join('\n'));
  return { clients, facts, endpoints, warnings, notes };
}
