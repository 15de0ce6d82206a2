/**
 * Where the CLI takes the per-project lock (engine/project-lock.ts): mutating commands take it
 * while connecting (beside /version and /info, before anything is observed) and release it when
 * they end; read-only ones (ps, logs, config, plan, `up --dry-run`) never do. `--wait-lock[=seconds]` on the mutating commands waits for a held lock
 * (default 300 s when given without a value) instead of refusing at once.
 *
 * The one exception, the optimistic `up`: a detached `up` (-d, --wait, --no-start) whose last run
 * from this machine completed with the same project and flags (the hint, engine/up-hint.ts) most
 * likely has nothing to do. It observes beside connecting WITHOUT the lock, and takes the lock only
 * when its plan changes something (engine/apply.ts, Daemons.projectLock, says why that is sound). A
 * second `up` with nothing changed so creates and removes no lock container. Without the hint (a
 * first `up`, after `down` or any other command changed the project from here, a changed file or
 * flag, caches off) it takes the lock at once as before: an unlocked look first would only delay an
 * `up` that has work. Every command that takes the lock drops the hint; a detached `up` that
 * completes writes it.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';

import { acquireProjectLock, type ProjectLock } from '../engine/project-lock.js';
import type { DeferredProjectLock } from '../engine/apply.js';
import type { DaemonClient } from '../engine/daemon-client.js';
import type { PrefetchedObservation, startObservationAhead as StartObservationAhead } from '../engine/observe.js';
import type { ResolverHostsCache } from '../engine/resolver-hosts-cache.js';
import { hintDigest, noUpHints, type UpHints } from '../engine/up-hint.js';
import type { EventSink } from '../model/events.js';
import type { PlatformOs, Project } from '../model/project.js';

/** Commands that change the project's daemons, so take the lock. */
export const MUTATING_COMMANDS: ReadonlySet<string> = new Set(['up', 'down', 'start', 'stop', 'restart', 'run']);

/** `--wait-lock` given without a value waits this long. */
export const DEFAULT_WAIT_LOCK_SECONDS = 300;

/** The `--wait-lock[=seconds]` option. */
export function waitLockOption(): Option {
  return new Option('--wait-lock [seconds]', `when another mixcompose holds the project, wait for it (default ${DEFAULT_WAIT_LOCK_SECONDS} s) instead of refusing`).argParser(
    (value: string) => {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('not a number of seconds (0 or more).');
      return n;
    },
  );
}

/** Adds `--wait-lock` to each mutating command of the program (called once, after registering). */
export function addLockOptions(program: Command): void {
  for (const command of program.commands) if (MUTATING_COMMANDS.has(command.name())) command.addOption(waitLockOption());
}

/** Seconds to wait from the command's flags (0: refuse at once). */
export function waitLockSeconds(flags: { waitLock?: number | boolean }): number {
  if (flags.waitLock === true) return DEFAULT_WAIT_LOCK_SECONDS;
  return typeof flags.waitLock === 'number' ? flags.waitLock : 0;
}

/** Whether `command` takes the lock: a mutating command that is not a dry run. */
function locks(command: Command): boolean {
  const flags = command.opts() as { dryRun?: boolean };
  return MUTATING_COMMANDS.has(command.name()) && !flags.dryRun;
}

/** The daemon holding the lock: the Linux daemon when the project uses one (any daemon of the project otherwise). */
function lockClient(clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>): DaemonClient | undefined {
  return clients.linux ?? clients.windows;
}

async function acquire(command: Command, project: string, client: DaemonClient, sink: EventSink, hints: UpHints = noUpHints): Promise<HeldLock> {
  const flags = command.opts() as { waitLock?: number | boolean };
  const lock = await acquireProjectLock({ client, project, command: command.name(), waitSeconds: waitLockSeconds(flags), onEvent: sink });
  // The project may change from here on: only a completed `up` says again that it is as wanted.
  hints.forget(project, client.label);
  return releaseOnSignal(lock, client, sink);
}

/** The `up` flags that decide the optimistic order. */
interface UpFlags {
  readonly dryRun?: boolean;
  readonly detach?: boolean;
  readonly wait?: boolean;
  readonly start?: boolean;
  readonly forceRecreate?: boolean;
  readonly pull?: string;
  readonly build?: boolean;
}

/**
 * Whether `command` is an `up` that may observe before taking the lock, and whose completion says
 * the project is as wanted: it ends with its plan (an attached `up` goes on writing: it registers
 * restarted containers' names and stops the stack on Ctrl-C, so it holds the lock as before), and
 * no flag makes work of every run (--force-recreate, --pull always, --build).
 */
