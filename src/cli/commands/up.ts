/**
 * `mixcompose up`: parses the flags and calls the library's `upOn` (observe both daemons with the
 * services' image facts, plan pulls, builds, the reach probe and every container, execute). Without -d it
 * then attaches: logs of both daemons' containers stream prefixed per service, and Ctrl-C stops
 * the stack (in reverse dependency order) like compose does.
 */
import { Command, Option } from 'commander';
import { lifecycleOn, upOn, type UpOptions } from '../../api/on-daemons.js';
import { observe } from '../../engine/observe.js';
import { logContainers, streamLogs } from '../../engine/logs.js';
import { watchNames } from '../../engine/names-watch.js';
import { fieldWarnings } from '../../plan/field-warnings.js';
import { formatPlan } from '../../plan/format-plan.js';
import { interruptible, resumeCommand, seconds, withSession, type Session } from './session.js';
import { ExecutionInterrupted } from '../../engine/execute.js';
import type { PullOverride } from '../../plan/pull-policy.js';
import { addUpAttachOptions, attachedContainers, attachedExitCode, checkUpAttachFlags, watchForAbort, withScale, withServiceDetails, type AbortCause, type UpAttachFlags } from './up-attach-options.js';

interface UpFlags extends UpAttachFlags {
  detach?: boolean;
  dryRun?: boolean;
  forceRecreate?: boolean;
  recreate?: boolean;
  removeOrphans?: boolean;
  deps?: boolean;
  start?: boolean;
  wait?: boolean;
  waitTimeout?: number;
  timeout?: number;
  retryDaemon?: number;
  pull?: PullOverride;
  build?: boolean;
}

export function upArgs(flags: UpFlags, services: readonly string[] = []): string[] {
  const args = ['-d'];
  if (flags.removeOrphans) args.push('--remove-orphans');
  if (flags.deps === false) args.push('--no-deps');
  if (flags.retryDaemon) args.push('--retry-daemon', String(flags.retryDaemon));
  // The same services: without them the next up would start the whole stack.
  return [...args, ...services];
}

/** The library call's options for the CLI's flags (the CLI parses and prints; the API does the work). */
function upOptions(session: Session, flags: UpFlags, services: readonly string[], signal: AbortSignal): UpOptions {
  return {
    services,
    wait: Boolean(flags.wait),
    listContainers: false,
    onEvent: session.reporter.sink,
    signal,
    resume: resumeCommand(session, 'up', upArgs(flags, services)),
    ...(flags.forceRecreate ? { forceRecreate: true } : {}),
    ...(flags.recreate === false ? { noRecreate: true } : {}),
    ...(flags.removeOrphans ? { removeOrphans: true } : {}),
    ...(flags.deps === false ? { noDeps: true } : {}),
    ...(flags.start === false ? { noStart: true } : {}),
    ...(flags.waitTimeout !== undefined ? { waitTimeoutMs: flags.waitTimeout * 1000 } : {}),
    ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
    ...(flags.dryRun ? { dryRun: true } : {}),
    ...(flags.pull ? { pull: flags.pull } : {}),
    ...(flags.build !== undefined ? { build: flags.build } : {}),
    ...(session.env.MIXCOMPOSE_RESOLVER_IMAGE ? { resolverImage: session.env.MIXCOMPOSE_RESOLVER_IMAGE } : {}),
  };
}

export function registerUp(program: Command): void {
  addUpAttachOptions(program
    .command('up'))
    .description('Create and start the stack on both daemons')
    .argument('[services...]', 'services to start (with their dependencies)')
    .option('-d, --detach', 'run in the background: do not attach to logs')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--force-recreate', 'recreate containers even if their configuration is unchanged')
    .option('--no-recreate', 'never recreate existing containers')
    .option('--remove-orphans', 'remove containers of services not in the file')
    .option('--no-deps', 'do not start the services the named ones depend on')
    .option('--no-start', 'create, do not start')
    .option('--wait', 'wait until services are running/healthy (implies -d)')
    .addOption(new Option('--wait-timeout <seconds>', 'maximum time for --wait').argParser(seconds))
    .addOption(new Option('-t, --timeout <seconds>', 'stop timeout when containers are recreated or stopped').argParser(seconds))
    .addOption(new Option('--pull <policy>', 'pull images: always, missing, never, or policy (per service pull_policy)').choices(['always', 'missing', 'never', 'policy']))
    .option('--build', 'build images before starting')
    .option('--no-build', 'do not build images, even if missing')
    .addOption(new Option('--retry-daemon <seconds>', 'wait (with backoff) for an unreachable daemon instead of failing').argParser(seconds))
    .action(async (services: string[], flags: UpFlags, command: Command) => {
      await withSession(command, async (opened) => {
        checkUpAttachFlags(flags, opened.project);
        const session = { ...opened, project: withScale(opened.project, flags.scale) };
        for (const w of fieldWarnings(session.project, session.daemons.facts.linux, process.platform)) session.reporter.sink(w);
        // --retry-daemon: the session's clients already retry (openSession wraps them).
        const daemons = session.daemons;
        // Ctrl-C cancels through the signal: the executor starts nothing new (the reach probe, an
        // operation of the plan, removes what it made); what runs finishes.
        const applied = await interruptible(
          (signal) => upOn(session.project, daemons, upOptions(session, flags, services, signal), { env: session.env, allowOsMismatch: session.global.allowOsMismatch }),
          (error) => error instanceof ExecutionInterrupted,
        ).catch(async (error: unknown) => {
          // A failed wait names the service, its state and its last log lines.
          throw await withServiceDetails(error, session.project.name, daemons);
        });
        if (!applied) return;
        const { plan } = applied;
        if (flags.dryRun) {
          await session.reporter.close();
          process.stdout.write(formatPlan(plan));
          return;
        }
        if (flags.detach || flags.wait || flags.start === false) return;
        await attach(session, daemons, services, flags);
      }, { services });
    });
}


