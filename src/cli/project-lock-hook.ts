/**
 * Where the CLI takes the per-project lock (engine/project-lock.ts): mutating commands take it
 * while connecting (beside /version and /info, before anything is observed) and release it when
 * they end; read-only ones (ps, logs, config, plan, `up --dry-run`) never do. `--wait-lock[=seconds]` on the mutating commands waits for a held lock
 * (default 300 s when given without a value) instead of refusing at once.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';

import { acquireProjectLock, type ProjectLock } from '../engine/project-lock.js';
import type { DaemonClient } from '../engine/daemon-client.js';
import type { PrefetchedObservation } from '../engine/observe.js';
import type { ResolverHostsCache } from '../engine/resolver-hosts-cache.js';
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

async function acquire(command: Command, project: string, client: DaemonClient, sink: EventSink): Promise<HeldLock> {
  const flags = command.opts() as { waitLock?: number | boolean };
  const lock = await acquireProjectLock({ client, project, command: command.name(), waitSeconds: waitLockSeconds(flags), onEvent: sink });
  return releaseOnSignal(lock, client, sink);
}

/**
 * Takes the lock when `command` changes things; undefined for read-only commands. The lock lives
 * on the Linux daemon when the project uses one (any daemon of the project otherwise). `early`: the
 * lock taken while connecting (lockWhileConnecting), kept when it is on that daemon.
 */
export async function takeProjectLock(
  command: Command,
  session: { project: { name: string }; daemons: { clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>> }; reporter: { sink: EventSink } },
  early?: HeldLock,
): Promise<HeldLock | undefined> {
  const client = locks(command) ? lockClient(session.daemons.clients) : undefined;
  if (early && early.client === client) return early;
  // Taken on a daemon that is not the lock's after all (an optional daemon connected, or none is needed).
  await early?.release();
  return client ? acquire(command, session.project.name, client, session.reporter.sink) : undefined;
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
  ahead: { readonly resolverImage?: string; readonly hostsCache?: ResolverHostsCache } = {},
): ((clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>) => Promise<HeldLock | undefined>) | undefined {
  if (!locks(command)) return undefined;
  return async (clients) => {
    const client = lockClient(clients);
    if (!client) return undefined;
    const held = await acquire(command, project.name, client, sink);
    // Held: nothing of the project changes under us now; the first observe takes these answers.
    const { startObservationAhead } = await import('../engine/observe.js'); // loaded by the command anyway
    return { ...held, observation: startObservationAhead(project, clients, { ...ahead, imageInspects: command.name() === 'up' }) };
  };
}

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
