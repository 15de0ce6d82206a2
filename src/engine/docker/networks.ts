/** /networks: list, inspect, create and remove (both retrying the two-daemon iptables race; remove also endpoints not yet released), (dis)connect. */
import type { DaemonClient, EngineBody } from '../daemon-client.js';
import { askedAgain } from './asked-again.js';
import { EngineApiError, engineStatusCode, isActiveEndpoints, isIptablesRace } from './errors.js';
import type { Transport } from './transport.js';

/**
 * Network create and remove are the calls retried, and only for the iptables race (see
 * isIptablesRace): both edit the chains another local daemon may be editing at that moment.
 */
const IPTABLES_RACE_ATTEMPTS = 4;
const IPTABLES_RACE_PAUSE_MS = 150;

/**
 * A removal is also asked again while the daemon still reports endpoints of containers that are
 * gone or being removed (see isActiveEndpoints): every half second, for at most 30 s. Under heavy
 * load Docker 20.10 releases a removed container's endpoint when it handles the task's exit, which
 * on the rig came more than 10 s after the removal had returned. An endpoint of a container that
 * exists and is not being removed (a container not ours attached to the network) is not waited for:
 * the daemon's refusal is final then.
 */
const ENDPOINTS_ATTEMPTS = 60;
const ENDPOINTS_PAUSE_MS = 500;

const pastIptablesRace = <T>(call: () => Promise<T>) => askedAgain(call, isIptablesRace, IPTABLES_RACE_ATTEMPTS, IPTABLES_RACE_PAUSE_MS);

/**
 * A container that exists and is not being removed, holding an endpoint on the network: its name and
 * state, or undefined. A look that fails (the daemon, under the load that causes the wait, can time
 * out answering for a container it is tearing down) finds no holder: the wait goes on, bounded.
 */
async function liveHolder(t: Transport, idOrName: string): Promise<string | undefined> {
  const network = await t.request<EngineBody>({ method: 'GET', path: at(idOrName) }).catch(() => undefined);
  const endpoints = (network?.Containers as Record<string, { Name?: string }> | undefined) ?? {};
  for (const [id, endpoint] of Object.entries(endpoints)) {
    const container = await t
      .request<{ State?: { Status?: string } }>({ method: 'GET', path: `/containers/${encodeURIComponent(id)}/json` })
      .catch(() => undefined);
    const status = container?.State?.Status;
    if (status !== undefined && status !== 'removing' && status !== 'dead') return `${endpoint.Name ?? id} (${status})`;
  }
  return undefined;
}

/**
 * `remove()`, asked again while the daemon still holds endpoints of containers that are gone (see
 * ENDPOINTS_ATTEMPTS). The final refusal names the container that holds the network, when one does.
 */
async function pastEndpointRelease(t: Transport, idOrName: string, remove: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await remove();
      return;
    } catch (error) {
      if (!isActiveEndpoints(error)) throw error;
      const holder = await liveHolder(t, idOrName);
      if (holder) throw new EngineApiError(`${(error as Error).message}; container ${holder} is attached to it`, engineStatusCode(error));
      if (attempt >= ENDPOINTS_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, ENDPOINTS_PAUSE_MS));
    }
  }
}

const at = (idOrName: string, action = '') => `/networks/${encodeURIComponent(idOrName)}${action}`;

export type NetworkCalls = Required<Pick<DaemonClient, 'listNetworks' | 'inspectNetwork' | 'createNetwork' | 'removeNetwork' | 'connectNetwork' | 'disconnectNetwork'>>;

export function networkCalls(t: Transport): NetworkCalls {
  return {
    listNetworks: (filters) =>
      t.call('list networks', () => t.request<EngineBody[]>({ method: 'GET', path: '/networks', query: { filters: JSON.stringify(filters) } })),
    inspectNetwork: (idOrName) => t.call(`inspect network ${idOrName}`, () => t.request<EngineBody>({ method: 'GET', path: at(idOrName) })),
    createNetwork: (body) =>
      t.call(`create network ${String(body.Name ?? '')}`, async () => {
        const result = await pastIptablesRace(() => t.request<{ Id: string }>({ method: 'POST', path: '/networks/create', body }));
        return { id: result.Id };
      }),
    /**
     * DELETE /networks/{id}; a network already gone (404) counts as removed, so asking again after a
     * removal the race broke half-way is safe. Endpoints the daemon has not yet released are waited
     * for a moment (pastEndpointRelease).
     */
    removeNetwork: (idOrName) =>
      t.call(`remove network ${idOrName}`, async () => {
        await pastEndpointRelease(t, idOrName, () => pastIptablesRace(() => t.request({ method: 'DELETE', path: at(idOrName), ok: [404] })));
      }),
    connectNetwork: (network, container, endpointConfig) =>
      t.call(`connect container ${container} to network ${network}`, async () => {
        await t.request({ method: 'POST', path: at(network, '/connect'), body: { Container: container, ...(endpointConfig ? { EndpointConfig: endpointConfig } : {}) } });
      }),
    disconnectNetwork: (network, container, force) =>
      t.call(`disconnect container ${container} from network ${network}`, async () => {
        await t.request({ method: 'POST', path: at(network, '/disconnect'), body: { Container: container, Force: force === true } });
      }),
  };
}
