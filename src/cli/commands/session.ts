/**
 * What every engine command does first: read the global flags, load the project, connect to its
 * daemons (warnings as events), and make a reporter. Shared by up/down/ps/logs/start/stop/
 * restart/plan.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { loadProject } from '../../config/load-project.js';
import { loadOptionsFor } from './config.js';
import { DaemonError, formatIssue } from '../../errors.js';
import type { PlatformOs, Project } from '../../model/project.js';
import { connectDaemons, projectPlatforms } from '../../engine/connect-daemons.js';
import type { DaemonClient } from '../../engine/daemon-client.js';
import type { DaemonFacts } from '../../plan/observed-state.js';
import type { ResolvedEndpoint } from '../../engine/daemon-endpoints.js';
import { createDockerodeClient } from '../../engine/dockerode-client.js';
import { userHostsCache } from '../../engine/resolver-hosts-cache.js';
import { userUpHints } from '../../engine/up-hint.js';
import { startObservationAhead } from '../../engine/observe.js';
import { withDaemonRetry } from '../../engine/retry-daemon.js';
import type { Daemons } from '../../engine/apply.js';
import { daemonFault, type ResumeCommand } from '../../plan/fault-report.js';
import { checkServiceNames } from '../../plan/dependencies.js';
import { createReporter, type Reporter } from '../../ui/reporter.js';
import { globalOptions } from '../program.js';
import type { GlobalOptions } from '../global-options.js';
import { userDaemonFactsCache } from '../../engine/daemon-facts-cache.js';
import { lockWhileConnecting, openProjectLock, startsUnlocked, upHintDigest, type EarlyLock, type SessionLock, type UpHintUse } from '../project-lock-hook.js';

export interface Session {
  readonly global: GlobalOptions;
  readonly project: Project;
  readonly daemons: Daemons;
  readonly reporter: Reporter;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** With `partial`: the daemons that could not be reached (the session holds the others). */
  readonly unreachable: readonly DaemonError[];
}

