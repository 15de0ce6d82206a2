/**
 * The flags of an attached `up` that pipelines use (issue 13), kept apart from up.ts: which
 * containers' logs are shown (--attach, --no-attach, --attach-dependencies), with --timestamps;
 * when the whole stack stops (--abort-on-container-exit, --abort-on-container-failure,
 * --exit-code-from) and which exit code mixcompose ends with; --scale; and what a failing
 * `up --wait` says (the service, its state and its last log lines).
 */
import { Option, type Command } from 'commander';
import type { Daemons } from '../../engine/apply.js';
import type { DaemonClient } from '../../engine/daemon-client.js';
import { DependencyError, UsageError, WaitTimeoutError } from '../../errors.js';
import type { PlatformOs, Project } from '../../model/project.js';
import type { ObservedContainer } from '../../plan/observed-state.js';
import { projectContainers } from '../../engine/project-containers.js';
import { collect } from './option-parsers.js';

export interface UpAttachFlags {
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  exitCodeFrom?: string;
  attach?: string[];
  noAttach?: string[];
  timestamps?: boolean;
  scale?: string[];
  detach?: boolean;
}

/** Adds the flags to `up`. */
export function addUpAttachOptions(command: Command): Command {
  return command
    .option('--abort-on-container-exit', 'stop the stack when any container exits (attached up)')
    .option('--abort-on-container-failure', 'stop the stack when a container exits with a non-zero code (attached up)')
    .option('--exit-code-from <service>', "end with this service's exit code (implies --abort-on-container-exit)")
    .addOption(new Option('--attach <service>', 'show the logs of this service only (repeatable)').argParser(collect))
    // Not commander's negation of --attach: a list of its own (noAttach).
    .addOption(Object.assign(new Option('--no-attach <service>', 'do not show the logs of this service (repeatable)').argParser(collect), { negate: false }))
    .option('--timestamps', 'show timestamps in the attached logs')
    .addOption(new Option('--scale <service=n>', 'run n replicas of a service (repeatable; overrides scale in the file)').argParser(collect));
}

/** Checks the flags against the project before anything starts (exit 1 / 2 on a mistake). */
export function checkUpAttachFlags(flags: UpAttachFlags, project: Project): void {
  const known = (what: string, service: string) => {
    if (!project.services[service]) throw new UsageError(`${what} ${service}: no such service`);
  };
  const aborts = flags.abortOnContainerExit || flags.abortOnContainerFailure || flags.exitCodeFrom;
  if (aborts && flags.detach) throw new UsageError('--abort-on-container-exit, --abort-on-container-failure and --exit-code-from need an attached up: leave out -d');
  if (flags.abortOnContainerExit && flags.abortOnContainerFailure) throw new UsageError('--abort-on-container-exit and --abort-on-container-failure cannot be used together');
  if (flags.exitCodeFrom) known('--exit-code-from', flags.exitCodeFrom);
  for (const s of flags.attach ?? []) known('--attach', s);
  for (const s of noAttachList(flags)) known('--no-attach', s);
}

function noAttachList(flags: UpAttachFlags): string[] {
  return flags.noAttach ?? [];
}

/** `--scale web=3`: the project with those replica counts. */
export function withScale(project: Project, scale: readonly string[] = []): Project {
  if (!scale.length) return project;
  const services = { ...project.services };
  for (const entry of scale) {
    const m = /^([^=]+)=(\d+)$/.exec(entry);
    if (!m) throw new UsageError(`--scale ${entry}: expected SERVICE=NUMBER`);
    const service = services[m[1]!];
    if (!service) throw new UsageError(`--scale ${entry}: no such service: ${m[1]}`);
    services[m[1]!] = { ...service, scale: Number(m[2]) };
  }
  return { ...project, services };
}

/** The containers whose logs an attached up shows. */
export function attachedContainers(containers: readonly ObservedContainer[], flags: UpAttachFlags): ObservedContainer[] {
  const only = flags.attach?.length ? new Set(flags.attach) : undefined;
  const skip = new Set(noAttachList(flags));
  return containers.filter((c) => (!only || only.has(c.service)) && !skip.has(c.service));
}

