/**
 * The executor: walks the Plan DAG with as much parallelism as it allows (an operation starts the
 * moment its last dependency finishes, on either daemon) and makes no decisions of its own. The
 * only values it fills in are the ones the plan names as runtime values (a container's IP after
 * start), through the planner's own materializeSpec.
 *
 * Failure: no new operation starts, the running ones finish, then the error is thrown. A daemon
 * failure becomes a DaemonError naming the daemon, what was done and not, and the command that
 * continues (from the field engineer's fault report).
 */
import { DaemonError, DependencyError, PlanError, WaitTimeoutError } from '../errors.js';
import type { EventSink, ResourceKind, StepEvent } from '../model/events.js';
import type { PlatformOs } from '../model/project.js';
import { daemonFault, type ResumeCommand } from '../plan/fault-report.js';
import { briefOperation, conditionalRecreateOutcome, describeOperation } from '../plan/format-plan.js';
import { materializeSpec } from '../plan/materialize.js';
import type { ContainerFile, ContainerRef, Operation, Plan, RuntimeIp } from '../plan/plan.js';
import { readFile } from 'node:fs/promises';
import { RESOLVER_HOSTS_DIR, RESOLVER_IP_TEXT, RESOLVER_SERVICE, hostsFileContent, resolverBindFailure } from '../plan/resolver.js';
import { LABEL_PROJECT } from '../plan/labels.js';
import type { DaemonClient, EngineBody } from './daemon-client.js';
import { engineStatusCode } from './dockerode-client.js';
import { stopBounded } from './stop.js';
import { KILL_WAIT_SECONDS } from '../plan/stop-policy.js';
import { tarArchive } from './tar.js';

export interface ExecuteOptions {
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  readonly onEvent?: EventSink;
  /** Milliseconds clock for event times and wait deadlines. */
  readonly now?: () => number;
  readonly delay?: (ms: number) => Promise<void>;
  /** Poll interval of condition waits (default 100 ms). */
  readonly pollIntervalMs?: number;
  /** For the fault report: the command being run ("up") and how to run it again. */
  readonly command?: string;
  readonly resume?: ResumeCommand;
  /** At most this many operations at once on one daemon (default: no limit). */
  readonly maxPerDaemon?: number;
  /** Bound on the kill after a stop's grace period (stopBounded). */
  readonly killWaitSeconds?: number;
}

export interface ExecuteResult {
  /** create operation id → container id. */
  readonly created: ReadonlyMap<string, string>;
  /** start operation id → network name → IPv4. */
  readonly addresses: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Operation ids in completion order. */
  readonly completed: readonly string[];
  /** Wall time of each operation: id → [start, end] ms since the run started. */
  readonly timings: ReadonlyMap<string, readonly [number, number]>;
}

/** A condition wait given up because another operation failed. */
class WaitCancelled extends Error {}

const defaultDelay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

function stepShape(op: Operation): { resource: ResourceKind; action: string; name: string; platform?: PlatformOs } {
  switch (op.kind) {
    case 'create-network':
      return { resource: 'network', action: 'create', name: op.name, platform: op.daemon };
    case 'remove-network':
      return { resource: 'network', action: 'remove', name: op.name, platform: op.daemon };
    case 'create-volume':
      return { resource: 'volume', action: 'create', name: op.name, platform: op.daemon };
    case 'remove-volume':
      return { resource: 'volume', action: 'remove', name: op.name, platform: op.daemon };
    case 'remove-image':
      return { resource: 'image', action: 'remove', name: op.name, platform: op.daemon };
    case 'register-hosts':
      return { resource: 'service', action: 'register', name: op.service, platform: op.daemon };
    case 'unregister-hosts':
      return { resource: 'service', action: 'unregister', name: op.service, platform: op.daemon };
    case 'create-container':
      // A conditional recreate is a check: "Checked: unchanged: kept" or "Checked: recreated (config changed) ...".
      return { resource: 'container', action: op.replaces ? 'check' : op.reason === 'new' ? 'create' : 'recreate', name: op.name, platform: op.platform };
    case 'start-container':
      return { resource: 'container', action: 'start', name: op.name, platform: op.platform };
    case 'wait':
      // "Waiting → Healthy" for health; other conditions are a check ("Checked: running").
      return { resource: 'container', action: op.condition === 'healthy' ? 'wait' : 'check', name: op.name, platform: op.platform };
    case 'stop-container':
      return { resource: 'container', action: 'stop', name: op.name, platform: op.platform };
    case 'remove-container':
      return { resource: 'container', action: 'remove', name: op.name, platform: op.platform };
    case 'restart-container':
      return { resource: 'container', action: 'restart', name: op.name, platform: op.platform };
  }
}