/**
 * Once the stack is stopped, how long the logs may still take to end by themselves (they end once
 * every container stopped, each one's end said, as docker compose prints them); then they are cut.
 */
const FOLLOW_AFTER_STOP_MS = 5000;

/** Streams logs until every container exits; Ctrl-C stops the stack. */
async function attach(session: Session, daemons: Session['daemons'], services: readonly string[], flags: UpAttachFlags = {}): Promise<void> {
  const observed = await observe(session.project, daemons.clients, daemons.facts);
  const stack = logContainers(observed.containers, services);
  const containers = attachedContainers(stack, flags);
  const abort = new AbortController();
  let cutLogs: ReturnType<typeof setTimeout> | undefined;
  const cutLogsSoon = () => {
    if (!abort.signal.aborted) cutLogs = setTimeout(() => abort.abort(), FOLLOW_AFTER_STOP_MS);
  };
  const stops: Promise<unknown>[] = [];
  // After the second Ctrl-C the kill speaks for each container: the graceful stop's remaining steps
  // (which end because of the kill) would contradict it ("killed after 30s").
  let forced = false;
  const stop = (timeout?: number) =>
    lifecycleOn(session.project, daemons, 'stop', {
      services,
      ...(timeout !== undefined ? { timeout } : {}),
      onEvent: timeout === undefined ? (e) => (forced && e.type === 'step' ? undefined : session.reporter.sink(e)) : session.reporter.sink,
    });
  // First Ctrl-C: stop gracefully (reverse dependency order). Second: kill (stop with no grace).
  const onSignal = () => {
    if (stops.length === 0) {
      session.reporter.sink({ type: 'warning', message: 'Gracefully stopping... (press Ctrl+C again to force)' });
      stops.push(stop().finally(cutLogsSoon));
    } else if (stops.length === 1) {
      session.reporter.sink({ type: 'warning', message: 'Killing...' });
      forced = true;
      stops.push(stop(0));
    }
  };
  process.on('SIGINT', onSignal);
  // Meanwhile Docker may restart a container away from the resolver with another IP: register it again.
  const unwatch = new AbortController();
  const watching = watchNames(session.project, { clients: daemons.clients, facts: daemons.facts, signal: unwatch.signal, onEvent: session.reporter.sink });
  // --abort-on-container-exit / -failure / --exit-code-from: an exit stops the stack as Ctrl-C does.
  let aborted: AbortCause | undefined;
  const aborting = watchForAbort(stack, daemons.clients, flags, unwatch.signal, (cause) => {
    aborted = cause;
    session.reporter.sink({ type: 'warning', message: `Aborting on container exit: ${cause.container} exited with code ${cause.exitCode}` });
    onSignal();
  });
  try {
    session.reporter.alignLogs?.(containers.map((c) => c.name));
    await streamLogs(daemons.clients, containers, { follow: true, signal: abort.signal, exits: true, ...(flags.timestamps ? { timestamps: true } : {}) }, session.reporter.sink);
    await Promise.all(stops);
    unwatch.abort();
    await aborting;
    const code = await attachedExitCode(session.project.name, daemons, flags, aborted);
    if (code !== undefined) process.exitCode = code;
  } finally {
    abort.abort();
    clearTimeout(cutLogs);
    unwatch.abort();
    await watching;
    process.removeListener('SIGINT', onSignal);
  }
}
