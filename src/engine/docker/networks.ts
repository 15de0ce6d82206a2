/** /networks: list, inspect, create and remove (both retrying the two-daemon iptables race), (dis)connect. */
import type { DaemonClient, EngineBody } from '../daemon-client.js';
import { askedAgain } from './asked-again.js';
import { isIptablesRace } from './errors.js';
import type { Transport } from './transport.js';

/**
 * Network create and remove are the calls retried, and only for the iptables race (see
 * isIptablesRace): both edit the chains another local daemon may be editing at that moment.
 */
const IPTABLES_RACE_ATTEMPTS = 4;
const IPTABLES_RACE_PAUSE_MS = 150;

const pastIptablesRace = <T>(call: () => Promise<T>) => askedAgain(call, isIptablesRace, IPTABLES_RACE_ATTEMPTS, IPTABLES_RACE_PAUSE_MS);

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
     * removal the race broke half-way is safe. Endpoints the daemon has not yet released are the
     * executor's to wait for, as long as the plan says (engine/network-release.ts).
     */
    removeNetwork: (idOrName) =>
      t.call(`remove network ${idOrName}`, async () => {
        await pastIptablesRace(() => t.request({ method: 'DELETE', path: at(idOrName), ok: [404] }));
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
