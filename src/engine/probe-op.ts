/**
 * The `probe-reach` operation (plan/probe-plan.ts): runs the probe through the runner the caller
 * gave (engine/apply.ts wraps engine/reach-probe.ts), records its outcome key so the scheduler can
 * pick the by-reach variants, gives the outcome's warnings and stops on its problems. Nothing here
 * decides: the outcomes and what each means are in the operation.
 */
import { PlanError } from '../errors.js';
import type { PlatformOs } from '../model/project.js';
import type { ProbePeerRef, ProbeReachOp } from '../plan/plan.js';
import { reachOutcomeKey } from '../plan/reach.js';

/** What a probe run answered. */
export type ProbeAnswer =
  | {
      readonly kind: 'answered';
      readonly reach: Readonly<Record<PlatformOs, 'ip' | 'published'>>;
      readonly message: string;
      /**
       * The removal of the probe's containers and networks, still running: the answer does not wait
       * for it (what depends on the answer starts at once), the run does (execute awaits it before it ends).
       */
      readonly cleanup?: Promise<void>;
    }
  /** It could not run: `warning` says why and what reach falls back to. */
  | { readonly kind: 'could-not-run'; readonly warning: string }
  /** The signal ended it; it removed what it made. */
  | { readonly kind: 'interrupted' }
  /** A `side` operation started its end of the probe (ProbeReachOp.side): the container to ping from and to. */
  | { readonly kind: 'side-started'; readonly peer: ProbePeer; readonly network: string };

/** A running container the probe pings from and to instead of a throw-away one (ProbeReachOp.linuxPeer). */
export interface ProbePeer {
  readonly id: string;
  readonly ip: string;
  /** How the probe pings from it (ProbePeerRef.pingBy); absent: by exec. */
  readonly pingBy?: 'hosts-reader';
}

/** Runs the reach probe for an operation; ends early (and cleans up) when `signal` aborts. */
export type ProbeRunner = (op: ProbeReachOp, signal: AbortSignal, peers?: Readonly<Partial<Record<PlatformOs, ProbePeer>>>) => Promise<ProbeAnswer>;

export interface ProbeOpState {
  readonly probeReach?: ProbeRunner;
  readonly signal: AbortSignal;
  /** probe operation id → outcome key. */
  readonly reachOutcomes: Map<string, string>;
  /** probe operation id → what it answered (for the step event's `reach`). */
  readonly reachAnswers: Map<string, Readonly<Record<PlatformOs, 'ip' | 'published'>>>;
  readonly warn: (message: string, service?: string) => void;
  /**
   * create operation id → container id; start operation id → network → IPv4 (for the probe's peers;
   * a `side` operation records the end it started here, under its own id).
   */
  readonly created: Map<string, string>;
  readonly addresses: Map<string, Record<string, string>>;
  /** Probe clean-ups still running (ProbeAnswer.cleanup): the run ends only once they are done. */
  readonly cleanups: Promise<void>[];
}

/** The probe ended because the run is ending (interrupt, or another operation failed); it removed what it made. */
export class ProbeCancelled extends Error {
  constructor() {
    super('the probe was removed');
  }
}

/** Why a `side` operation's end could not start, per run (the answering probe says it once, as its warning). */
const sideFailures = new WeakMap<ProbeOpState, string>();

/** A peer the plan named, as it runs (its start operation, a dependency, has finished). */
function peerOf(state: ProbeOpState, peer: ProbePeerRef | undefined): ProbePeer | undefined {
  if (!peer) return undefined;
  const id = 'id' in peer.container ? peer.container.id : state.created.get(peer.container.createdBy);
  const ip = state.addresses.get(peer.startedBy)?.[peer.network];
  return id && ip ? { id, ip, ...(peer.pingBy ? { pingBy: peer.pingBy } : {}) } : undefined;
}

/**
 * A `side` operation: starts the probe's throw-away end on its daemon and records it (container id and
 * address, under the operation's id) for the answering probe. An end that cannot start is not an
 * error of `up`: the answering probe then answers that it could not run, with the reason.
 */
async function runProbeSide(state: ProbeOpState, op: ProbeReachOp & { side: PlatformOs }): Promise<string | undefined> {
  const answer: ProbeAnswer = state.probeReach
    ? await state.probeReach(op, state.signal)
    : { kind: 'could-not-run', warning: 'reach auto: this run has no reach probe; deciding from the endpoints instead' };
  if (answer.kind === 'interrupted') throw new ProbeCancelled();
  if (answer.kind !== 'side-started') {
    if (answer.kind === 'could-not-run' && !sideFailures.has(state)) sideFailures.set(state, answer.warning);
    return 'not started: the probe could not run (see the warning)';
  }
  state.created.set(op.id, answer.peer.id);
  state.addresses.set(op.id, { [answer.network]: answer.peer.ip });
  return undefined;
}

/** The answer of the probe: what its runner found, or that an end of it could not start. */
async function probeAnswer(state: ProbeOpState, op: ProbeReachOp): Promise<ProbeAnswer> {
  const peers = { linux: peerOf(state, op.linuxPeer), windows: peerOf(state, op.windowsPeer) };
  const failed = sideFailures.get(state);
  if (failed || (op.linuxPeer && !peers.linux) || (op.windowsPeer && !peers.windows)) {
    return { kind: 'could-not-run', warning: failed ?? 'reach auto: an end of the probe did not start; deciding from the endpoints instead' };
  }
  if (!state.probeReach) return { kind: 'could-not-run', warning: 'reach auto: this run has no reach probe; deciding from the endpoints instead' };
  const given = Object.fromEntries(Object.entries(peers).filter(([, p]) => p !== undefined)) as Partial<Record<PlatformOs, ProbePeer>>;
  return state.probeReach(op, state.signal, Object.keys(given).length ? given : undefined);
}

export async function runProbeReach(state: ProbeOpState, op: ProbeReachOp): Promise<string | undefined> {
  if (op.side) return runProbeSide(state, { ...op, side: op.side });
  const answer = await probeAnswer(state, op);
  if (answer.kind === 'answered' && answer.cleanup) state.cleanups.push(answer.cleanup);
  if (answer.kind === 'interrupted') throw new ProbeCancelled();
  if (answer.kind === 'side-started') throw new Error(`internal: ${op.id} started an end instead of answering`);
  const key = reachOutcomeKey(op.platforms, answer.kind === 'answered' ? answer.reach : undefined);
  if (answer.kind === 'could-not-run') state.warn(answer.warning);
  state.reachOutcomes.set(op.id, key);
  if (answer.kind === 'answered') state.reachAnswers.set(op.id, answer.reach);
  const outcome = op.outcomes[key];
  for (const warning of outcome?.warnings ?? []) state.warn(warning);
  if (outcome?.problems.length) throw new PlanError(outcome.problems.join('\n'));
  return answer.kind === 'answered' ? answer.message : 'could not run (see the warning)';
}
