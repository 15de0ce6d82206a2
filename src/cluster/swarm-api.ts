/**
 * The Swarm calls of the Engine API that `deploy/rm/ps --to swarm` need, as one small interface.
 * The dockerode adapter (engine/docker/swarm.ts) implements it; tests can pass an in-memory one.
 * Bodies are Engine API JSON (API 1.41: ServiceSpec, NetworkCreate, SecretSpec, ConfigSpec).
 */
import type { EngineBody } from '../model/engine-api.js';

/** Filters in Engine API form: { label: ["com.docker.stack.namespace=shop"] }. */
export type SwarmFilters = Readonly<Record<string, readonly string[]>>;

/** An object that has an ID, a version to update against, and a spec (services, secrets, configs). */
export interface SwarmObject {
  readonly ID: string;
  readonly Version?: { readonly Index: number };
  readonly Spec: EngineBody & { readonly Name: string; readonly Labels?: Readonly<Record<string, string>> };
}

export interface SwarmApi {
  /** For messages: "swarm (unix:///var/run/docker.sock)". */
  readonly label: string;
  /** GET /info → Swarm: LocalNodeState ("active", "inactive"), ControlAvailable (a manager). */
  swarmState(): Promise<{ readonly localNodeState: string; readonly controlAvailable: boolean }>;

  listServices(filters: SwarmFilters): Promise<SwarmObject[]>;
  createService(spec: EngineBody): Promise<string>;
  updateService(id: string, version: number, spec: EngineBody): Promise<void>;
  /** Already gone (404) counts as removed, for every remove. */
  removeService(id: string): Promise<void>;

  listNetworks(filters: SwarmFilters): Promise<EngineBody[]>;
  createNetwork(body: EngineBody): Promise<string>;
  removeNetwork(id: string): Promise<void>;

  listSecrets(filters: SwarmFilters): Promise<SwarmObject[]>;
  createSecret(spec: EngineBody): Promise<string>;
  removeSecret(id: string): Promise<void>;
  listConfigs(filters: SwarmFilters): Promise<SwarmObject[]>;
  createConfig(spec: EngineBody): Promise<string>;
  removeConfig(id: string): Promise<void>;

  listTasks(filters: SwarmFilters): Promise<EngineBody[]>;
  listNodes(): Promise<EngineBody[]>;
  close(): void;
}