/** What ended an attached up early. */
export interface AbortCause {
  readonly container: string;
  readonly service: string;
  readonly exitCode: number;
}

/** Whether a container's exit stops the stack, by the flags. */
export function abortsOn(flags: UpAttachFlags, exitCode: number): boolean {
  if (flags.abortOnContainerExit || flags.exitCodeFrom) return true;
  return Boolean(flags.abortOnContainerFailure) && exitCode !== 0;
}

/**
 * Watches the stack's containers (every one, attached or not) until the first exit that aborts
 * (by the flags) and calls `onAbort` once. Resolves when it called it or `signal` ended the watch.
 */
export async function watchForAbort(
  containers: readonly ObservedContainer[],
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  flags: UpAttachFlags,
  signal: AbortSignal,
  onAbort: (cause: AbortCause) => void,
): Promise<void> {
  if (!flags.abortOnContainerExit && !flags.abortOnContainerFailure && !flags.exitCodeFrom) return;
  let fired = false;
  await Promise.all(
    containers.map(async (c) => {
      const client = clients[c.platform] ?? clients.linux ?? clients.windows!;
      // First `not-running`: a container that already exited (before the watch began) counts at once.
      for (let first = true; ; first = false) {
        let exitCode: number;
        try {
          exitCode = await client.waitContainer(c.id, first ? 'not-running' : 'next-exit', signal);
        } catch {
          return; // the watch ended, or the container is gone
        }
        if (signal.aborted || fired) return;
        if (abortsOn(flags, exitCode)) {
          fired = true;
          onAbort({ container: c.name, service: c.service, exitCode });
          return;
        }
      }
    }),
  );
}

/**
 * The exit code an attached up ends with: the --exit-code-from service's container's code
 * (inspected once the stack stopped), else the code of the exit that aborted the stack.
 */
export async function attachedExitCode(projectName: string, daemons: Daemons, flags: UpAttachFlags, cause: AbortCause | undefined): Promise<number | undefined> {
  if (flags.exitCodeFrom) {
    const containers = await projectContainers(projectName, daemons, { services: [flags.exitCodeFrom], all: true });
    const codes = await Promise.all(
      containers.map(async ({ client, container }) => ((await client.inspectContainer(container.id)).State as { ExitCode?: number } | undefined)?.ExitCode ?? 0),
    );
    return codes.find((code) => code !== 0) ?? codes[0];
  }
  return cause?.exitCode;
}

/** How many log lines of a failing service `up --wait` shows. */
const FAILURE_LOG_LINES = 10;

/**
 * A failed wait (`up --wait`, a depends_on condition) with what the user needs to see next: the
 * service's containers, their state, and their last log lines. Other errors pass unchanged.
 */
export async function withServiceDetails(error: unknown, projectName: string, daemons: Daemons): Promise<unknown> {
  if (!(error instanceof DependencyError) || !error.service) return error;
  let details = '';
  try {
    const containers = await projectContainers(projectName, daemons, { services: [error.service], all: true });
    for (const { client, container } of containers) {
      const health = container.health ? ` (${container.health})` : '';
      const exit = container.status === 'exited' && container.exitCode !== undefined ? ` (exit code ${container.exitCode})` : '';
      details += `\n${container.name} on ${client.label}: ${container.status}${health}${exit}`;
      const lines: string[] = [];
      for await (const line of await client.containerLogs(container.id, { tail: FAILURE_LOG_LINES })) lines.push(line.text.replace(/\n$/, ''));
      details += lines.length ? `; last log lines:\n${lines.map((l) => `  | ${l}`).join('\n')}` : '; no log output';
    }
  } catch {
    return error; // what the daemon could not tell does not hide the failure itself
  }
  if (!details) return error;
  const message = `${error.message}${details}`;
  return error instanceof WaitTimeoutError
    ? new WaitTimeoutError(message, error.service, error.lastHealthLog)
    : new DependencyError(message, error.service, error.lastHealthLog);
}
