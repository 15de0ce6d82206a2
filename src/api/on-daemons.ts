/**
 * The library's calls on daemons already connected: what `up`, `down`, `start`/`stop`/`restart`,
 * `ps`, `logs` and `run` do, as functions of (project, daemons, options). The public calls of
 * commands.ts connect, call these, and close; the CLI's sessions (which add the project lock,
 * --retry-daemon and a partial connect for `down`) call these directly and only print. Nothing here
 * prints or exits; every long call takes an AbortSignal; progress goes to `onEvent`.
 */
import { apply, type ApplyOptions, type Daemons } from '../engine/apply.js';
import { imagePolicy, type ImageOptions } from '../engine/images.js';
import type { ImageFactOptions } from '../engine/image-facts.js';
import { logContainers, streamLogs, type LogsOptions as StreamOptions } from '../engine/logs.js';
import { observe } from '../engine/observe.js';
import { projectContainers } from '../engine/project-containers.js';
import type { TerminalIo } from '../engine/interactive.js';
import { attachOneOff, createOneOff, planOneOff, type OneOffOverrides } from '../engine/run-oneoff.js';
import type { LogEvent } from '../model/events.js';
import type { PlatformOs, Project } from '../model/project.js';
import { withDependencies } from '../plan/dependencies.js';
import type { Plan } from '../plan/plan.js';
import type { ContainerStatus } from '../plan/observed-state.js';
import type { PlanCommand, ReconcileOptions } from '../plan/reconcile-options.js';
import type { CallOptions } from './stack.js';

/** One container of the stack. */
export interface ContainerInfo {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  /** The daemon it runs on (its platform's daemon). */
  readonly daemon: PlatformOs;
  readonly status: ContainerStatus;
  readonly health?: 'starting' | 'healthy' | 'unhealthy';
  readonly exitCode?: number;
  /** Network name → IPv4 on its daemon. */
  readonly ips: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly target: number; readonly published?: number; readonly protocol: string; readonly hostIp?: string }[];
}

/** What every call that changes the stack also takes. */
export interface ChangeOptions extends CallOptions {
  /** Plan only: nothing is pulled, built, created, started, stopped or removed; the plan is returned. */
  readonly dryRun?: boolean;
  /** For a daemon fault's report: the command that continues (the CLI gives its own command line). */
  readonly resume?: ApplyOptions['resume'];
}

/** How the images are brought (`up --pull`, `--build`, `--no-build`). */
export interface ImageChoice {
  readonly pull?: ImageOptions['pull'];
  /** true: build every service with a build section; false: never build (`--no-build`). */
  readonly build?: boolean;
}

export interface UpOptions extends ChangeOptions, ImageChoice {
  /** Only these services (and what they depend on, unless noDeps). */
  readonly services?: readonly string[];
  /** Wait until every service is running / healthy (as `up --wait`); the library's `up` defaults to true. */
  readonly wait?: boolean;
  readonly waitTimeoutMs?: number;
  readonly forceRecreate?: boolean;
  readonly noRecreate?: boolean;
  readonly removeOrphans?: boolean;
  readonly noDeps?: boolean;
  /** Create, do not start (`up --no-start`). */
  readonly noStart?: boolean;
  /** Stop timeout (seconds) for what is recreated. */
  readonly timeout?: number;
  readonly resolverImage?: string;
  /** false: do not list the stack's containers afterwards (`containers` is then empty; the CLI's up). */
  readonly listContainers?: boolean;
}

export interface UpResult {
  /** What was done (or, with dryRun, what would be done): a plan of operations, see formatPlan. */
  readonly plan: Plan;
  /** The stack's containers afterwards (empty with dryRun). */
  readonly containers: readonly ContainerInfo[];
}

/** Environment and the OS stand-in switch, which the images step needs. */
export interface Surroundings {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly allowOsMismatch?: boolean;
}

/** The image facts `up` gathers and the policy it plans them with (also `plan`'s, for `up`). */
export function upImageFacts(
  project: Project,
  options: Pick<UpOptions, 'services' | 'noDeps' | 'pull' | 'build'>,
  around: Surroundings,
): ImageFactOptions {
  return { policy: imagePolicy(imageOptions(project, options, around)), env: around.env };
}

