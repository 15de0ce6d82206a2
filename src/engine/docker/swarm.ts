/**
 * The dockerode side of SwarmApi (cluster/swarm-api.ts): services, networks, secrets, configs,
 * tasks and nodes of a swarm manager. Failures are DaemonError(label, operation, cause) with the
 * daemon's message; a remove of something already gone is not an error.
 */
import Dockerode from 'dockerode';
import type { SwarmApi, SwarmFilters, SwarmObject } from '../../cluster/swarm-api.js';
import type { EngineBody } from '../../model/engine-api.js';
import type { ModemOptions } from '../daemon-endpoints.js';
import { isNotFound, toDaemonError, toEngineApiError } from './errors.js';

/** Dockerode's `filters` query: a JSON object of arrays. */
const query = (filters: SwarmFilters) => ({ filters: JSON.stringify(filters) });

export class DockerodeSwarm implements SwarmApi {
  private readonly docker: Dockerode;

  constructor(
    readonly label: string,
    private readonly modem: ModemOptions,
  ) {
    this.docker = new Dockerode(modem as unknown as Dockerode.DockerOptions);
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDaemonError(this.label, operation, error);
    }
  }

  private async remove(operation: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (isNotFound(toEngineApiError(error))) return;
      throw toDaemonError(this.label, operation, error);
    }
  }

  async swarmState() {
    const info = (await this.call('info', () => this.docker.info())) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    return { localNodeState: info.Swarm?.LocalNodeState ?? 'inactive', controlAvailable: Boolean(info.Swarm?.ControlAvailable) };
  }

  listServices(filters: SwarmFilters): Promise<SwarmObject[]> {
    return this.call('list services', async () => (await this.docker.listServices(query(filters) as never)) as unknown as SwarmObject[]);
  }

  createService(spec: EngineBody): Promise<string> {
    return this.call(`create service ${String(spec.Name)}`, async () => ((await this.docker.createService(spec as never)) as unknown as { id?: string; ID?: string }).id ?? '');
  }

  updateService(id: string, version: number, spec: EngineBody): Promise<void> {
    return this.call(`update service ${String(spec.Name)}`, async () => {
      await this.docker.getService(id).update({ ...spec, version } as never);
    });
  }

  removeService(id: string): Promise<void> {
    return this.remove(`remove service ${id}`, () => this.docker.getService(id).remove());
  }

  listNetworks(filters: SwarmFilters): Promise<EngineBody[]> {
    return this.call('list networks', async () => (await this.docker.listNetworks(query(filters) as never)) as unknown as EngineBody[]);
  }

  createNetwork(body: EngineBody): Promise<string> {
    return this.call(`create network ${String(body.Name)}`, async () => (await this.docker.createNetwork(body as never)).id);
  }

  removeNetwork(id: string): Promise<void> {
    return this.remove(`remove network ${id}`, () => this.docker.getNetwork(id).remove());
  }

  listSecrets(filters: SwarmFilters): Promise<SwarmObject[]> {
    return this.call('list secrets', async () => (await this.docker.listSecrets(query(filters))) as unknown as SwarmObject[]);
  }

  createSecret(spec: EngineBody): Promise<string> {
    return this.call(`create secret ${String(spec.Name)}`, async () => ((await this.docker.createSecret(spec)) as { id: string }).id);
  }

  removeSecret(id: string): Promise<void> {
    return this.remove(`remove secret ${id}`, () => this.docker.getSecret(id).remove());
  }

  listConfigs(filters: SwarmFilters): Promise<SwarmObject[]> {
    return this.call('list configs', async () => (await this.docker.listConfigs(query(filters))) as unknown as SwarmObject[]);
  }

  createConfig(spec: EngineBody): Promise<string> {
    return this.call(`create config ${String(spec.Name)}`, async () => ((await this.docker.createConfig(spec)) as { id: string }).id);
  }

  removeConfig(id: string): Promise<void> {
    return this.remove(`remove config ${id}`, () => this.docker.getConfig(id).remove());
  }

  listTasks(filters: SwarmFilters): Promise<EngineBody[]> {
    return this.call('list tasks', async () => (await this.docker.listTasks(query(filters))) as EngineBody[]);
  }

  listNodes(): Promise<EngineBody[]> {
    return this.call('list nodes', async () => (await this.docker.listNodes()) as EngineBody[]);
  }

  close(): void {
    this.modem.agent?.destroy();
  }
}
