/**
 * `up`'s reach probe (reach `auto`, issue 3): can the two daemons' containers reach each other by
 * container IP? A ping from a container on each daemon to the other's IP, both directions at once.
 * linux → windows answered ⇒ windows services are reached by `ip`, else through `published` ports;
 * windows → linux likewise for linux services.
 *
 * Its ends are containers the plan runs anyway where it can (ReachProbeOptions.peers): the project
 * resolver on linux, pinged from by a `ping` record to its hosts reader (one attach, no exec:
 * plan/resolver-hosts-protocol.ts), and a windows service container, pinged from by exec. Where
 * there is none, or ping cannot run in that service's image (fallbackNetworks), a throw-away probe
 * container is the end, on the project's network of that daemon (an older version made a network
 * of its own for it: still removed as a leftover).
 *
 * The probe resources carry the project label plus `io.mixcompose.role=reach-probe`: observe keeps
 * them out of the stack (listed apart as probeLeftovers), the probe removes them afterwards (with an
 * answer, beside what follows it: ReachProbeResult.cleanup, which the run awaits before it ends; on
 * failure and on the user's interrupt before it says so), the next probe removes what a killed `up` left, and `down`
 * and `up` plan the removal of such leftovers (plan/probe-leftovers.ts). The probe containers also
 * end by themselves after PROBE_LIFETIME_SECONDS.
 *
 * It runs as the plan's `probe-reach` operations (plan/probe-plan.ts), beside the work that does not
 * need its answer: a throw-away end started by its own operation (startProbeSide), the pings by the
 * answering one once both ends are up (its peers). The answer is recorded on a container the plan
 * makes after it (plan/reach-record.ts), so only the first `up` of a stack probes.
 */
import { randomBytes } from 'node:crypto';
import type { EventSink } from '../model/events.js';
import type { PlatformOs, Project } from '../model/project.js';
import { createPlatformFor } from '../plan/daemon-check.js';
import { LABEL_PLATFORM, LABEL_PROJECT, LABEL_ROLE, ROLE_REACH_PROBE, projectLabels } from '../plan/labels.js';
import type { DaemonFacts } from '../plan/observed-state.js';
import { pingAnswered, pingCannotRun, pingCommand, reachFromProbe, type PingOutcome, type ProbeDirection } from '../plan/reach.js';
import { probeNetworkName } from '../plan/probe-plan.js';
import { RESOLVER_DEFAULT_IMAGE, resolverImage } from '../plan/resolver.js';
import { encodePingRecord, hostsBatchAnswer } from '../plan/resolver-hosts-protocol.js';
import type { DaemonClient, EngineBody } from './daemon-client.js';
import { ensureResolverImage, resolverBase } from './helper-images.js';
import { bounded, ensureImage, execBounded, firstEndpoint, innermost, removeLabelled, timeLimit, type TimeLimit } from './probe-support.js';

/** Probe image on a Windows daemon (has ping.exe); x-mixcompose.daemons.<p>.probe_image overrides. */
export const DEFAULT_WINDOWS_PROBE_IMAGE = 'mcr.microsoft.com/windows/nanoserver:ltsc2022';
/** A probe container's process ends by itself after this long (a killed `up` leaves nothing running). */
const PROBE_LIFETIME_SECONDS = 60;

