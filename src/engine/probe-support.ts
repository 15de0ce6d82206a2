/**
 * Pieces shared by the two places that run throw-away probe containers on the daemons:
 * `mixcompose doctor` (engine/doctor.ts) and `up`'s reach probe (engine/reach-probe.ts).
 */
import type { DaemonClient, EngineBody, EngineFilters } from './daemon-client.js';

/** `promise`, or a rejection naming `what` after `seconds`. */
export function bounded<T>(promise: Promise<T>, seconds: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${seconds}s`)), seconds * 1000);
    timer.unref?.();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
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
