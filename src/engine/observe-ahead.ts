/**
 * The daemon lists of the next observation, asked ahead: the CLI starts them as soon as it holds
 * the project lock (beside /version and /info), and observe takes each answer once, by the exact
 * call it stands for (client, method and arguments); any other call is asked then. So what is
 * taken is what observe would have asked, asked while the lock was held: nothing observed comes
 * from before the lock.
 */
import type { DaemonClient } from './daemon-client.js';

/** The list calls observe makes. */
export type ListMethod = 'listContainers' | 'listNetworks' | 'listVolumes' | 'listImages';

/** Makes one list call on a daemon (now, or from what was asked ahead). */
export type ListCaller = <M extends ListMethod>(client: DaemonClient, method: M, ...args: Parameters<DaemonClient[M]>) => ReturnType<DaemonClient[M]>;

/** Asks now. */
export const callNow: ListCaller = (client, method, ...args) => (client[method] as (...a: unknown[]) => ReturnType<DaemonClient[typeof method]>)(...args);

/** Calls asked ahead, each answer taken once. */
export class ListsAhead {
  private readonly asked = new Map<DaemonClient, Map<string, Promise<unknown>>>();

  /** Asks now and keeps the answer for `take` (a failure is kept too, and thrown to the taker). */
  readonly ask: ListCaller = (client, method, ...args) => {
    const answer = callNow(client, method, ...args);
    (answer as Promise<unknown>).catch(() => undefined); // taken later, or never (the command ended first)
    if (!this.asked.has(client)) this.asked.set(client, new Map());
    this.asked.get(client)!.set(`${method} ${JSON.stringify(args)}`, answer);
    return answer;
  };

  /** The answer asked ahead for exactly this call (once), else asks now. */
  readonly take: ListCaller = (client, method, ...args) => {
    const byKey = this.asked.get(client);
    const key = `${method} ${JSON.stringify(args)}`;
    const answer = byKey?.get(key);
    if (!answer) return callNow(client, method, ...args);
    byKey!.delete(key);
    return answer as ReturnType<DaemonClient[typeof method]>;
  };
}
