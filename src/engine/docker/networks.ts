/** /networks: list, inspect, create (retrying the two-daemon iptables race), remove, (dis)connect. */
import type { DaemonClient, EngineBody } from '../daemon-client.js';
import { isIptablesRace } from './errors.js';
import type { Transport } from './transport.js';

/** Network create is the one call retried, and only for the iptables race (see isIptablesRace). */
const NETWORK_CREATE_ATTEMPTS = 4;
const NETWORK_CREATE_PAUSE_MS = 150;

const at = (idOrName: string, action = '') => `/networks/${encodeURIComponent(idOrName)}${action}`;

export type NetworkCalls = Required<Pick<DaemonClient, 'listNetworks' | 'inspectNetwork' | 'createNetwork' | 'removeNetwork' | 'connectNetwork' | 'disconnectNetwork'>>;

export function networkCalls(t: Transport): NetworkCalls {
  return {
    listNetworks: (filters) =>
      t.call('list networks', () => t.request<EngineBody[]>({ method: 'GET', path: '/networks', query: { filters: JSON.stringify(filters) } })),
    inspectNetwork: (idOrName) => t.call(`inspect network ${idOrName}`, () => t.request<EngineBody>({ method: 'GET', path: at(idOrName) })),
    createNetwork: (body) =>
      t.call(`create network ${String(body.Name ?? '')}`, async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            const result = await t.request<{ Id: string }>({ method: 'POST', path: '/networks/create', body });
            return { id: result.Id };
          } catch (error) {
            if (attempt >= NETWORK_CREATE_ATTEMPTS || !isIptablesRace(error)) throw error;
            await new Promise((resolve) => setTimeout(resolve, NETWORK_CREATE_PAUSE_MS * attempt));
          }
        }
      }),
    /** DELETE /networks/{id}; a network already gone (404) counts as removed. */
    removeNetwork: (idOrName) =>
      t.call(`remove network ${idOrName}`, async () => {
        await t.request({ method: 'DELETE', path: at(idOrName), ok: [404] });
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
