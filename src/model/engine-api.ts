/**
 * Engine API JSON as plain types (https://docs.docker.com/engine/api/v1.41/), typed loosely on
 * purpose: the planner builds create bodies and reads /info and /version facts, the engine's
 * adapter sends and receives them. They live in the model so the pure core needs nothing from
 * the engine.
 */

export type EngineBody = Record<string, unknown>;

/** GET /info, the fields we read. */
export interface EngineInfo {
  readonly OSType: string;
  readonly OperatingSystem?: string;
  readonly KernelVersion?: string;
  readonly Architecture?: string;
  readonly Driver?: string;
  readonly Isolation?: string;
  readonly ServerVersion?: string;
  readonly Name?: string;
  readonly ID?: string;
  readonly DockerRootDir?: string;
  readonly Plugins?: { readonly Network?: readonly string[]; readonly Volume?: readonly string[] };
  readonly [key: string]: unknown;
}

/** GET /version, the fields we read. */
export interface EngineVersion {
  readonly ApiVersion: string;
  readonly Version?: string;
  readonly Os?: string;
  readonly Arch?: string;
  readonly [key: string]: unknown;
}