function optimisticUp(command: Command): boolean {
  const flags = command.opts() as UpFlags;
  if (command.name() !== 'up' || flags.dryRun) return false;
  const endsWithPlan = Boolean(flags.detach || flags.wait || flags.start === false);
  return endsWithPlan && !flags.forceRecreate && flags.pull !== 'always' && flags.build !== true;
}

/**
 * What the hint of an optimistic `up` is checked against: the project as loaded (interpolated) and
 * the command's flags and services. Any difference means "take the lock first"; none is ever
 * trusted beyond choosing the order. The project's `environment` (the whole process environment,
 * kept for interpolation) is left out: it differs between any two shells (SHLVL, OLDPWD, ...) and
 * what it changes in the stack is in the interpolated services already.
 */
export function upHintDigest(command: Command, project: Project, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (!optimisticUp(command)) return undefined;
  const { waitLock: _waitLock, retryDaemon: _retryDaemon, ...flags } = command.opts() as Record<string, unknown>;
  const { environment: _environment, ...stack } = project;
  return hintDigest({ stack, flags, services: command.args, resolverImage: env.MIXCOMPOSE_RESOLVER_IMAGE ?? null });
}

/** The client-side hint a session checks and keeps (engine/up-hint.ts). */
export interface UpHintUse {
  readonly hints: UpHints;
  /** Set for an optimistic `up` (upHintDigest): what its hint must hold. */
  readonly digest?: string;
}

/**
 * Takes the lock when `command` changes things; undefined for read-only commands. The lock lives
 * on the Linux daemon when the project uses one (any daemon of the project otherwise). `early`: the
 * lock taken while connecting (lockWhileConnecting), kept when it is on that daemon.
 */
export async function takeProjectLock(
  command: Command,
  session: LockSession,
  early?: HeldLock,
  hints: UpHints = noUpHints,
): Promise<HeldLock | undefined> {
  const client = locks(command) ? lockClient(session.daemons.clients) : undefined;
  if (early && early.client === client) return early;
  // Taken on a daemon that is not the lock's after all (an optional daemon connected, or none is needed).
  await early?.release();
  return client ? acquire(command, session.project.name, client, session.reporter.sink, hints) : undefined;
}

/** What taking the lock needs of a session. */
export interface LockSession {
  readonly project: { readonly name: string };
  readonly daemons: { readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>> };
  readonly reporter: { readonly sink: EventSink };
}

/** The lock of a command's session, from its start (the early lock or unlocked start) to its end. */
export interface SessionLock {
  /** For the session's daemons: the observation asked ahead, and an optimistic `up`'s lock not held yet. */
  readonly ahead: { readonly observationAhead?: PrefetchedObservation; readonly projectLock?: DeferredProjectLock };
  /** The command ended (`ok`: it did not fail): a completed optimistic-kind `up` writes its hint; the lock is released. */
  end(ok: boolean): Promise<void>;
}

/**
 * The session's lock: for a mutating command the lock held now (takeProjectLock), for an `up` that
 * started unlocked (lockWhileConnecting) a lock apply takes only when its plan changes something;
 * nothing for read-only commands.
 */
export async function openProjectLock(command: Command, session: LockSession, early: EarlyLock | undefined, hint: UpHintUse = { hints: noUpHints }): Promise<SessionLock> {
  let held: HeldLock | undefined;
  let ahead: SessionLock['ahead'] = {};
  const client = locks(command) ? lockClient(session.daemons.clients) : undefined;
  if (early && 'unlocked' in early && client) {
    const projectLock: DeferredProjectLock = {
      get held() {
        return held !== undefined;
      },
      async take() {
        held ??= await acquire(command, session.project.name, client, session.reporter.sink, hint.hints);
      },
    };
    ahead = { observationAhead: early.observation, projectLock };
  } else {
    held = await takeProjectLock(command, session, early && 'unlocked' in early ? undefined : early, hint.hints);
    // What was asked under the early lock is sound only while that lock is the one held.
    if (held && held === early && early.observation) ahead = { observationAhead: early.observation };
  }
  return {
    ahead,
    async end(ok) {
      // Only an `up` that held the lock changed anything; one that found nothing to do leaves the hint as it is.
      if (ok && held && hint.digest !== undefined) hint.hints.save(session.project.name, held.client.label, hint.digest);
      await held?.release();
    },
  };
}