export interface ReachProbeOptions {
  readonly project: Project;
  /** The two daemons' clients (distinct daemons: the caller checked). */
  readonly clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>;
  readonly facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>;
  /** MIXCOMPOSE_RESOLVER_IMAGE: the Linux probe image defaults to the resolver image. */
  readonly resolverImage?: string;
  /** Seconds each ping waits for its answer (default 2). */
  readonly pingSeconds?: number;
  /**
   * Pings per direction before it counts as unreachable (default 3). A fresh endpoint can drop its
   * first packets (Windows programs a new endpoint's network policies as it starts; two local
   * daemons reorder the shared iptables chains as they create networks); a reachable peer answers
   * one of them, an unreachable one costs `pingSeconds` each, once per stack.
   */
  readonly pingAttempts?: number;
  /** Seconds the probe may take, getting its images excepted (a pull, the resolver image's build) (default 20). */
  readonly limitSeconds?: number;
  readonly onEvent?: EventSink;
  /**
   * Subscribes to the user's interrupt (Ctrl-C, SIGTERM) while the probe runs; returns the
   * unsubscribe. On an interrupt the probe stops, removes what it made, and answers `interrupted`.
   */
  readonly interrupts?: (onInterrupt: () => void) => () => void;
  /**
   * Running containers to ping from and to instead of a throw-away network and container on that
   * daemon (the plan's project resolver on linux: ProbeReachOp.linuxPeer). Not removed afterwards.
   */
  readonly peers?: Readonly<Partial<Record<PlatformOs, { readonly id: string; readonly ip: string; readonly pingBy?: 'hosts-reader' }>>>;
  /**
   * Per platform whose peer may not have ping (a service container: ProbeReachOp.windowsFallback):
   * the network its throw-away end joins when ping cannot run in the peer; the probe then pings from
   * that end instead (and removes it like any end of its own).
   */
  readonly fallbackNetworks?: Readonly<Partial<Record<PlatformOs, string>>>;
  /** Environment for the resolver image's base (MIXCOMPOSE_RESOLVER_BASE) when the probe builds it (default: none). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `up` was interrupted while probing; the probe removed what it made. */
export class ReachProbeInterrupted extends Error {
  override readonly name = 'ReachProbeInterrupted';
  constructor() {
    super('interrupted while probing reach between the daemons (the probe was removed)');
  }
}

export type ReachProbeResult =
  | {
      readonly ok: true;
      /** Per provider platform. */
      readonly reach: Readonly<Record<PlatformOs, 'ip' | 'published'>>;
      readonly pings: Readonly<Record<ProbeDirection, PingOutcome>>;
      readonly ms: number;
      /** What it found, in a line (its step's message). */
      readonly summary: string;
      /**
       * The removal of its containers and networks, still running when it answers (never rejects):
       * the answer need not wait for it, the caller must before it ends.
       */
      readonly cleanup: Promise<void>;
    }
  | {
      readonly ok: false;
      /** Why the probe could not run, with what to do about it. */
      readonly reason: string;
      readonly ms: number;
      /** The user interrupted it (see ReachProbeOptions.interrupts). */
      readonly interrupted?: boolean;
    };

interface ProbeSide {
  readonly platform: PlatformOs;
  readonly client: DaemonClient;
  /** OS of the probe container: decides the image and the ping syntax. */
  readonly os: 'linux' | 'windows';
  readonly image: string;
  readonly createPlatform?: string;
  readonly networkDriver?: string;
}

const PLATFORMS = ['linux', 'windows'] as const;
/** Id of the probe's own step events. */
export const PROBE_STEP_ID = 'reach-probe';

function probeFilters(project: string): { label: string[] } {
  return { label: [`${LABEL_PROJECT}=${project}`, `${LABEL_ROLE}=${ROLE_REACH_PROBE}`] };
}

export { probeNetworkName };

export function probeContainerName(project: string, platform: PlatformOs): string {
  return `${project}-mixcompose-reach-probe-${platform}`;
}

/** Removes the project's probe containers and networks on the given daemons. Never throws. */
export async function removeReachProbes(project: string, clients: readonly DaemonClient[]): Promise<void> {
  await removeLabelled([...new Set(clients)], probeFilters(project));
}

/** What runs on one daemon: the container OS (an LCOW daemon runs Linux containers), image, driver. */
function sideFor(platform: PlatformOs, client: DaemonClient, facts: DaemonFacts, options: ReachProbeOptions): ProbeSide {
  const os = facts.osType === 'windows' && !(platform === 'linux' && facts.lcow) ? 'windows' : 'linux';
  const configured = options.project.extension.daemons[platform]?.probe_image;
  const image = configured ?? (os === 'windows' ? DEFAULT_WINDOWS_PROBE_IMAGE : resolverImage(options.project, options.resolverImage));
  const createPlatform = createPlatformFor(facts);
  const nat = facts.osType === 'windows' && facts.networkDrivers.includes('nat');
  return { platform, client, os, image, ...(createPlatform ? { createPlatform } : {}), ...(nat ? { networkDriver: 'nat' } : {}) };
}

/** The keep-alive command of a probe container: it must stay up for the pings, and end by itself. */
function keepAlive(os: 'linux' | 'windows'): { Entrypoint: string[]; Cmd: string[] } {
  return os === 'windows'
    ? { Entrypoint: ['ping'], Cmd: ['-n', String(PROBE_LIFETIME_SECONDS), 'localhost'] }
    : { Entrypoint: ['/bin/sh', '-c'], Cmd: [`sleep ${PROBE_LIFETIME_SECONDS}`] };
}

/**
 * The image on the daemon, pulled when missing, except the resolver image: it is not on any
 * registry. mixcompose's own (RESOLVER_DEFAULT_IMAGE) is built there once, as `up` builds it for the
 * resolver (so a first `up` on fresh daemons probes); a resolver image of the user's that is missing
 * is reported, not pulled.
 */
async function probeImage(side: ProbeSide, options: ReachProbeOptions): Promise<void> {
  if (side.image === RESOLVER_DEFAULT_IMAGE) {
    const { base, setting } = resolverBase(options.project, options.env ?? {});
    const facts = options.facts[side.platform];
    await ensureResolverImage(side.client, {
      image: side.image,
      base,
      baseSetting: setting,
      env: options.env ?? {},
      ...(facts ? { facts } : {}),
      ...(options.onEvent ? { onProgress: options.onEvent } : {}),
    });
    return;
  }
  const isResolver = side.image === resolverImage(options.project, options.resolverImage);
  if (isResolver) {
    if (await side.client.inspectImage(side.image)) return;
    throw new Error(`the probe image ${side.image} (the resolver image) is not on the ${side.platform} daemon`);
  }
  if (await side.client.inspectImage(side.image)) return;
  const pullStep = (status: 'started' | 'done' | 'skipped', message: string) =>
    options.onEvent?.({ type: 'step', id: `pull:${side.platform}:${side.image}`, resource: 'image', name: side.image, platform: side.platform, action: 'pull', status, message });
  pullStep('started', 'reach probe image');
  try {
    await ensureImage(side.client, side.image, side.createPlatform);
  } catch (error) {
    // Not an error of `up`, which goes on without the probe: its one warning says why.
    pullStep('skipped', 'not pulled: the reach probe could not run (see the warning)');
    throw error;
  }
  pullStep('done', 'reach probe image');
}

/** The probe's throw-away network on one daemon. */
async function createProbeNetwork(side: ProbeSide, project: Project, network: string): Promise<void> {
  await side.client.createNetwork({
    Name: network,
    CheckDuplicate: true,
    Labels: { ...projectLabels(project), [LABEL_ROLE]: ROLE_REACH_PROBE, [LABEL_PLATFORM]: side.platform },
    ...(side.networkDriver ? { Driver: side.networkDriver } : {}),
  });
}

/** Starts the probe container on one daemon; answers its id and IP. */
async function startProbe(side: ProbeSide, project: Project, network: string): Promise<{ id: string; ip: string }> {
  const body: EngineBody = {
    Image: side.image,
    ...keepAlive(side.os),
    Labels: { ...projectLabels(project), [LABEL_ROLE]: ROLE_REACH_PROBE, [LABEL_PLATFORM]: side.platform },
    HostConfig: { NetworkMode: network },
  };
  const { id } = await side.client.createContainer(probeContainerName(project.name, side.platform), body, side.createPlatform);
  await side.client.startContainer(id);
  const ip = firstEndpoint(await side.client.inspectContainer(id)).IPAddress;
  if (!ip) throw new Error(`the ${side.platform} probe container got no IP address on ${network}`);
  return { id, ip };
}

/**
 * Pings `ip` from the project resolver `id` through its hosts reader (one attach, a few ms of the
 * daemon's CPU, where an exec costs ~200): the loop pings up to `attempts` times and answers once.
 */
async function pingThroughReader(from: ProbeSide, id: string, ip: string, seconds: number, attempts: number): Promise<PingOutcome> {
  const what = `ping -c 1 -W ${seconds} ${ip} (by the resolver's hosts reader)`;
  if (!from.client.exchangeStdin) return { ok: false, detail: `${what}: this daemon client cannot attach to a container` };
  const token = randomBytes(6).toString('hex');
  try {
    const line = await from.client.exchangeStdin(id, encodePingRecord(token, ip, seconds, attempts), {
      answered: (l) => hostsBatchAnswer(l, token) !== undefined,
      timeoutMs: (seconds + 1) * attempts * 1000 + 5000,
    });
    const answer = hostsBatchAnswer(line, token)!;
    const tries = attempts > 1 ? ` (${attempts} tries)` : '';
    return answer.ok ? { ok: true, detail: `${what}: answered` } : { ok: false, detail: `${what}: ${answer.reason}${tries}` };
  } catch (error) {
    return { ok: false, detail: `${what}: ${innermost(error)}` };
  }
}

/** Pings `ip` from the probe container `id` until it answers, at most `attempts` times. */
async function ping(from: ProbeSide, id: string, ip: string, seconds: number, attempts: number, pingBy?: 'hosts-reader'): Promise<PingOutcome> {
  if (pingBy === 'hosts-reader') return pingThroughReader(from, id, ip, seconds, attempts);
  const cmd = pingCommand(from.os, ip, seconds);
  let outcome: PingOutcome | undefined;
  for (let attempt = 1; attempt <= Math.max(1, attempts); attempt++) {
    const r = await execBounded(from.client, id, cmd, seconds + 3);
    const answered = pingAnswered(r.exitCode, r.output);
    if (answered) return { ok: true, detail: `${cmd.join(' ')}: answered` };
    if (pingCannotRun(r.exitCode, r.output)) return { ok: false, cannotRun: true, detail: `${cmd.join(' ')}: cannot run (${r.output || `exit ${r.exitCode}`})` };
    const line = r.output.split('\n').map((l) => l.trim()).find((l) => /ttl=|unreachable|timed out|100% packet loss|no answer/i.test(l));
    const tries = attempt > 1 ? ` (${attempt} tries)` : '';
    outcome = { ok: false, detail: `${cmd.join(' ')}: ${line ?? (r.exitCode === -1 ? r.output : `exit ${r.exitCode}`)}${tries}` };
  }
  return outcome!;
}

function reachText(reach: Readonly<Record<PlatformOs, 'ip' | 'published'>>): string {
  return `linux containers by ${reach.linux}, windows containers by ${reach.windows}`;
}

/**
 * Runs the probe. Never throws: a probe that cannot run answers `ok: false` with the reason (the
 * caller falls back to the endpoint rule and warns).
 */
export async function probeReach(options: ReachProbeOptions): Promise<ReachProbeResult> {
  const started = Date.now();
  const { project, onEvent } = options;
  const stepId = PROBE_STEP_ID;
  const step: ProbeStep = (status, message, reach) =>
    onEvent?.({ type: 'step', id: stepId, resource: 'network', name: 'reach between daemons', action: 'probe', status, message, ...(reach ? { reach } : {}) });
  const failed = (reason: string): ReachProbeResult => {
    const ms = Date.now() - started;
    // The reason is said once, in the caller's warning (probeFailureWarning).
    step('skipped', 'could not run (see the warning)');
    return { ok: false, reason, ms };
  };
  const clients = PLATFORMS.map((p) => options.clients[p]);
  const facts = PLATFORMS.map((p) => options.facts[p]);
  if (clients.some((c) => !c) || facts.some((f) => !f)) return failed('a daemon is not connected');
  const sides = PLATFORMS.map((p, i) => sideFor(p, clients[i]!, facts[i]!, options));
  let interrupt!: (error: Error) => void;
  const interrupted = new Promise<never>((_, reject) => (interrupt = reject));
  interrupted.catch(() => undefined);
  const unsubscribe = options.interrupts?.(() => interrupt(new ReachProbeInterrupted())) ?? (() => undefined);
  try {
    return await probeWith(options, sides, started, step, failed, interrupted);
  } finally {
    unsubscribe();
  }
}

/** Reports the probe's own step (PROBE_STEP_ID): started, done with the reach found, or skipped. */
type ProbeStep = (status: 'started' | 'done' | 'skipped', message: string, reach?: Record<PlatformOs, 'ip' | 'published'>) => void;

/** What the steps of one probe run share (probeWith and the steps it calls). */
interface ProbeRun {
  readonly options: ReachProbeOptions;
  readonly sides: readonly ProbeSide[];
  /** The plan's running containers that are ends instead of throw-away ones (ReachProbeOptions.peers). */
  readonly peers: NonNullable<ReachProbeOptions['peers']>;
  /** The sides that need a throw-away network and container (a peer is a running container of the plan). */
  readonly own: readonly ProbeSide[];
  /** What it is doing now: a failure's reason names it. */
  stage: string;
  /** Set once the probe has answered, failed or been interrupted: a pull that ends later starts nothing. */
  over: boolean;
}

/** Who a platform's peer is in the step's messages: the resolver on linux, a service container on windows (plan/probe-plan.ts). */
function peerText(platform: PlatformOs): string {
  return platform === 'linux' ? 'the project resolver' : 'a service container';
}

/** The started step's message: what kind of ends the probe uses, and which on each daemon. */
function probeStartMessage(run: ProbeRun): string {
  const { sides, peers, own } = run;
  const what = sides.map((s) => (peers[s.platform] ? `${s.platform}: ${peerText(s.platform)}` : `${s.platform}: ${s.image}`)).join(', ');
  const kind = own.length === sides.length ? 'throw-away containers on both daemons' : own.length ? "a throw-away container beside the stack's own" : "the stack's own containers";
  return `${kind} (${what})`;
}

/**
 * The probe after the start: its own ends' images (an interrupt stops the wait), then the run within
 * its time limit, then the removal of what it made and the answer. Each step is a function below.
 */
async function probeWith(
  options: ReachProbeOptions,
  sides: readonly ProbeSide[],
  started: number,
  step: ProbeStep,
  failed: (reason: string) => ReachProbeResult,
  interrupted: Promise<never>,
): Promise<ReachProbeResult> {
  const peers = options.peers ?? {};
  const run: ProbeRun = { options, sides, peers, own: sides.filter((s) => !peers[s.platform]), stage: 'probe image', over: false };
  step('started', probeStartMessage(run));
  const stopped = (): ReachProbeResult => {
    step('skipped', 'interrupted (the probe was removed)');
    return { ok: false, reason: 'interrupted', ms: Date.now() - started, interrupted: true };
  };
  try {
    await Promise.race([Promise.all(run.own.map((s) => probeImage(s, options))), interrupted]);
  } catch (error) {
    if (error instanceof ReachProbeInterrupted) return stopped();
    return failed(`${run.stage}: ${innermost(error)}`);
  }
  const clientList = sides.map((s) => s.client);
  const { running, pings, failure } = await runWithinLimit(run, interrupted);
  // After a timeout or an interrupt the probe may still be creating things: let it settle (briefly)
  // before removing. With an answer, the removal goes on after it (ReachProbeResult.cleanup); without
  // one (failure, interrupt), everything is removed before it says so.
  const settled = running ? bounded(running, 5, 'the reach probe').catch(() => undefined) : Promise.resolve();
  const cleanup = settled.then(() => removeReachProbes(options.project.name, clientList));
  if (!pings) await cleanup;
  if (failure === 'interrupted') return stopped();
  if (!pings) return failed(failure ?? 'no answer');
  return probeAnswer(pings, started, step, cleanup);
}

/** How one probe run ended: its pings, or why not; `running` is the run itself, still settling after a timeout or an interrupt. */
interface ProbeRunEnd {
  readonly running: Promise<Record<ProbeDirection, PingOutcome>> | undefined;
  readonly pings: Record<ProbeDirection, PingOutcome> | undefined;
  /** `interrupted`, or the stage that failed and why. */
  readonly failure: string | undefined;
}

/**
 * Runs the probe (runProbe) against its time limit and the user's interrupt, whichever comes first.
 * The limit counts its own work only: a pull of the fallback's image is not counted (limit.excluding).
 * Marks the run over when it ends, so a pull that ends later starts nothing.
 */
async function runWithinLimit(run: ProbeRun, interrupted: Promise<never>): Promise<ProbeRunEnd> {
  let running: Promise<Record<ProbeDirection, PingOutcome>> | undefined;
  const limit = timeLimit(run.options.limitSeconds ?? 20, 'the reach probe');
  try {
    running = runProbe(run, limit);
    const pings = await Promise.race([running, limit.expired, interrupted]);
    return { running, pings, failure: undefined };
  } catch (error) {
    const failure = error instanceof ReachProbeInterrupted ? 'interrupted' : `${run.stage}: ${innermost(error)}`;
    return { running, pings: undefined, failure };
  } finally {
    run.over = true;
    limit.clear();
  }
}

/** Seconds each ping waits, and pings per direction (ReachProbeOptions.pingSeconds, pingAttempts). */
function pingSettings(options: ReachProbeOptions): { seconds: number; attempts: number } {
  return { seconds: options.pingSeconds ?? 2, attempts: options.pingAttempts ?? 3 };
}

/**
 * The probe's own work: its ends (startEnds), a ping each way, and where a peer cannot ping, the
 * same again from a throw-away end (pingFromFallbackEnd). Sets run.stage as it goes.
 */
async function runProbe(run: ProbeRun, limit: TimeLimit): Promise<Record<ProbeDirection, PingOutcome>> {
  const { sides, peers } = run;
  const ends = await startEnds(run);
  run.stage = 'ping';
  const { seconds, attempts } = pingSettings(run.options);
  const outcomes = await Promise.all(sides.map((s, i) => ping(s, ends[i]!.id, ends[1 - i]!.ip, seconds, attempts, peers[s.platform]?.pingBy)));
  for (const i of sides.keys()) await pingFromFallbackEnd(run, limit, i, ends, outcomes);
  return { 'linux->windows': outcomes[0]!, 'windows->linux': outcomes[1]! } as Record<ProbeDirection, PingOutcome>;
}

/**
 * The container at each end, in the order of run.sides: a peer as given, else a throw-away container
 * on a throw-away network, after removing what an earlier probe left.
 */
async function startEnds(run: ProbeRun): Promise<{ id: string; ip: string }[]> {
  const { project } = run.options;
  // Only where it makes its own end: a peer may be an end another operation started (ProbeReachOp.side).
  run.stage = 'removing an earlier probe';
  await removeReachProbes(project.name, run.own.map((s) => s.client));
  // Both networks at once: two daemons on one host can race in iptables when both create at once,
  // and the adapter asks again for exactly that error (engine/docker/networks.ts, isIptablesRace),
  // as it does for the project's own networks, which the plan makes on both daemons at once too.
  run.stage = 'probe network';
  const network = probeNetworkName(project.name);
  await Promise.all(run.own.map((s) => createProbeNetwork(s, project, network)));
  run.stage = 'probe container';
  const [linux, windows] = await Promise.all(run.sides.map((s) => run.peers[s.platform] ?? startProbe(s, project, network)));
  return [linux!, windows!];
}

/**
 * Where side `i`'s peer could not run ping (a service container) and has a fallback network, starts
 * a throw-away end there and pings both ways again, to and from it (the peer may not run at all: a
 * service that ended), replacing both of `outcomes`. Its image's pull is outside the time limit; a
 * pull that ends after the probe did starts nothing.
 */
async function pingFromFallbackEnd(
  run: ProbeRun,
  limit: TimeLimit,
  i: number,
  ends: readonly { id: string; ip: string }[],
  outcomes: PingOutcome[],
): Promise<void> {
  const { sides, peers, options } = run;
  const s = sides[i]!;
  const network = options.fallbackNetworks?.[s.platform];
  if (!outcomes[i]!.cannotRun || !network || !peers[s.platform]) return;
  const why = `ping cannot run in ${peerText(s.platform)}`;
  run.stage = `probe image (${why})`;
  await limit.excluding(probeImage(s, options));
  if (run.over) throw new Error('the probe ended while its image was pulled');
  run.stage = `probe container (${why})`;
  await removeReachProbes(options.project.name, [s.client]);
  const end = await startProbe(s, options.project, network);
  run.stage = 'ping';
  const { seconds, attempts } = pingSettings(options);
  const other = sides[1 - i]!;
  [outcomes[i], outcomes[1 - i]] = await Promise.all([
    ping(s, end.id, ends[1 - i]!.ip, seconds, attempts),
    ping(other, ends[1 - i]!.id, end.ip, seconds, attempts, peers[other.platform]?.pingBy),
  ]);
}

/**
 * The answer from the pings: the reach per platform and a one-line summary (its step's `done`
 * message). The time reported is what the answer took (its removal, `cleanup`, goes on beside what follows).
 */
function probeAnswer(pings: Record<ProbeDirection, PingOutcome>, started: number, step: ProbeStep, cleanup: Promise<void>): ReachProbeResult {
  const reach = reachFromProbe(pings);
  const ms = Date.now() - started;
  // A direction that did not answer says what it tried: the user may have expected `ip` there.
  const unanswered = (Object.entries(pings) as [ProbeDirection, PingOutcome][]).filter(([, p]) => !p.ok).map(([d, p]) => `${d.replace('->', ' → ')}: ${p.detail}`);
  const summary = `${reachText(reach)} (${(ms / 1000).toFixed(1)}s)${unanswered.length ? `; no answer ${unanswered.join('; ')}` : ''}`;
  step('done', summary, reach);
  return { ok: true, reach, pings, ms, summary, cleanup };
}

/** What starting one end of the probe gave (ProbeReachOp.side): the container to ping from and to, on `network`. */
export type ProbeSideResult =
  | { readonly ok: true; readonly peer: { readonly id: string; readonly ip: string }; readonly network: string }
  | { readonly ok: false; readonly reason: string; readonly interrupted?: boolean };

/**
 * Starts the probe's throw-away end on one daemon (its image and container, on the project network
 * `join` or else on a throw-away network of its own), beside the rest of the plan; the answering probe pings from and to it and removes it after its answer (by
 * its labels, like every probe resource). Never throws: an end that cannot start (or is
 * interrupted) removes what it made and says why.
 */
export async function startProbeSide(options: ReachProbeOptions, platform: PlatformOs, join?: string): Promise<ProbeSideResult> {
  const client = options.clients[platform];
  const facts = options.facts[platform];
  if (!client || !facts) return { ok: false, reason: 'a daemon is not connected' };
  const side = sideFor(platform, client, facts, options);
  const network = join ?? probeNetworkName(options.project.name);
  let interrupt!: (error: Error) => void;
  const interrupted = new Promise<never>((_, reject) => (interrupt = reject));
  interrupted.catch(() => undefined);
  const unsubscribe = options.interrupts?.(() => interrupt(new ReachProbeInterrupted())) ?? (() => undefined);
  let stage = 'probe image';
  let running: Promise<{ id: string; ip: string }> | undefined;
  try {
    await Promise.race([probeImage(side, options), interrupted]);
    running = (async () => {
      stage = 'removing an earlier probe';
      await removeReachProbes(options.project.name, [client]);
      // A project network (ProbeReachOp.network) is there already: made by an operation this one waits for.
      stage = 'probe network';
      if (!join) await createProbeNetwork(side, options.project, network);
      stage = 'probe container';
      return startProbe(side, options.project, network);
    })();
    const peer = await Promise.race([bounded(running, options.limitSeconds ?? 20, 'the reach probe'), interrupted]);
    return { ok: true, peer, network };
  } catch (error) {
    // Still creating after a timeout or an interrupt: let it settle (briefly), then remove it all.
    if (running) await bounded(running, 5, 'the reach probe').catch(() => undefined);
    await removeReachProbes(options.project.name, [client]);
    if (error instanceof ReachProbeInterrupted) return { ok: false, reason: 'interrupted', interrupted: true };
    return { ok: false, reason: `${stage}: ${innermost(error)}` };
  } finally {
    unsubscribe();
  }
}

/** The warning for a probe that could not run: why, what was decided instead, how to fix it. */
export function probeFailureWarning(reason: string): string {
  return (
    `reach auto: the probe between the daemons could not run (${reason}); deciding from the endpoints instead. ` +
    'Fix: make the probe image available on both daemons (x-mixcompose.daemons.<platform>.probe_image; on Linux the resolver image), ' +
    'or set x-mixcompose.daemons.<platform>.reach to ip or published'
  );
}