function imageOptions(project: Project, options: Pick<UpOptions, 'services' | 'noDeps' | 'pull' | 'build'>, around: Surroundings): ImageOptions {
  const services = options.services?.length ? [...(options.noDeps ? new Set(options.services) : withDependencies(project, options.services))] : undefined;
  return {
    env: around.env,
    ...(around.allowOsMismatch ? { allowOsMismatch: true } : {}),
    ...(options.pull ? { pull: options.pull } : {}),
    ...(options.build === true ? { build: true } : {}),
    ...(options.build === false ? { noBuild: true } : {}),
    ...(services ? { services } : {}),
  };
}

/** The parts of ApplyOptions every change call passes through as given. */
function applyCallOptions(options: ChangeOptions): Pick<ApplyOptions, 'onEvent' | 'dryRun' | 'resume' | 'signal'> {
  return {
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/**
 * `up` on connected daemons: images, reach probe, networks, containers in dependency order. Like
 * every call here it takes no project lock; `daemons.projectLock` (the CLI's optimistic `up`) makes
 * it observe first and take that lock only when the plan changes something (engine/apply.ts).
 */
export async function upOn(project: Project, daemons: Daemons, options: UpOptions, around: Surroundings): Promise<UpResult> {
  const reconcile: ReconcileOptions = {
    command: 'up',
    ...(options.services ? { services: options.services } : {}),
    ...(options.forceRecreate ? { forceRecreate: true } : {}),
    ...(options.noRecreate ? { noRecreate: true } : {}),
    ...(options.removeOrphans ? { removeOrphans: true } : {}),
    ...(options.noDeps ? { noDeps: true } : {}),
    ...(options.noStart ? { noStart: true } : {}),
    ...(options.wait ? { wait: true } : {}),
    ...(options.waitTimeoutMs !== undefined ? { waitTimeoutMs: options.waitTimeoutMs } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.resolverImage ? { resolverImage: options.resolverImage } : {}),
  };
  // Pulls and builds are operations of the plan: observe gathers the image facts, reconcile plans
  // them with this policy (a dry run lists them; refusals are plan problems).
  const { plan } = await apply(project, daemons, {
    reconcile,
    ...applyCallOptions(options),
    images: upImageFacts(project, options, around),
  });
  return { plan, containers: options.dryRun || options.listContainers === false ? [] : await psOn(project, daemons) };
}

export interface DownOptions extends ChangeOptions {
  /** Remove the stack's named volumes too (`down -v`). */
  readonly volumes?: boolean;
  readonly removeOrphans?: boolean;
  /** Stop timeout in seconds. */
  readonly timeout?: number;
  /** Remove images too: all of them, or those built without an image name. */
  readonly rmi?: 'all' | 'local';
}

/** A plan command (down, start, stop, restart) applied: its reconcile options and the call's. */
async function applyCommand(project: Project, daemons: Daemons, reconcile: ReconcileOptions, options: ChangeOptions): Promise<{ readonly plan: Plan }> {
  const { plan } = await apply(project, daemons, {
    reconcile,
    ...applyCallOptions(options),
  });
  return { plan };
}

/** `down` on connected daemons: stop and remove in reverse dependency order, then networks (and volumes). */
export function downOn(project: Project, daemons: Daemons, options: DownOptions = {}): Promise<{ readonly plan: Plan }> {
  return applyCommand(
    project,
    daemons,
    {
      command: 'down',
      ...(options.volumes ? { volumes: true } : {}),
      ...(options.removeOrphans ? { removeOrphans: true } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.rmi ? { rmi: options.rmi } : {}),
    },
    options,
  );
}

export interface LifecycleOptions extends ChangeOptions {
  /** Only these services (default: all). */
  readonly services?: readonly string[];
  /** Stop timeout in seconds (stop, restart). */
  readonly timeout?: number;
  /** restart: not the services depending on these with `restart: true`. */
  readonly noDeps?: boolean;
}

/** `start`, `stop` or `restart` on connected daemons, in dependency order across both. */
export function lifecycleOn(project: Project, daemons: Daemons, command: Exclude<PlanCommand, 'up' | 'down'>, options: LifecycleOptions = {}): Promise<{ readonly plan: Plan }> {
  return applyCommand(
    project,
    daemons,
    {
      command,
      services: options.services ?? [],
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.noDeps ? { noDeps: true } : {}),
    },
    options,
  );
}

/** The stack's containers on connected daemons (running ones; `all` for stopped too). */
export async function psOn(project: Project, daemons: Daemons, options: { readonly all?: boolean; readonly services?: readonly string[] } = {}): Promise<ContainerInfo[]> {
  const placed = await projectContainers(project.name, daemons, { all: Boolean(options.all), ...(options.services ? { services: options.services } : {}) });
  return placed.map(({ container: c, daemon }) => ({
    id: c.id,
    name: c.name,
    service: c.service,
    daemon,
    status: c.status,
    ...(c.health ? { health: c.health } : {}),
    ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    ips: c.ips,
    ports: c.ports,
  }));
}

export interface StreamLogsOptions extends CallOptions, Omit<StreamOptions, 'signal' | 'services'> {
  readonly services?: readonly string[];
  /** Called once with the names of the containers whose lines follow (to size a prefix column). */
  readonly onContainers?: (names: readonly string[]) => void;
}

/**
 * The stack's log lines from connected daemons, merged in time order, each to `onEvent` (with
 * follow: as they come, until every container stopped or the signal aborts; an abort ends quietly).
 */
export async function logsOn(project: Project, daemons: Daemons, options: StreamLogsOptions): Promise<void> {
  const observed = await observe(project, daemons.clients, daemons.facts);
  const containers = logContainers(observed.containers, options.services);
  options.onContainers?.(containers.map((c) => c.name));
  const { signal, onEvent, onContainers: _names, services: _services, ...stream } = options;
  await streamLogs(daemons.clients, containers, { ...stream, ...(signal ? { signal } : {}) }, (event) => onEvent?.(event));
}

/** Where a one-off's stdio goes (the user's terminal in the CLI, collecting streams in the library). */
export type OneOffIo = TerminalIo;

export interface RunOnOptions extends CallOptions {
  readonly overrides: OneOffOverrides;
  readonly noDeps?: boolean;
  /** Remove the container once it ended. */
  readonly rm?: boolean;
  /** Start it and return at once (no attach, no exit code). */
  readonly detach?: boolean;
  /** Plan only: what it depends on and the one-off's create; nothing changes. */
  readonly dryRun?: boolean;
  /** Called once the container exists, before it gets the terminal (the CLI closes its progress view). */
  readonly beforeAttach?: () => Promise<void>;
}

export interface RunOnResult {
  /** The one-off container's name. */
  readonly container: string;
  readonly daemon: PlatformOs;
  /** The command's exit code (not with detach or dryRun). */
  readonly exitCode?: number;
  /** With dryRun: the plans (dependencies, then the one-off). */
  readonly plans?: readonly Plan[];
}

/** `run` on connected daemons: a one-off container of `service`, wired as the service, attached to `io`. */
export async function runOn(project: Project, daemons: Daemons, service: string, io: OneOffIo, options: RunOnOptions, around: Surroundings): Promise<RunOnResult> {
  const create = {
    service,
    overrides: options.overrides,
    ...(options.noDeps ? { noDeps: true } : {}),
    env: around.env,
    ...(around.allowOsMismatch ? { allowOsMismatch: true } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
  if (options.dryRun) {
    const { plans, name, daemon } = await planOneOff(project, daemons, create);
    return { container: name, daemon, plans };
  }
  const container = await createOneOff(project, daemons, create);
  await options.beforeAttach?.();
  if (options.detach) {
    await container.client.startContainer(container.id);
    return { container: container.name, daemon: container.daemon };
  }
  const exitCode = await attachOneOff(container, io, { tty: options.overrides.tty, interactive: options.overrides.interactive, ...(options.rm ? { rm: true } : {}) });
  return { container: container.name, daemon: container.daemon, exitCode };
}

/** Collects a followed or finished log into a list as well as passing each line on. */
export function collectingLogs(onEvent: CallOptions['onEvent']): { lines: LogEvent[]; onEvent: NonNullable<CallOptions['onEvent']> } {
  const lines: LogEvent[] = [];
  return {
    lines,
    onEvent: (event) => {
      if (event.type === 'log') lines.push(event);
      onEvent?.(event);
    },
  };
}