/** IPv4 per network from an inspect body. */
export function containerIps(inspect: EngineBody): Record<string, string> {
  const networks = (inspect.NetworkSettings as { Networks?: Record<string, { IPAddress?: string }> } | undefined)?.Networks ?? {};
  const ips: Record<string, string> = {};
  for (const [name, n] of Object.entries(networks)) if (n.IPAddress) ips[name] = n.IPAddress;
  return ips;
}

function isMissing(error: unknown): boolean {
  return engineStatusCode(error) === 404;
}

/** A removal of something already gone is done. */
async function ignoreMissing(removal: Promise<void>): Promise<void> {
  try {
    await removal;
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** Files of a create (secrets/configs) as one archive unpacked at the root. */
async function filesArchive(files: readonly ContainerFile[]): Promise<{ root: string; tar: Buffer }> {
  const windows = files.some((f) => /^[a-zA-Z]:\\/.test(f.path));
  const root = windows ? files[0]!.path.slice(0, 3) : '/';
  const entries = await Promise.all(
    files.map(async (f) => ({
      path: (windows ? f.path.slice(3) : f.path).replace(/\\/g, '/').replace(/^\/+/, ''),
      content: f.hostFile ? await readFile(f.hostFile) : f.content,
      mode: f.mode,
    })),
  );
  return { root, tar: tarArchive(entries) };
}

export async function execute(plan: Plan, options: ExecuteOptions): Promise<ExecuteResult> {
  const now = options.now ?? Date.now;
  const delay = options.delay ?? defaultDelay;
  const poll = options.pollIntervalMs ?? 100;
  const emit = options.onEvent ?? (() => undefined);
  const t0 = now();
  const created = new Map<string, string>();
  const addresses = new Map<string, Record<string, string>>();
  const completed: string[] = [];
  const timings = new Map<string, [number, number]>();
  let failure: { op: Operation; error: unknown } | undefined;

  const clientOf = (daemon: PlatformOs): DaemonClient => {
    const client = options.clients[daemon];
    if (!client) throw new PlanError(`no connection to the ${daemon} daemon`);
    return client;
  };
  const idOf = (ref: ContainerRef): string => {
    if ('id' in ref) return ref.id;
    const id = created.get(ref.createdBy);
    if (!id) throw new Error(`internal: ${ref.createdBy} has not created its container`);
    return id;
  };
  const runtimeIp = (ref: RuntimeIp): string | undefined => {
    const ips = addresses.get(ref.ipOf);
    if (!ips) return undefined;
    if (ref.network && ips[ref.network]) return ips[ref.network];
    const first = Object.keys(ips).sort()[0];
    return first ? ips[first] : undefined;
  };

  /** Create operations whose old container was kept running (their start has nothing to do). */
  const keptRunning = new Set<string>();
  const wiredText = (op: Extract<Operation, { kind: 'create-container' }>): string =>
    op.spec.substitutions
      .filter((sub) => sub.text !== RESOLVER_IP_TEXT)
      .map((sub) => `${sub.text}=${sub.value ?? (sub.runtime ? runtimeIp(sub.runtime) : '')}`)
      .join(', ');
  /** The config changed after all: stop (bounded) and remove the container the create replaces. */
  async function replaceOld(client: DaemonClient, op: Extract<Operation, { kind: 'create-container' }>): Promise<void> {
    const old = op.replaces!;
    if (old.running) {
      const result = await stopBounded(
        client,
        { id: old.id, name: op.name },
        { graceSeconds: old.timeoutSeconds, ...(old.signal ? { signal: old.signal } : {}), killWaitSeconds: options.killWaitSeconds ?? KILL_WAIT_SECONDS[op.platform] },
      );
      if (result.outcome === 'stuck') throw new Error(result.message ?? `container ${op.name} is stuck`);
    }
    await ignoreMissing(client.removeContainer(old.id, { force: true, volumes: false }));
  }

  async function waitFor(op: Extract<Operation, { kind: 'wait' }>): Promise<void> {
    const client = clientOf(op.daemon);
    const id = idOf(op.container);
    const deadline = now() + op.timeoutMs;
    let lastLog = '';
    for (;;) {
      // Another operation failed: the run ends, so stop waiting.
      if (failure) throw new WaitCancelled();
      const inspect = await client.inspectContainer(id);
      const state = (inspect.State ?? {}) as {
        Status?: string;
        Running?: boolean;
        ExitCode?: number;
        Health?: { Status?: string; Log?: { Output?: string; ExitCode?: number }[] };
      };
      const log = state.Health?.Log?.at(-1);
      if (log) lastLog = `${(log.Output ?? '').trim()}${log.ExitCode !== undefined ? ` (exit ${log.ExitCode})` : ''}`;
      const who = op.waiter ? ` (${op.waiter} waits for it)` : '';
      const exited = state.Status === 'exited' || state.Status === 'dead';
      if (op.condition === 'completed') {
        if (exited) {
          if (state.ExitCode === 0) return;
          throw new DependencyError(`service ${op.service} (${op.name}) exited with code ${state.ExitCode}${who}`, op.service);
        }
      } else if (op.condition === 'running') {
        if (state.Running) return;
        if (exited) throw new DependencyError(`service ${op.service} (${op.name}) exited with code ${state.ExitCode}${who}`, op.service);
      } else {
        const health = state.Health?.Status;
        if (health === 'healthy') return;
        if (health === 'unhealthy') {
          throw new DependencyError(
            `service ${op.service} (${op.name}) is unhealthy${who}; last health check: ${lastLog || 'no output'}`,
            op.service,
            lastLog,
          );
        }
        if (exited) throw new DependencyError(`service ${op.service} (${op.name}) exited with code ${state.ExitCode} before it was healthy${who}`, op.service, lastLog);
      }
      if (now() >= deadline) {
        throw new WaitTimeoutError(
          `timed out after ${Math.round(op.timeoutMs / 1000)}s waiting for service ${op.service} (${op.name}) to be ${op.condition}${who}` +
            (op.condition === 'healthy' ? `; last health check: ${lastLog || 'none yet'}` : ''),
          op.service,
          lastLog,
        );
      }
      await delay(poll);
    }
  }

  async function run(op: Operation): Promise<string | undefined> {
    const client = clientOf(op.daemon);
    switch (op.kind) {
      case 'create-network':
        try {
          // The adapter asks again when two local daemons race in iptables (isIptablesRace).
          await client.createNetwork(op.body);
        } catch (error) {
          if (engineStatusCode(error) !== 409) throw error;
          // It exists: fine if this project made it (a concurrent run); never adopt someone else's.
          const existing = await client.inspectNetwork(op.name);
          const project = (op.body.Labels as Record<string, string>)[LABEL_PROJECT];
          if ((existing.Labels as Record<string, string> | undefined)?.[LABEL_PROJECT] !== project) {
            throw new PlanError(
              `network ${op.name} already exists on the ${op.daemon} daemon (${client.label}) and does not belong to project ${project}; remove it, or declare it \`external: true\` to use it`,
            );
          }
        }
        return undefined;
      case 'create-volume':
        await client.createVolume(op.body);
        return undefined;
      case 'create-container': {
        const spec = materializeSpec(op.spec, runtimeIp);
        if (!spec) throw new Error(`internal: a runtime value of ${op.id} is not known`);
        if (op.replaces) {
          // The plan's rule: same config hash once the addresses are known → keep the old container.
          if (op.replaces.configHash === spec.hash) {
            created.set(op.id, op.replaces.id);
            if (op.replaces.running) keptRunning.add(op.id);
            return conditionalRecreateOutcome(false, wiredText(op));
          }
          await replaceOld(client, op);
        }
        const { id } = await client.createContainer(op.name, spec.body, op.spec.platformQuery);
        created.set(op.id, id);
        for (const c of spec.connect) await client.connectNetwork(c.network, id, c.endpoint);
        if (spec.files.length) {
          const { root, tar } = await filesArchive(spec.files);
          await client.putArchive(id, root, tar);
        }
        // Say which addresses were wired in: "{{ db.host }}=10.201.0.3".
        if (op.replaces) return conditionalRecreateOutcome(true, wiredText(op));
        return wiredText(op) || undefined;
      }
      case 'start-container': {
        const id = idOf(op.container);
        const kept = 'createdBy' in op.container && keptRunning.has(op.container.createdBy);
        if (kept) {
          if (op.inspect) addresses.set(op.id, containerIps(await client.inspectContainer(id)));
          return 'running';
        }
        await client.startContainer(id);
        if (op.inspect) addresses.set(op.id, containerIps(await client.inspectContainer(id)));
        return undefined;
      }
      case 'wait':
        await waitFor(op);
        return op.condition === 'running' ? 'running' : op.condition === 'completed' ? 'exited 0' : undefined;
      case 'stop-container': {
        const result = await stopBounded(
          client,
          { id: idOf(op.container), name: op.name },
          { graceSeconds: op.timeoutSeconds, ...(op.signal ? { signal: op.signal } : {}), killWaitSeconds: options.killWaitSeconds ?? KILL_WAIT_SECONDS[op.platform] },
        );
        if (result.outcome === 'stuck') emit({ type: 'warning', message: result.message ?? `container ${op.name} is stuck`, service: op.service });
        if (result.outcome !== 'killed') return undefined;
        return op.timeoutSeconds === 0 ? 'killed' : `killed after ${op.timeoutSeconds}s`;
      }
      case 'remove-container': {
        const id = idOf(op.container);
        try {
          await client.removeContainer(id, { force: true, volumes: op.volumes });
        } catch (error) {
          if (isMissing(error)) return undefined;
          if (engineStatusCode(error) !== 409 || !/already in progress/i.test(String((error as Error).message))) throw error;
          // Someone else is removing it (the daemon, an auto-remove): wait until it is gone.
          const deadline = now() + 30_000;
          for (;;) {
            try {
              await client.inspectContainer(id);
            } catch (inspectError) {
              if (isMissing(inspectError)) return undefined;
              throw inspectError;
            }
            if (now() >= deadline) throw error;
            await delay(poll);
          }
        }
        return undefined;
      }
      case 'restart-container': {
        const id = idOf(op.container);
        // A restart is a stop and a start; the stop is bounded like any other (LCOW ignores stop).
        const stopped = await stopBounded(client, { id, name: op.name }, { graceSeconds: op.timeoutSeconds, killWaitSeconds: options.killWaitSeconds ?? KILL_WAIT_SECONDS[op.platform] });
        if (stopped.outcome === 'stuck') throw new Error(stopped.message ?? `container ${op.name} is stuck`);
        await client.startContainer(id);
        addresses.set(op.id, containerIps(await client.inspectContainer(id)));
        return stopped.outcome === 'killed' ? `killed after ${op.timeoutSeconds}s, started` : undefined;
      }
      case 'register-hosts': {
        const ip = op.ip.value ?? (op.ip.runtime ? runtimeIp(op.ip.runtime) : undefined);
        if (!ip) return 'no address to register';
        const dir = (op.dir ?? RESOLVER_HOSTS_DIR).replace(/^\/+/, '');
        await client.putArchive(idOf(op.resolver), '/', tarArchive([{ path: `${dir}/${op.file}`, content: hostsFileContent(ip, op.names) }]));
        return `${op.names.join(' ')} → ${ip}`;
      }
      case 'unregister-hosts': {
        // An empty file: dnsmasq drops the names the file gave when it changes.
        const dir = RESOLVER_HOSTS_DIR.replace(/^\/+/, '');
        await client.putArchive(idOf(op.resolver), '/', tarArchive([{ path: `${dir}/${op.file}`, content: '' }]));
        return `${op.names.join(' ')} no longer answered`;
      }
      case 'remove-network':
        await ignoreMissing(client.removeNetwork(op.name));
        return undefined;
      case 'remove-volume':
        await ignoreMissing(client.removeVolume(op.name));
        return undefined;
      case 'remove-image':
        await ignoreMissing(client.removeImage(op.name));
        return undefined;
    }
  }

  // ---- the walk
  const ops = new Map(plan.operations.map((op) => [op.id, op]));
  const waiting = new Map(plan.operations.map((op) => [op.id, new Set(op.deps.filter((d) => ops.has(d)))]));
  const users = new Map<string, string[]>();
  for (const op of plan.operations) for (const d of op.deps) users.set(d, [...(users.get(d) ?? []), op.id]);
  const running = new Map<string, Promise<void>>();
  const inFlight = new Map<PlatformOs, number>();
  const maxPerDaemon = options.maxPerDaemon ?? Number.POSITIVE_INFINITY;
  // Length of the longest chain of operations after each one (its own included).
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const d = 1 + Math.max(0, ...(users.get(id) ?? []).map(depthOf));
    depth.set(id, d);
    return d;
  };
  for (const id of ops.keys()) depthOf(id);

  const step = (op: Operation, status: StepEvent['status'], message?: string) => {
    const shape = stepShape(op);
    emit({
      type: 'step',
      id: op.id,
      ...shape,
      status,
      ...(message ? { message } : {}),
      at: now() - t0,
    });
  };

  await new Promise<void>((resolveAll) => {
    const launch = () => {
      if (!failure) {
        // Ready operations, those with the longest chain after them first (the critical path), each
        // daemon taking at most `maxPerDaemon` at a time so the chain heads are not queued behind the rest.
        const ready = [...waiting].filter(([, deps]) => deps.size === 0).map(([id]) => id);
        ready.sort((a, b) => depth.get(b)! - depth.get(a)! || (a < b ? -1 : 1));
        for (const id of ready) {
          const op = ops.get(id)!;
          if ((inFlight.get(op.daemon) ?? 0) >= maxPerDaemon) continue;
          inFlight.set(op.daemon, (inFlight.get(op.daemon) ?? 0) + 1);
          waiting.delete(id);
          const started = now() - t0;
          step(op, 'started');
          const promise = run(op).then(
            (message) => {
              timings.set(id, [started, now() - t0]);
              completed.push(id);
              step(op, 'done', message);
              for (const u of users.get(id) ?? []) waiting.get(u)?.delete(id);
            },
            (error: unknown) => {
              timings.set(id, [started, now() - t0]);
              if (error instanceof WaitCancelled) {
                step(op, 'skipped', 'cancelled: another operation failed');
                return;
              }
              step(op, 'failed', error instanceof Error ? error.message : String(error));
              failure ??= { op, error };
            },
          );
          running.set(
            id,
            promise.finally(() => {
              running.delete(id);
              inFlight.set(op.daemon, inFlight.get(op.daemon)! - 1);
              launch();
            }),
          );
        }
      }
      if (running.size === 0) resolveAll();
    };
    launch();
  });

  if (failure) throw translateFailure(plan, failure, completed, options);
  if (waiting.size > 0) throw new Error(`internal: plan operations never became ready: ${[...waiting.keys()].join(', ')}`);
  return { created, addresses, completed, timings };
}

/** Dependency and plan errors pass as they are; daemon failures get the fault report. */
function translateFailure(
  plan: Plan,
  failure: { op: Operation; error: unknown },
  completed: readonly string[],
  options: ExecuteOptions,
): unknown {
  const { op, error } = failure;
  if (error instanceof DependencyError || error instanceof PlanError) return error;
  const client = options.clients[op.daemon];
  const done = new Set(completed);
  const byId = new Map(plan.operations.map((o) => [o.id, o]));
  const brief = (o: Operation) => `${briefOperation(o)} (${o.daemon})`;
  const progress = {
    done: completed.map((id) => brief(byId.get(id)!)),
    notDone: plan.operations.filter((o) => !done.has(o.id)).map(brief),
  };
  const daemonLabel = client?.label ?? op.daemon;
  // The resolver's port 53 bind error, with its setting and fix; no "to continue": up again would fail the same way.
  const bindFailure = op.kind === 'start-container' && op.service === RESOLVER_SERVICE ? resolverBindFailure(error) : undefined;
  if (bindFailure) return new DaemonError(daemonLabel, `${options.command ?? 'up'}: ${describeOperation(op)}`, new Error(bindFailure), progress);
  if (!options.resume) {
    return error instanceof DaemonError ? new DaemonError(daemonLabel, describeOperation(op), error.cause ?? error, progress) : error;
  }
  return daemonFault({
    daemon: daemonLabel,
    operation: `${options.command ?? 'up'}: ${describeOperation(op)}`,
    cause: error instanceof DaemonError ? (error.cause ?? error) : error,
    ...progress,
    resume: options.resume,
  });
}
