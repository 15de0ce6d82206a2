/**
 * A project for the fault suite, driven through the built CLI (`node dist/cli/main.js`) as a user
 * would: a temp directory with the compose file, a unique project name, and a bystander (a
 * container and a network without any project label) on each daemon that no command may touch.
 * `objects()` lists what the project has on each daemon (containers, networks, volumes by the
 * project label, and the project's lock container by name).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

import { BUSYBOX_IMAGE, removeProjectLeftovers, rigDocker, runMixcompose, uniqueProjectName, type CliResult, type RigDaemon } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';

/** db on linux, web (windows-declared) depending on it: both daemons, the resolver, reach configured. */
export const TWO_DAEMON_YAML = dbWebYaml({ reach: 'ip', web: { dependsOn: ['db'] } });

export const DAEMONS: readonly RigDaemon[] = ['linux', 'windows'];

export interface ProjectObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export interface FaultStack {
  readonly name: string;
  readonly dir: string;
  readonly file: string;
  /** `mixcompose -f <file> -p <name> ...args` */
  mc(args: readonly string[], options?: { timeoutMs?: number; env?: Record<string, string | undefined> }): Promise<CliResult>;
  /** The argv of that command (for spawning it yourself). */
  argv(args: readonly string[]): string[];
  objects(daemon: RigDaemon): Promise<ProjectObjects>;
  /** Fails unless neither daemon holds anything of the project, and the bystanders are untouched. */
  expectNothingLeft(): Promise<void>;
  /** Checks the bystanders are still there and running. */
  expectBystandersUntouched(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function faultStack(prefix: string, yaml: string = TWO_DAEMON_YAML): Promise<FaultStack> {
  const name = uniqueProjectName(prefix);
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const file = join(dir, 'compose.yaml');
  writeFileSync(file, yaml);
  const bystanders: { daemon: RigDaemon; container: string; network: string }[] = [];
  for (const daemon of DAEMONS) {
    const docker = rigDocker(daemon);
    const network = await docker.createNetwork({ Name: `${name}-bystander` });
    const container = await docker.createContainer({
      Image: BUSYBOX_IMAGE,
      name: `${name}-bystander`,
      Cmd: ['sleep', '3600'],
      HostConfig: { NetworkMode: `${name}-bystander`, Init: true },
    });
    await container.start();
    bystanders.push({ daemon, container: container.id, network: network.id });
  }
  const argv = (args: readonly string[]) => ['-f', file, '-p', name, ...args];
  const objects = async (daemon: RigDaemon): Promise<ProjectObjects> => {
    const docker = rigDocker(daemon);
    const filters = JSON.stringify({ label: [`com.docker.compose.project=${name}`] });
    const lockFilters = JSON.stringify({ name: [`${name}-mixcompose-lock`] });
    const [containers, locks, networks, volumes] = await Promise.all([
      docker.listContainers({ all: true, filters }),
      docker.listContainers({ all: true, filters: lockFilters }),
      docker.listNetworks({ filters }),
      docker.listVolumes({ filters }),
    ]);
    return {
      containers: [...containers, ...locks].map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')).sort(),
      networks: networks.map((n) => n.Name).sort(),
      volumes: (volumes.Volumes ?? []).map((v) => v.Name).sort(),
    };
  };
  const expectBystandersUntouched = async () => {
    for (const b of bystanders) {
      const docker = rigDocker(b.daemon);
      expect((await docker.getContainer(b.container).inspect()).State.Running, `bystander container on ${b.daemon}`).toBe(true);
      expect((await docker.getNetwork(b.network).inspect()).Id, `bystander network on ${b.daemon}`).toBe(b.network);
    }
  };
  return {
    name,
    dir,
    file,
    argv,
    mc: (args, options = {}) => runMixcompose(argv(args), { cwd: dir, ...options }),
    objects,
    async expectNothingLeft() {
      for (const daemon of DAEMONS) expect(await objects(daemon), `project ${name} on ${daemon}`).toEqual({ containers: [], networks: [], volumes: [] });
      await expectBystandersUntouched();
    },
    expectBystandersUntouched,
    async cleanup() {
      for (const daemon of DAEMONS) await rigDocker(daemon).getContainer(`${name}-mixcompose-lock`).remove({ force: true }).catch(() => undefined);
      await removeProjectLeftovers(name);
      for (const b of bystanders) {
        const docker = rigDocker(b.daemon);
        await docker.getContainer(b.container).remove({ force: true }).catch(() => undefined);
        await docker.getNetwork(b.network).remove().catch(() => undefined);
      }
    },
  };
}

/** Each network name appears once per daemon (no duplicate twins). */
export async function expectNoDuplicateNetworks(stack: FaultStack): Promise<void> {
  for (const daemon of DAEMONS) {
    const { networks } = await stack.objects(daemon);
    expect(networks, `networks of ${stack.name} on ${daemon}`).toEqual([...new Set(networks)]);
  }
}

/** `up -d` converges (all running) and `down` leaves nothing of the project, nothing foreign touched. */
export async function expectUpThenDownConverge(stack: FaultStack): Promise<void> {
  const up = await stack.mc(['up', '-d']);
  expect(up.exitCode, `up after the fault:\n${up.stderr}`).toBe(0);
  await expectNoDuplicateNetworks(stack);
  const ps = await stack.mc(['ps', '--format', 'json']);
  expect(ps.exitCode, ps.stderr).toBe(0);
  const states = (JSON.parse(ps.stdout) as { Service?: string; service?: string; State?: string; state?: string }[]).map((c) => c.State ?? c.state);
  expect(states.length).toBeGreaterThanOrEqual(2);
  expect(states.every((s) => s === 'running'), `ps after up: ${ps.stdout}`).toBe(true);
  const down = await stack.mc(['down']);
  expect(down.exitCode, `down after the fault:\n${down.stderr}`).toBe(0);
  await stack.expectNothingLeft();
}
