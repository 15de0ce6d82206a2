/**
 * The part every in-memory DaemonClient of the tests shares: a Linux daemon (API 1.41) that answers
 * the calls a test is not about with "nothing there" (no logs, no events, exec exits 0, no images,
 * waits end with 0), and accepts image pulls, builds, tags and removals without doing anything.
 *
 * The in-memory daemons extend it and model the rest, each for what its tests check:
 * - test/unit/engine/memory-daemon.ts (MemoryDaemon): the executor's calls, in order, as a call
 *   log; scripted inspect answers; a failure per method. Containers are kept by name with the body
 *   they were created with, and listing shows nothing (executor tests start from a given plan).
 * - test/unit/property/memory-engine.ts (MemEngine): a whole daemon as observe and reconcile see
 *   it, for convergence properties: labels and filters, Docker's name rules, archives, and faults
 *   by count of changing calls, across the daemons of one MemWorld.
 * - test/support/fake-engine.ts (startFakeEngine) is no DaemonClient: it speaks the Engine API over
 *   a socket with recorded /info and /version, for the HTTP adapter and what it sends on the wire.
 */
import type { ContainerSummary, DaemonClient, EngineBody, EngineFilters, EngineInfo, EngineVersion, ExecResult, LogLine, LogOptions } from '../../src/engine/daemon-client.js';

export abstract class QuietDaemon implements DaemonClient {
  constructor(readonly label: string) {}

  abstract inspectContainer(id: string): Promise<EngineBody>;
  abstract createContainer(name: string, body: EngineBody, platform?: string): Promise<{ id: string; warnings: string[] }>;
  abstract startContainer(id: string): Promise<void>;
  abstract stopContainer(id: string, timeoutSeconds: number, signal?: string, abort?: AbortSignal): Promise<void>;
  abstract killContainer(id: string, signal?: string, abort?: AbortSignal): Promise<void>;
  abstract restartContainer(id: string, timeoutSeconds: number): Promise<void>;
  abstract removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  abstract putArchive(id: string, path: string, tar: Buffer | NodeJS.ReadableStream): Promise<void>;
  abstract getArchive(id: string, path: string): Promise<Buffer | undefined>;
  abstract inspectNetwork(idOrName: string): Promise<EngineBody>;
  abstract createNetwork(body: EngineBody): Promise<{ id: string }>;
  abstract removeNetwork(idOrName: string): Promise<void>;
  abstract connectNetwork(network: string, container: string, endpointConfig?: EngineBody): Promise<void>;
  abstract createVolume(body: EngineBody): Promise<void>;

  async ping(): Promise<void> {}
  async info(): Promise<EngineInfo> {
    return { OSType: 'linux' };
  }
  async version(): Promise<EngineVersion> {
    return { ApiVersion: '1.41' };
  }
  async listContainers(_filters: EngineFilters, _all?: boolean): Promise<ContainerSummary[]> {
    return [];
  }
  async waitContainer(_id: string): Promise<number> {
    return 0;
  }
  async renameContainer(_id: string, _name: string): Promise<void> {}
  async containerLogs(_id: string, _options: LogOptions): Promise<AsyncIterable<LogLine>> {
    return (async function* () {})();
  }
  async *events(_filters: EngineFilters): AsyncIterable<EngineBody> {}
  async exec(_id: string, _cmd: readonly string[]): Promise<ExecResult> {
    return { exitCode: 0, stdout: '', stderr: '' };
  }
  async listNetworks(_filters: EngineFilters): Promise<EngineBody[]> {
    return [];
  }
  async disconnectNetwork(_network: string, _container: string): Promise<void> {}
  async listVolumes(_filters: EngineFilters): Promise<EngineBody[]> {
    return [];
  }
  async removeVolume(_name: string): Promise<void> {}
  async listImages(_filters: EngineFilters): Promise<EngineBody[]> {
    return [];
  }
  async inspectImage(_name: string): Promise<EngineBody | undefined> {
    return undefined;
  }
  async distributionInspect(_name: string): Promise<{ Descriptor: EngineBody; Platforms: readonly EngineBody[] }> {
    return { Descriptor: {}, Platforms: [] };
  }
  async pullImage(): Promise<void> {}
  async buildImage(): Promise<string | undefined> {
    return undefined;
  }
  async removeImage(_name: string): Promise<void> {}
  async tagImage(_source: string, _repo: string, _tag: string): Promise<void> {}
}
