/**
 * One handler per operation kind: each does what its operation says, with the values the plan
 * names, and decides nothing (adoption, severities, waits and addresses are operation fields).
 * The scheduler (execute.ts) calls them; they report through their return value (the step's message).
 */
import { readFile } from 'node:fs/promises';
import { DependencyError, PlanError, WaitTimeoutError } from '../errors.js';
import type { PlatformOs } from '../model/project.js';
import { conditionalRecreateOutcome } from '../plan/format-plan.js';
import { materializeSpec } from '../plan/materialize.js';
import { networkGateways } from './observe.js';
import type { BoundedStop, ContainerRef, ContainerSpec, CreateContainerOp, Operation, RegisterHostsOp, RuntimeIp, UnregisterHostsOp, WaitContainerOp } from '../plan/plan.js';
import { RESOLVER_HOSTS_DIR, RESOLVER_IP_TEXT, hostsFileContent } from '../plan/resolver.js';
import type { DaemonClient, EngineBody } from './daemon-client.js';
import { isConflict, isInProgress, isNotFound } from './docker/errors.js';
import { stopBounded, type StopResult } from './stop.js';
import { buildImage, pullImage, type ImageRunState } from './execute-images.js';
import { tarArchive } from './tar.js';
import { writeResolverFiles } from './resolver-hosts-write.js';
import type { HostsFileWrite } from '../plan/resolver-hosts-protocol.js';
import { runProbeReach, type ProbeOpState } from './probe-op.js';
import { removeNetworkReleased } from './network-release.js';

/** Builds (or pulls) a helper image the plan needs on a daemon (engine/helper-images.ts). */
export type EnsureHelperImage = (client: DaemonClient, image: string, purpose: 'resolver') => Promise<void>;

/** What the handlers share with the scheduler: connections, the values filled in so far, the clock. */
export interface RunState extends ProbeOpState, ImageRunState {
  readonly clientOf: (daemon: PlatformOs) => DaemonClient;
  /** create operation id → container id. */
  readonly created: Map<string, string>;
  /** start operation id → network name → IPv4. */
  readonly addresses: Map<string, Record<string, string>>;
  /** create-network operation id (readGateway) → its IPAM gateway. */
  readonly gateways: Map<string, string>;
  /** Create operations whose old container was kept running (their start has nothing to do). */
  readonly keptRunning: Set<string>;
  readonly now: () => number;
  readonly delay: (ms: number) => Promise<void>;
  readonly pollIntervalMs: number;
  /** True once the run is ending (another operation failed, or the user interrupted): waits give up. */
  readonly ending: () => boolean;
  readonly ensureHelperImage?: EnsureHelperImage;
  /** How long a hosts write waits for the resolver's answer (engine/resolver-hosts-write.ts). */
  readonly hostsAnswerTimeoutMs?: number;
  /** A warning the plan chose over a failure (a stuck stop with `stuck: 'warn'`), or a probe outcome's. */
  readonly warn: (message: string, service?: string) => void;
}

/** A condition wait given up because the run is ending. */
export class WaitCancelled extends Error {}

/** IPv4 per network from an inspect body. */
export function containerIps(inspect: EngineBody): Record<string, string> {
  const networks = (inspect.NetworkSettings as { Networks?: Record<string, { IPAddress?: string }> } | undefined)?.Networks ?? {};
  const ips: Record<string, string> = {};
  for (const [name, n] of Object.entries(networks)) if (n.IPAddress) ips[name] = n.IPAddress;
  return ips;
}

export function idOf(state: RunState, ref: ContainerRef): string {
  if ('id' in ref) return ref.id;
  const id = state.created.get(ref.createdBy);
  if (!id) throw new Error(`internal: ${ref.createdBy} has not created its container`);
  return id;
}

export function runtimeIp(state: RunState, ref: RuntimeIp): string | undefined {
  return state.addresses.get(ref.ipOf)?.[ref.network];
}