/**
 * The lock taken beside connecting (connectDaemons' `beside`): the container create runs while the
 * daemons answer /version and /info, not after them. Once it is held, the next observation's daemon
 * calls start (the lists, the resolver's hosts files: engine/observe.ts startObservationAhead), still
 * beside /version and /info: nothing is observed before the lock is held. Undefined when `command`
 * takes no lock.
 */
export function lockWhileConnecting(
  command: Command,
  project: Project,
  sink: EventSink,
  ahead: AheadOptions = {},
  hint: UpHintUse = { hints: noUpHints },
): ((clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>) => Promise<EarlyLock | undefined>) | undefined {
  if (!locks(command)) return undefined;
  return async (clients) => {
    const client = lockClient(clients);
    if (!client) return undefined;
    const observe = async () => {
      // The session hands it in (its command loaded observe already): a dynamic import here took
      // tens of ms beside connecting, on the optimistic `up`'s path to its first list.
      const start = ahead.startObservationAhead ?? (await import('../engine/observe.js')).startObservationAhead;
      const { startObservationAhead: _start, ...options } = ahead;
      const up = command.name() === 'up';
      return start(project, clients, { ...options, imageInspects: up, staticAnswers: up });
    };
    // The hint says the last run left the project as this one wants it: look first, lock only for work.
    if (startsUnlocked(command, project, hint)(clients)) {
      return { unlocked: true, client, observation: await observe(), release: async () => undefined };
    }
    const held = await acquire(command, project.name, client, sink, hint.hints);
    // Held: nothing of the project changes under us now; the first observe takes these answers.
    return { ...held, observation: await observe() };
  };
}

/**
 * Whether `command` on these clients is an optimistic `up` that starts unlocked: its hint holds
 * on the daemon the lock would be on. Such a run makes any plan with work again (under the lock,
 * with confirmed daemon facts: engine/apply.ts), so it may also take the daemons' facts from the
 * client-side cache (engine/daemon-facts-cache.ts).
 */
export function startsUnlocked(command: Command, project: Pick<Project, 'name'>, hint: UpHintUse): (clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>) => boolean {
  return (clients) => {
    const client = locks(command) ? lockClient(clients) : undefined;
    return client !== undefined && hint.digest !== undefined && hint.hints.holds(project.name, client.label, hint.digest);
  };
}

/** What the observation asked beside connecting needs. */
export interface AheadOptions {
  readonly resolverImage?: string;
  readonly hostsCache?: ResolverHostsCache;
  /** engine/observe.ts's, given by a caller that has it loaded (else it is imported when needed). */
  readonly startObservationAhead?: typeof StartObservationAhead;
}

/**
 * An optimistic `up`'s start beside connecting: no lock held; the next observation's calls asked
 * without it (a plan made from them runs only when it changes nothing, engine/apply.ts).
 */
export interface UnlockedStart {
  readonly unlocked: true;
  /** The daemon the lock will be on. */
  readonly client: DaemonClient;
  readonly observation: PrefetchedObservation;
  /** Nothing is held. */
  release(): Promise<void>;
}

/** What lockWhileConnecting gives: the lock held, or an optimistic `up`'s unlocked start. */
export type EarlyLock = HeldLock | UnlockedStart;

/** A held lock and how to let it go at the end of the command. */
export interface HeldLock {
  /** The daemon it is on. */
  readonly client: DaemonClient;
  /** Taken beside connecting: the next observation's calls, asked as soon as the lock was held. */
  readonly observation?: PrefetchedObservation;
  release(): Promise<void>;
}

/**
 * SIGINT/SIGTERM with no other handler end the process at once: release the lock first, then
 * let the signal do what it would have done. When the command handles the signal itself (attached
 * `up`, the reach probe), it ends normally and `release` runs then.
 */
function releaseOnSignal(lock: ProjectLock, client: DaemonClient, sink: EventSink): HeldLock {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return; // someone else handles it; the normal end releases
    detach();
    void lock
      .release()
      .catch(() => undefined)
      .finally(() => process.kill(process.pid, signal));
  };
  const detach = () => {
    for (const s of signals) process.removeListener(s, onSignal);
  };
  for (const s of signals) process.on(s, onSignal);
  return {
    client,
    async release() {
      detach();
      try {
        await lock.release();
      } catch (error) {
        // Not fatal: the next command finds it stale (this process is gone) and removes it.
        sink({ type: 'warning', message: `could not remove the project lock ${lock.name}: ${(error as Error).message}` });
      }
    },
  };
}
