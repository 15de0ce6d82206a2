/**
 * Pieces shared by the two places that run throw-away probe containers on the daemons:
 * `mixcompose doctor` (engine/doctor.ts) and `up`'s reach probe (engine/reach-probe.ts).
 */
import type { DaemonClient, EngineBody, EngineFilters } from './daemon-client.js';

/** `promise`, or a rejection naming `what` after `seconds`. */
export async function bounded<T>(promise: Promise<T>, seconds: number, what: string): Promise<T> {
  const limit = timeLimit(seconds, what);
  try {
    return await Promise.race([promise, limit.expired]);
  } catch (error) {
    throw error instanceof Error ? error : new Error(String(error));
  } finally {
    limit.clear();
  }
}

/** A time limit that can leave work out of its count: see timeLimit. */
export interface TimeLimit {
  /** Rejects, naming `what`, once the time counted reaches `seconds`. */
  readonly expired: Promise<never>;
  /** `work`, its time not counted (an image pull: a slow registry is no probe that cannot run). */
  excluding<T>(work: Promise<T>): Promise<T>;
  /** Ends the limit (the limited work is over). */
  clear(): void;
}

/** A limit of `seconds` from now, minus the time spent in `excluding` (`now`: the clock, in ms). */
export function timeLimit(seconds: number, what: string, now: () => number = Date.now): TimeLimit {
  let leftMs = seconds * 1000;
  let armedAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let excluded = 0;
  let cleared = false;
  let expire!: (error: Error) => void;
  const expired = new Promise<never>((_, reject) => (expire = reject));
  expired.catch(() => undefined);
  const arm = () => {
    if (cleared) return;
    armedAt = now();
    timer = setTimeout(() => expire(new Error(`${what}: no answer within ${seconds}s`)), leftMs);
    timer.unref?.();
  };
  const pause = () => {
    clearTimeout(timer);
    leftMs -= now() - armedAt;
  };
  arm();
  return {
    expired,
    async excluding(work) {
      if (excluded++ === 0) pause();
      try {
        return await work;
      } finally {
        if (--excluded === 0) arm();
      }
    },
    clear() {
      cleared = true;
      clearTimeout(timer);
    },
  };
}

/** The innermost cause's message (DaemonError → EngineApiError → the daemon's words). */
export function innermost(error: unknown): string {
  let e = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/** The first network endpoint of an inspected container (a probe joins exactly one network). */
export function firstEndpoint(inspected: EngineBody): { IPAddress?: string; Gateway?: string } {
  const networks = (inspected as { NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; Gateway?: string }> } }).NetworkSettings?.Networks ?? {};
  return Object.values(networks)[0] ?? {};
}

/** Pulls `image` when the daemon does not have it (no progress, no credentials: probe images are public). */
export async function ensureImage(client: DaemonClient, image: string, platform?: string): Promise<void> {
  if (await client.inspectImage(image)) return;
  await client.pullImage(image, platform ? { platform } : {}, () => {});
}

/** Runs a command in a container, bounded in time; never throws (exit -1 and the error as output). */
export async function execBounded(client: DaemonClient, id: string, cmd: readonly string[], seconds: number): Promise<{ exitCode: number; output: string }> {
  try {
    const r = await bounded(client.exec(id, cmd), seconds, 'exec');
    return { exitCode: r.exitCode, output: `${r.stdout}${r.stderr}`.trim() };
  } catch (error) {
    return { exitCode: -1, output: innermost(error) };
  }
}

/**
 * Removes the containers (forced) and then the networks that match `filters` on every client.
 * Never throws: what cannot be removed now is found by the same labels next time.
 */
export async function removeLabelled(clients: readonly DaemonClient[], filters: EngineFilters): Promise<void> {
  await Promise.allSettled(
    clients.map(async (client) => {
      const containers = await client.listContainers(filters, true);
      await Promise.allSettled(containers.map((c) => client.removeContainer(c.Id, { force: true, volumes: true })));
    }),
  );
  // Networks one at a time, retried once: parallel removal on two local daemons races in iptables.
  for (const client of clients) {
    const networks = await client.listNetworks(filters).catch(() => []);
    for (const n of networks) {
      const id = String(n.Id ?? n.Name);
      await client.removeNetwork(id).catch(() => client.removeNetwork(id).catch(() => undefined));
    }
  }
}