/** Loads the project and connects; the caller must `await session.reporter.close()`. */
export async function openSession(
  command: Command,
  options: {
    progress?: GlobalOptions['progress'];
    /** `down`: go on with the daemons that answer when one does not (it is reported at the end). */
    partial?: boolean;
    /** Services named on the command line: checked against the project before connecting. */
    services?: readonly string[];
  } = {},
): Promise<Session & { readonly lock?: EarlyLock; readonly hint: UpHintUse }> {
  const global = globalOptions(command);
  const env = process.env;
  const { project, warnings } = await loadProject(loadOptionsFor(global, env, process.cwd(), process.platform));
  checkServiceNames(project, options.services ?? []);
  const reporter = createReporter(options.progress ?? global.progress, { stdout: process.stdout, stderr: process.stderr }, env, global.ansi);
  let connected: (Daemons & { warnings: readonly string[] }) | undefined;
  try {
    for (const w of warnings) reporter.sink({ type: 'warning', message: formatIssue(w) });
    // --retry-daemon (up, down): wait for a daemon that is not there yet, from the first call on.
    const retrySeconds = (command.opts() as { retryDaemon?: number }).retryDaemon;
    // The project lock (mutating commands) is taken beside connecting, not after it; an optimistic
    // `up` with the hint observes there instead and locks only for work (project-lock-hook.ts).
    const hostsCache = userHostsCache(env);
    const digest = upHintDigest(command, project, env);
    const hint: UpHintUse = { hints: userUpHints(env), ...(digest !== undefined ? { digest } : {}) };
    const lockBeside = lockWhileConnecting(command, project, reporter.sink, { hostsCache, startObservationAhead, ...(env.MIXCOMPOSE_RESOLVER_IMAGE ? { resolverImage: env.MIXCOMPOSE_RESOLVER_IMAGE } : {}) }, hint);
    // An optimistic-kind `up` keeps the daemons' facts in the cache, and takes them from it while it starts unlocked.
    const factsCache = digest !== undefined ? userDaemonFactsCache(env) : undefined;
    const connect = (platforms?: readonly PlatformOs[]) =>
      connectDaemons(project, {
        ...(lockBeside && !platforms ? { beside: lockBeside } : {}),
        ...(factsCache && !platforms ? { factsCache: { cache: factsCache, trusted: startsUnlocked(command, project, hint) } } : {}),
        allowOsMismatch: global.allowOsMismatch,
        env,
        insecureDaemon: Boolean(command.optsWithGlobals().insecureDaemon), // plain tcp:// beyond loopback
        ...(platforms ? { platforms } : {}),
        ...(retrySeconds
          ? {
              createClient: (endpoint: ResolvedEndpoint, label: string) =>
                withDaemonRetry(createDockerodeClient({ label, modem: endpoint.modem }), { retrySeconds, onEvent: reporter.sink }),
            }
          : {}),
      });
    let unreachable: readonly DaemonError[] = [];
    try {
      connected = await connect();
    } catch (error) {
      if (!options.partial || !(error instanceof DaemonError)) throw error;
      // One daemon does not answer: connect to each platform's daemon on its own, keep those that do.
      ({ connected, unreachable } = await connectEach(projectPlatforms(project), connect, error));
    }
    for (const w of connected.warnings) reporter.sink({ type: 'warning', message: w });
    const { beside, ...daemons } = connected as typeof connected & { beside?: EarlyLock };
    return { global, project, daemons: { ...daemons, hostsCache }, reporter, env, unreachable, hint, ...(beside ? { lock: beside } : {}) };
  } catch (error) {
    // Nothing may hold a connection open once the session failed to open.
    if (connected) closeClients(connected.clients);
    await reporter.close(true);
    // A daemon that cannot be reached before anything happened: say so, and how to run it again.
    // A read-only command changes nothing anyway: the error alone says it all.
    if (error instanceof DaemonError && !error.progress && READ_ONLY_COMMANDS.has(command.name())) {
      throw new DaemonError(error.daemon, `${command.name()} (connecting)`, error.cause ?? error);
    }
    if (error instanceof DaemonError && !error.progress) {
      throw daemonFault({
        daemon: error.daemon,
        operation: `${command.name()} (connecting)`,
        cause: error.cause ?? error,
        done: [],
        notDone: [`${command.name()}: nothing was changed`],
        resume: resumeFor(global, project, command.name(), givenArgs(command), env),
      });
    }
    throw error;
  }
}

/** Closes each distinct client once (both platforms may share one). */
export function closeClients(clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>): void {
  for (const client of new Set(Object.values(clients))) client?.close?.();
}

type Connected = Daemons & { readonly warnings: readonly string[] };

/**
 * `down` when a daemon does not answer: connect each platform's daemon on its own and keep the
 * ones that answer (the others are returned as `unreachable`). A failure that is not a daemon's
 * (a daemon running the wrong OS, a bad setting) ends it, and then the clients that did connect are
 * closed first: an open connection would keep the process alive after the error. With no daemon
 * answering at all, `firstError` is thrown.
 */
export async function connectEach(
  platforms: readonly PlatformOs[],
  connect: (platforms: readonly PlatformOs[]) => Promise<Connected>,
  firstError: DaemonError,
): Promise<{ connected: Connected; unreachable: DaemonError[] }> {
  const each = await Promise.allSettled(platforms.map((p) => connect([p])));
  const clients: Partial<Record<PlatformOs, DaemonClient>> = {};
  const facts: Partial<Record<PlatformOs, DaemonFacts>> = {};
  const warnings: string[] = [];
  const unreachable: DaemonError[] = [];
  for (const result of each) {
    if (result.status === 'fulfilled') {
      Object.assign(clients, result.value.clients);
      Object.assign(facts, result.value.facts);
      warnings.push(...result.value.warnings);
    } else if (result.reason instanceof DaemonError) {
      unreachable.push(result.reason);
    }
  }
  const fatal = each.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof DaemonError));
  if (fatal) {
    closeClients(clients);
    throw fatal.reason;
  }
  if (Object.keys(clients).length === 0) throw firstError;
  return { connected: { clients, facts, warnings }, unreachable };
}