/** A removal of something already gone is done. */
async function ignoreMissing(removal: Promise<void>): Promise<void> {
  try {
    await removal;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Files of a create (secrets/configs) as one archive unpacked at the plan's root for them. */
async function filesArchive(spec: Pick<ContainerSpec, 'filesRoot'>, files: ContainerSpec['files']): Promise<{ root: string; tar: Buffer }> {
  const root = spec.filesRoot ?? '/';
  const entries = await Promise.all(
    files.map(async (f) => ({
      path: (f.path.startsWith(root) ? f.path.slice(root.length) : f.path).replace(/\\/g, '/').replace(/^\/+/, ''),
      content: f.hostFile ? await readFile(f.hostFile) : f.content,
      mode: f.mode,
    })),
  );
  return { root, tar: tarArchive(entries) };
}

/** A stop bounded as the plan says; a stuck container fails the operation when the plan says so. */
async function boundedStop(client: DaemonClient, id: string, name: string, stop: BoundedStop): Promise<StopResult> {
  const result = await stopBounded(
    client,
    { id, name },
    { graceSeconds: stop.timeoutSeconds, ...(stop.signal ? { signal: stop.signal } : {}), killWaitSeconds: stop.killWaitSeconds },
  );
  if (result.outcome === 'stuck' && stop.stuck === 'fail') throw new Error(result.message ?? `container ${name} is stuck`);
  return result;
}

function wiredText(state: RunState, op: CreateContainerOp): string {
  return op.spec.substitutions
    .filter((sub) => sub.text !== RESOLVER_IP_TEXT)
    .map((sub) => `${sub.text}=${sub.value ?? (sub.runtime ? runtimeIp(state, sub.runtime) : '')}`)
    .join(', ');
}

async function createContainer(state: RunState, op: CreateContainerOp): Promise<string | undefined> {
  const client = state.clientOf(op.daemon);
  const spec = materializeSpec(op.spec, (ref) => runtimeIp(state, ref));
  if (!spec) throw new Error(`internal: a runtime value of ${op.id} is not known`);
  if (op.replaces) {
    // The plan's rule: same config hash once the addresses are known, and the same image after this
    // plan's pull or build of it (when there is one) → keep the old container.
    const sameImage = !op.replaces.image || state.images.get(op.replaces.image.producedBy) === op.replaces.image.id;
    if (op.replaces.configHash === spec.hash && sameImage) {
      state.created.set(op.id, op.replaces.id);
      if (op.replaces.running) state.keptRunning.add(op.id);
      return conditionalRecreateOutcome(false, wiredText(state, op));
    }
    if (op.replaces.running) await boundedStop(client, op.replaces.id, op.name, op.replaces);
    await ignoreMissing(client.removeContainer(op.replaces.id, { force: true, volumes: false }));
  }
  const { id } = await client.createContainer(op.name, spec.body, op.spec.platformQuery);
  state.created.set(op.id, id);
  for (const c of spec.connect) await client.connectNetwork(c.network, id, c.endpoint);
  if (spec.files.length) {
    const { root, tar } = await filesArchive(op.spec, spec.files);
    await client.putArchive(id, root, tar);
  }
  // Say which addresses were wired in: "{{ db.host }}=10.201.0.3".
  if (op.replaces) return conditionalRecreateOutcome(true, wiredText(state, op), op.replaces.configHash === spec.hash ? 'image changed' : 'config changed');
  return wiredText(state, op) || undefined;
}

interface ContainerState {
  Status?: string;
  Running?: boolean;
  ExitCode?: number;
  Health?: { Status?: string; Log?: { Output?: string; ExitCode?: number }[] };
}

/** The wait's verdict on one inspect: done, not yet, or a DependencyError. */
function waitVerdict(op: WaitContainerOp, state: ContainerState, lastLog: string): 'done' | 'pending' | DependencyError {
  const who = op.waiter ? ` (${op.waiter} waits for it)` : '';
  const exited = state.Status === 'exited' || state.Status === 'dead';
  const exitedError = (extra = '') => new DependencyError(`service ${op.service} (${op.name}) exited with code ${state.ExitCode}${extra}${who}`, op.service, lastLog);
  if (op.condition === 'completed') {
    if (!exited) return 'pending';
    return state.ExitCode === 0 ? 'done' : new DependencyError(`service ${op.service} (${op.name}) exited with code ${state.ExitCode}${who}`, op.service);
  }
  if (op.condition === 'running') {
    if (state.Running) return 'done';
    return exited ? new DependencyError(`service ${op.service} (${op.name}) exited with code ${state.ExitCode}${who}`, op.service) : 'pending';
  }
  const health = state.Health?.Status;
  if (health === 'healthy') return 'done';
  if (health === 'unhealthy') {
    return new DependencyError(`service ${op.service} (${op.name}) is unhealthy${who}; last health check: ${lastLog || 'no output'}`, op.service, lastLog);
  }
  return exited ? exitedError(' before it was healthy') : 'pending';
}

async function waitFor(state: RunState, op: WaitContainerOp): Promise<void> {
  const client = state.clientOf(op.daemon);
  const id = idOf(state, op.container);
  const deadline = state.now() + op.timeoutMs;
  let lastLog = '';
  for (;;) {
    if (state.ending()) throw new WaitCancelled();
    const inspect = await client.inspectContainer(id);
    const current = (inspect.State ?? {}) as ContainerState;
    const log = current.Health?.Log?.at(-1);
    if (log) lastLog = `${(log.Output ?? '').trim()}${log.ExitCode !== undefined ? ` (exit ${log.ExitCode})` : ''}`;
    const verdict = waitVerdict(op, current, lastLog);
    if (verdict === 'done') return;
    if (verdict instanceof DependencyError) throw verdict;
    if (state.now() >= deadline) {
      const who = op.waiter ? ` (${op.waiter} waits for it)` : '';
      throw new WaitTimeoutError(
        `timed out after ${Math.round(op.timeoutMs / 1000)}s waiting for service ${op.service} (${op.name}) to be ${op.condition}${who}` +
          (op.condition === 'healthy' ? `; last health check: ${lastLog || 'none yet'}` : ''),
        op.service,
        lastLog,
      );
    }
    await state.delay(state.pollIntervalMs);
  }
}

async function removeContainer(state: RunState, op: Extract<Operation, { kind: 'remove-container' }>): Promise<void> {
  const client = state.clientOf(op.daemon);
  const id = idOf(state, op.container);
  try {
    await client.removeContainer(id, { force: true, volumes: op.volumes });
    return;
  } catch (error) {
    if (isNotFound(error)) return;
    if (!isInProgress(error)) throw error;
    // Someone else is removing it: wait as long as the plan allows until it is gone.
    const deadline = state.now() + op.inProgressWaitMs;
    for (;;) {
      try {
        await client.inspectContainer(id);
      } catch (inspectError) {
        if (isNotFound(inspectError)) return;
        throw inspectError;
      }
      if (state.now() >= deadline) throw error;
      await state.delay(state.pollIntervalMs);
    }
  }
}

/** One hosts file to write and the step's message. */
export function hostsEntry(state: RunState, op: RegisterHostsOp | UnregisterHostsOp): { file?: HostsFileWrite; message: string } {
  const dir = op.dir ?? RESOLVER_HOSTS_DIR;
  if (op.kind === 'unregister-hosts') {
    // An empty file: dnsmasq drops the names the file gave when it changes.
    return { file: { dir, file: op.file, content: '' }, message: `${op.names.join(' ')} no longer answered` };
  }
  const ip = op.ip.value ?? (op.ip.runtime ? runtimeIp(state, op.ip.runtime) : op.ip.gatewayOf ? state.gateways.get(op.ip.gatewayOf) : undefined);
  if (!ip) {
    if (op.ifNoAddress === 'skip') return { message: 'no address to register' };
    const why = op.ip.runtime ? `${op.ip.runtime.ipOf} has none on ${op.ip.runtime.network}` : op.ip.gatewayOf ? `${op.ip.gatewayOf} has no gateway` : 'none given';
    throw new Error(`${op.service}: no address to register (${why})`);
  }
  return { file: { dir, file: op.file, content: hostsFileContent(ip, op.names) }, message: `${op.names.join(' ')} → ${ip}` };
}

/**
 * Registrations ready together on one resolver are one write: a single batch with every file
 * through the resolver's stdin (dnsmasq reads each changed file of its hostsdir), confirmed by the
 * resolver before the operations waiting for these names start. Returns each operation's message.
 */
export async function writeHosts(state: RunState, ops: readonly (RegisterHostsOp | UnregisterHostsOp)[]): Promise<Map<string, string>> {
  const messages = new Map<string, string>();
  const files: HostsFileWrite[] = [];
  for (const op of ops) {
    const { file, message } = hostsEntry(state, op);
    if (file) files.push(file);
    messages.set(op.id, message);
  }
  const first = ops[0]!;
  if (files.length) await writeResolverFiles(state.clientOf(first.daemon), idOf(state, first.resolver), files, state.hostsAnswerTimeoutMs);
  return messages;
}

/** Runs one operation; resolves with the step's message. */
export async function runOperation(state: RunState, op: Operation): Promise<string | undefined> {
  const client = state.clientOf(op.daemon);
  switch (op.kind) {
    case 'create-network':
      try {
        // The adapter asks again when two local daemons race in iptables (isIptablesRace).
        await client.createNetwork(op.body);
      } catch (error) {
        if (!isConflict(error)) throw error;
        const existing = await client.inspectNetwork(op.name);
        const labels = (existing.Labels as Record<string, string> | undefined) ?? {};
        if (!Object.entries(op.ifExists.adoptWithLabels).every(([k, v]) => labels[k] === v)) throw new PlanError(op.ifExists.refusal);
      }
      if (op.readGateway) {
        const gateway = networkGateways(await client.inspectNetwork(op.name))[0];
        if (gateway) state.gateways.set(op.id, gateway);
      }
      return undefined;
    case 'create-volume':
      await client.createVolume(op.body);
      return undefined;
    case 'ensure-helper-image':
      if (!state.ensureHelperImage) throw new PlanError(op.unavailable);
      await state.ensureHelperImage(client, op.image, op.purpose);
      return 'built';
    case 'pull-image':
      return pullImage(state, op);
    case 'build-image':
      return buildImage(state, op);
    case 'create-container':
      return createContainer(state, op);
    case 'start-container': {
      const id = idOf(state, op.container);
      const kept = 'createdBy' in op.container && state.keptRunning.has(op.container.createdBy);
      if (!kept) await client.startContainer(id);
      if (op.inspect) state.addresses.set(op.id, containerIps(await client.inspectContainer(id)));
      return kept ? 'running' : undefined;
    }
    case 'wait':
      await waitFor(state, op);
      return op.condition === 'running' ? 'running' : op.condition === 'completed' ? 'exited 0' : undefined;
    case 'stop-container': {
      const result = await boundedStop(client, idOf(state, op.container), op.name, op);
      if (result.outcome === 'stuck') state.warn(result.message ?? `container ${op.name} is stuck`, op.service);
      if (result.outcome !== 'killed') return undefined;
      return op.timeoutSeconds === 0 ? 'killed' : `killed after ${op.timeoutSeconds}s`;
    }
    case 'remove-container':
      await removeContainer(state, op);
      return undefined;
    case 'restart-container': {
      const id = idOf(state, op.container);
      // A restart is a stop and a start; the stop is bounded like any other (LCOW ignores stop).
      const stopped = await boundedStop(client, id, op.name, op);
      await client.startContainer(id);
      state.addresses.set(op.id, containerIps(await client.inspectContainer(id)));
      return stopped.outcome === 'killed' ? `killed after ${op.timeoutSeconds}s, started` : undefined;
    }
    case 'register-hosts':
    case 'unregister-hosts':
      return (await writeHosts(state, [op])).get(op.id);
    case 'remove-network':
      await removeNetworkReleased(client, state, op);
      return undefined;
    case 'remove-volume':
      await ignoreMissing(client.removeVolume(op.name));
      return undefined;
    case 'remove-image':
      await ignoreMissing(client.removeImage(op.name));
      return undefined;
    case 'probe-reach':
      return runProbeReach(state, op);
    case 'by-reach':
      // The scheduler runs its outcome's variant in its place (execute.ts).
      throw new Error(`internal: ${op.id} ran before the reach probe answered`);
  }
}
