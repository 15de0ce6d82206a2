/** /volumes: list, create, remove. */
import type { DaemonClient, EngineBody } from '../daemon-client.js';
import type { Transport } from './transport.js';

export type VolumeCalls = Required<Pick<DaemonClient, 'listVolumes' | 'createVolume' | 'removeVolume'>>;

export function volumeCalls(t: Transport): VolumeCalls {
  return {
    listVolumes: (filters) =>
      t.call('list volumes', async () => {
        const result = await t.request<{ Volumes?: EngineBody[] | null }>({ method: 'GET', path: '/volumes', query: { filters: JSON.stringify(filters) } });
        return result.Volumes ?? [];
      }),
    createVolume: (body) =>
      t.call(`create volume ${String(body.Name ?? '')}`, async () => {
        await t.request({ method: 'POST', path: '/volumes/create', body });
      }),
    /** DELETE /volumes/{name}; a volume already gone (404) counts as removed. */
    removeVolume: (name, force) =>
      t.call(`remove volume ${name}`, async () => {
        await t.request({ method: 'DELETE', path: `/volumes/${encodeURIComponent(name)}`, query: { force: force ? true : undefined }, ok: [404] });
      }),
  };
}