/** The arguments given after the command's name, as typed (for "to continue" lines). */
export function givenArgs(command: Command): string[] {
  const at = process.argv.indexOf(command.name(), 2);
  return at >= 0 ? process.argv.slice(at + 1) : [];
}

/** The command line that runs `command` again for this project (for daemon fault reports). */
export function resumeCommand(session: Session, command: string, args: readonly string[] = []): ResumeCommand {
  return resumeFor(session.global, session.project, command, args, session.env);
}

/** Commands that change nothing: a failure to connect has no "not done" and nothing to continue. */
const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set(['ps', 'plan', 'logs', 'images']);

/** Every global flag that was given, so the suggested command acts on the same daemons and project. */
export function resumeFor(
  g: GlobalOptions,
  project: Pick<Project, 'name' | 'configFiles'>,
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ResumeCommand {
  return {
    files: g.file.length ? g.file : project.configFiles,
    projectName: project.name,
    ...(g.projectDirectory ? { projectDirectory: g.projectDirectory } : {}),
    envFiles: g.envFile,
    profiles: g.profile,
    ...(g.windowsHost ? { windowsHost: g.windowsHost } : {}),
    ...(g.linuxHost ? { linuxHost: g.linuxHost } : {}),
    ...(g.windowsContext ? { windowsContext: g.windowsContext } : {}),
    ...(g.linuxContext ? { linuxContext: g.linuxContext } : {}),
    // From the environment it stays set for the next run; only a flag must be repeated.
    ...(g.allowOsMismatch && env.MIXCOMPOSE_ALLOW_OS_MISMATCH !== '1' ? { allowOsMismatch: true } : {}),
    ...(g.progress !== 'auto' ? { progress: g.progress } : {}),
    command,
    args,
  };
}

/** Runs `body` with the session, closing the reporter (marked failed on error). */
export async function withSession<T>(
  command: Command,
  body: (session: Session) => Promise<T>,
  options: { progress?: GlobalOptions['progress']; partial?: boolean; services?: readonly string[] } = {},
): Promise<T> {
  const { lock: early, hint, ...opened } = await openSession(command, options);
  let session: Session = opened;
  let failed = true;
  let lock: SessionLock | undefined;
  try {
    // Mutating commands only: one writer per project (an optimistic `up`: only once its plan has work).
    lock = await openProjectLock(command, session, early, hint);
    session = { ...session, daemons: { ...session.daemons, ...lock.ahead } };
    const result = await body(session);
    failed = false;
    return result;
  } finally {
    await (lock ? lock.end(!failed) : early?.release());
    await session.reporter.close(failed);
    // Let the process end: close the daemon connections (clients that can).
    closeClients(session.daemons.clients);
  }
}

/** Parses a -t/--timeout value. */
export function seconds(value: string): number {
  const n = Number(value);
  // Commander turns this into "option '-t, --timeout <seconds>' argument 'abc' is invalid" (exit 2).
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('not a number of seconds (0 or more).');
  return n;
}

/**
 * Runs `work` with an AbortSignal that the first SIGINT / SIGTERM aborts (a second one ends the
 * process at once, the default again). When `work` ends because of it (the executor's
 * ExecutionInterrupted: the reach probe is one of its operations) the exit code is 130 / 143 and
 * nothing more is said: the steps already said what was done.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>, isInterruption: (error: unknown) => boolean): Promise<T | undefined> {
  const abort = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const unsubscribe = () => {
    for (const s of signals) process.removeListener(s, listener);
  };
  const listener = (signal: NodeJS.Signals) => {
    unsubscribe();
    interruptedBy = signal;
    abort.abort();
  };
  for (const s of signals) process.on(s, listener);
  try {
    return await work(abort.signal);
  } catch (error) {
    if (!interruptedBy || !isInterruption(error)) throw error;
    process.exitCode = interruptedBy === 'SIGTERM' ? 143 : 130;
    return undefined;
  } finally {
    unsubscribe();
  }
}
