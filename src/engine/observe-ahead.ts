/**
 * The daemon lists of the next observation, asked ahead: the CLI starts them as soon as it holds
 * the project lock (beside /version and /info), and that observation takes the answers, by the
 * exact call each stands for (client, method and arguments); any other call is asked then. So what
 * is taken is what observe would have asked, asked while the lock was held: nothing observed comes
 * from before the lock. The answers serve that one observation (the CLI hands them to the first one
 * only), whose code only reads them.
 */
import type { PlatformOs } from '../model/project.js';
import type { DaemonClient } from './daemon-client.js';

/** `client` with some methods answered by `overrides` instead (the others are the client's own). */
export function withMethods(client: DaemonClient, overrides: Partial<DaemonClient>): DaemonClient {
  return new Proxy(client, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof DaemonClient];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Each platform's client wrapped, each distinct client once (two platforms may share one daemon). */
export function wrapClients(
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  wrap: (client: DaemonClient) => DaemonClient,
): Readonly<Partial<Record<PlatformOs, DaemonClient>>> {
  const wrapped = new Map<DaemonClient, DaemonClient>();
  const out: Partial<Record<PlatformOs, DaemonClient>> = {};
  for (const platform of ['linux', 'windows'] as const) {
    const client = clients[platform];
    if (!client) continue;
    if (!wrapped.has(client)) wrapped.set(client, wrap(client));
    out[platform] = wrapped.get(client)!;
  }
  return out;
}

/** The list calls observe makes. */
export type ListMethod = 'listContainers' | 'listNetworks' | 'listVolumes' | 'listImages' | 'inspectImage';

/** Makes one list call on a daemon (now, or from what was asked ahead). */
export type ListCaller = <M extends ListMethod>(client: DaemonClient, method: M, ...args: Parameters<DaemonClient[M]>) => ReturnType<DaemonClient[M]>;

/** Asks now. */
export const callNow: ListCaller = (client, method, ...args) =>
  (client[method] as (...a: unknown[]) => ReturnType<DaemonClient[typeof method]>).apply(client, args);

/** Calls asked ahead, and their answers for the observation that takes them. */
export class ListsAhead {
  private readonly asked = new Map<DaemonClient, Map<string, Promise<unknown>>>();

  /** Asks now (once per call) and keeps the answer for `take` (a failure is kept too, and thrown to the taker). */
  readonly ask: ListCaller = (client, method, ...args) => {
    if (!this.asked.has(client)) this.asked.set(client, new Map());
    const byKey = this.asked.get(client)!;
    const key = `${method} ${JSON.stringify(args)}`;
    if (!byKey.has(key)) {
      const answer = callNow(client, method, ...args);
      (answer as Promise<unknown>).catch(() => undefined); // taken later, or never (the command ended first)
      byKey.set(key, answer);
    }
    return byKey.get(key) as ReturnType<DaemonClient[typeof method]>;
  };

  /** The answer asked ahead for exactly this call, else asks now. */
  readonly take: ListCaller = (client, method, ...args) =>
    (this.asked.get(client)?.get(`${method} ${JSON.stringify(args)}`) as ReturnType<DaemonClient[typeof method]> | undefined) ?? callNow(client, method, ...args);

  /** `client` with its image inspects answered by `take` (for the image facts, which take a client). */
  serve(client: DaemonClient): DaemonClient {
    return withMethods(client, { inspectImage: (name) => this.take(client, 'inspectImage', name) });
  }
}
