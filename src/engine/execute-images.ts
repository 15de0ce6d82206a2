/**
 * The executor's handlers of `pull-image` and `build-image` operations (plan/image-ops.ts): each
 * does what its operation says through the image code of engine/images.ts (progress events under
 * the operation's id, registry credentials from $DOCKER_CONFIG) and records the resulting image id,
 * which a conditional recreate compares with the old container's image (ReplacedContainer.image).
 */
import { DaemonError } from '../errors.js';
import type { EventSink } from '../model/events.js';
import type { BuildImageOp, PullImageOp } from '../plan/plan.js';
import type { DaemonClient } from './daemon-client.js';
import { BuildFailed, runBuild, runPull } from './images.js';
import { RegistryAuthResolver } from './registry-auth.js';

/** What the image handlers need from the run. */
export interface ImageRunState {
  readonly clientOf: (daemon: PullImageOp['daemon']) => DaemonClient;
  /** Image operation id → the id of the image it left on its daemon. */
  readonly images: Map<string, string>;
  /** Progress events of pulls and builds (the scheduler emits the steps). */
  readonly progress?: EventSink;
  /** Registry credentials; default: read from $DOCKER_CONFIG of this process. */
  readonly imageAuth?: RegistryAuthResolver;
  readonly warn: (message: string, service: string) => void;
  /** Aborted when the run ends early (Ctrl-C, or another operation failed): pulls and builds stop. */
  readonly signal: AbortSignal;
}

/** A pull or build ended because the run is ending, not by a failure of its own. */
export class ImageOperationCancelled extends Error {}

/** `error`, or the cancellation it stands for when the run's signal ended the operation. */
function cancelledBy(state: ImageRunState, error: unknown): unknown {
  return state.signal.aborted ? new ImageOperationCancelled(`${error instanceof Error ? error.message : String(error)}`) : error;
}

const noop: EventSink = () => undefined;

function authOf(state: ImageRunState): RegistryAuthResolver {
  return state.imageAuth ?? new RegistryAuthResolver({ env: process.env });
}

async function record(state: ImageRunState, opId: string, client: DaemonClient, image: string): Promise<{ os?: string }> {
  const inspected = await client.inspectImage(image);
  if (typeof inspected?.Id === 'string') state.images.set(opId, inspected.Id);
  return typeof inspected?.Os === 'string' ? { os: inspected.Os } : {};
}

/**
 * A failed build as the operation's failure, a daemon error: the executor names the daemon and the
 * operation (the service), its cause says where the build stopped and why.
 */
function buildFailure(error: unknown): unknown {
  if (!(error instanceof BuildFailed)) return error;
  return new DaemonError(error.daemon, `build of service "${error.service}"`, new Error(`${error.where}: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`));
}

/** Builds the image; resolves with the step's message. */
export async function buildImage(state: ImageRunState, op: BuildImageOp): Promise<string> {
  const client = state.clientOf(op.daemon);
  const job = { id: op.id, image: op.image, platform: op.daemon, steps: false, signal: state.signal };
  const { id, message } = await runBuild(client, job, op.build, authOf(state), state.progress ?? noop).catch((error: unknown) => {
    throw cancelledBy(state, buildFailure(error));
  });
  if (id) state.images.set(op.id, id);
  else await record(state, op.id, client, op.image);
  return message;
}

/**
 * Pulls the image, then checks the pulled image's OS against `expectOs`. A failed pull fails,
 * warns or builds, as `onFailure` says.
 */
export async function pullImage(state: ImageRunState, op: PullImageOp): Promise<string> {
  const client = state.clientOf(op.daemon);
  // The scheduler says the step (steps: false), so the daemon's label is not needed for it.
  const job = {
    id: op.id,
    image: op.image,
    platform: op.daemon,
    steps: false,
    daemonLabel: op.daemon,
    ...(op.platformQuery ? { platformQuery: op.platformQuery } : {}),
    signal: state.signal,
  };
  let message: string;
  try {
    ({ message } = await runPull(client, job, authOf(state), state.progress ?? noop));
  } catch (error) {
    // Ended by the run's end: no warning, no build in its place.
    if (state.signal.aborted) throw cancelledBy(state, error);
    if (op.onFailure.action === 'fail') throw error;
    const cause = error instanceof Error ? error.message : String(error);
    if (op.onFailure.action === 'warn') {
      // What the daemon still has stands for this pull (a conditional recreate compares it).
      await record(state, op.id, client, op.image).catch(() => undefined);
      for (const service of op.services) state.warn(`service "${service}": pull of ${op.image} failed: ${cause}`, service);
      return `failed: ${cause}`;
    }
    const built = await runBuild(client, { ...job, steps: false }, op.onFailure.build, authOf(state), state.progress ?? noop).catch((failure: unknown) => {
      throw cancelledBy(state, buildFailure(failure));
    });
    if (built.id) state.images.set(op.id, built.id);
    else await record(state, op.id, client, op.image);
    return `pull failed (${cause}); built, ${built.message}`;
  }
  const pulled = await record(state, op.id, client, op.image);
  if (op.expectOs && pulled.os && pulled.os !== op.expectOs) {
    throw new Error(`image ${op.image} came from the registry as ${pulled.os}, not ${op.expectOs} as it listed (for ${op.services.join(', ')})`);
  }
  return message;
}
