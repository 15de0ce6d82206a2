/**
 * The test rig as integration tests see it (scripts/rig.sh starts it): two private dockerd on this
 * machine, "linux" and a Linux daemon standing in for "windows", routed to each other by IP, and a
 * registry on loopback. Values can be overridden through the same MIXCOMPOSE_* variables that
 * `bash scripts/rig.sh env` prints.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
import { execa } from 'execa';

export const LINUX_HOST = process.env.MIXCOMPOSE_LINUX_HOST ?? 'unix:///run/mixcompose-rig/linux.sock';
export const WINDOWS_HOST = process.env.MIXCOMPOSE_WINDOWS_HOST ?? 'unix:///run/mixcompose-rig/windows.sock';
/** Host:port of the loopback registry (plain HTTP; daemons treat 127.0.0.0/8 as insecure). */
export const REGISTRY = process.env.MIXCOMPOSE_TEST_REGISTRY ?? '127.0.0.1:5555';

/** Address pools: every network the daemon creates gets a /24 from its pool. */
export const LINUX_POOL = '10.201.0.0/16';
export const WINDOWS_POOL = '10.202.0.0/16';

/** Imported into both daemons by the rig (busybox-static rootfs; never pulled). */
export const BUSYBOX_IMAGE = 'mixcompose-test/busybox:latest';
/** Imported into both daemons: busybox + Debian's dnsmasq at /usr/sbin/dnsmasq, hostsdir /etc/mixcompose/hosts. */
export const RESOLVER_IMAGE = 'mixcompose/resolver:0.1.0';
/** The same busybox, served by the registry (linux config). */
export const REGISTRY_BUSYBOX_IMAGE = `${REGISTRY}/busybox:latest`;
/** Busybox layers under a config saying os windows, os.version 10.0.20348.1. */
export const FAKE_WINDOWS_IMAGE = `${REGISTRY}/fake-windows:latest`;
export const FAKE_WINDOWS_OS_VERSION = '10.0.20348.1';
/** Busybox plus one distinct layer of random bytes each (for pull tests and the pull benchmark). */
export const PAYLOAD_IMAGES = [1, 2, 3, 4].map((n) => `${REGISTRY}/payload-${n}:latest`);

/** The repository root and the built CLI (`npm run build` writes dist/). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MIXCOMPOSE_BIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');

export type RigDaemon = 'linux' | 'windows';

export const HOST_OF: Readonly<Record<RigDaemon, string>> = { linux: LINUX_HOST, windows: WINDOWS_HOST };
export const POOL_OF: Readonly<Record<RigDaemon, string>> = { linux: LINUX_POOL, windows: WINDOWS_POOL };

/** Socket path of a `unix://` host. */
export function socketPathOf(host: string): string {
  if (!host.startsWith('unix://')) throw new Error(`rig hosts are unix sockets, got ${host}`);
  return host.slice('unix://'.length);
}

/** A dockerode client for one of the rig's daemons (tests only; src/ goes through DaemonClient). */
export function rigDocker(daemon: RigDaemon): Dockerode {
  return new Dockerode({ socketPath: socketPathOf(HOST_OF[daemon]) });
}

/** Throws a message saying how to start the rig when its sockets are missing. */
export function assertRigUp(): void {
  const missing = (['linux', 'windows'] as const).filter((d) => !existsSync(socketPathOf(HOST_OF[d])));
  if (missing.length > 0) {
    throw new Error(
      `the test rig is not running (no socket for ${missing.join(', ')}): run \`sudo bash scripts/rig.sh up\``,
    );
  }
}

/** Variables that would point the CLI somewhere other than the rig. */
const FOREIGN_DOCKER_VARS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'];

/**
 * Environment for spawning the mixcompose CLI against the rig: the current environment without the
 * docker CLI's DOCKER_* selectors, plus MIXCOMPOSE_LINUX_HOST / _WINDOWS_HOST / _ALLOW_OS_MISMATCH=1 /
 * _TEST_REGISTRY, plus `extra` (a value of undefined removes a variable).
 */
export function rigEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of FOREIGN_DOCKER_VARS) delete env[name];
  Object.assign(env, {
    MIXCOMPOSE_LINUX_HOST: LINUX_HOST,
    MIXCOMPOSE_WINDOWS_HOST: WINDOWS_HOST,
    MIXCOMPOSE_ALLOW_OS_MISMATCH: '1',
    MIXCOMPOSE_TEST_REGISTRY: REGISTRY,
    NO_COLOR: '1',
  });
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

let projectCounter = 0;

/**
 * A project name no other test run uses: `<prefix>-<pid>-<n><random>`, lowercase letters, digits and
 * dashes only (valid as a compose project name and inside container names).
 */
export function uniqueProjectName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'test';
  projectCounter += 1;
  return `${clean}-${process.pid.toString(36)}-${projectCounter}${randomBytes(2).toString('hex')}`;
}

/**
 * Removes every container, network and volume labelled `com.docker.compose.project=<project>` on both
 * daemons (cleanup after a test, whatever mixcompose left behind).
 */
export async function removeProjectLeftovers(project: string): Promise<void> {
  const filters = JSON.stringify({ label: [`com.docker.compose.project=${project}`] });
  // Something already gone (404) or being removed by its daemon (409) is fine.
  const gone = (error: unknown) => [404, 409].includes((error as { statusCode?: number }).statusCode ?? 0);
  const removeAll = async (daemon: RigDaemon) => {
    const docker = rigDocker(daemon);
    const containers = await docker.listContainers({ all: true, filters });
    await Promise.allSettled(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
    // Networks one at a time: the two daemons share iptables chains, and parallel changes race there.
    for (const n of await docker.listNetworks({ filters })) {
      await docker.getNetwork(n.Id).remove().catch((error: unknown) => {
        if (!gone(error)) throw error;
      });
    }
    const { Volumes } = await docker.listVolumes({ filters });
    await Promise.allSettled((Volumes ?? []).map((v) => docker.getVolume(v.Name).remove()));
  };
  const left = async (daemon: RigDaemon) => {
    const docker = rigDocker(daemon);
    const [containers, networks, { Volumes }] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
    return [...containers.map((c) => c.Names[0] ?? c.Id), ...networks.map((n) => n.Name), ...(Volumes ?? []).map((v) => v.Name)].map((name) => `${name} (${daemon})`);
  };
  // Once more for what a first pass could not remove (a container still stopping, an iptables race).
  for (let pass = 1; pass <= 2; pass++) {
    for (const daemon of ['linux', 'windows'] as const) await removeAll(daemon).catch(() => undefined);
  }
  const remaining = [...(await left('linux')), ...(await left('windows'))];
  if (remaining.length) throw new Error(`project ${project}: could not remove ${remaining.join(', ')}`);
}

/** The IPv4 address of a container on `network` (or on its only network). */
export async function containerIp(docker: Dockerode, id: string, network?: string): Promise<string> {
  const info = await docker.getContainer(id).inspect();
  const networks = info.NetworkSettings.Networks;
  const entry = network ? networks[network] : Object.values(networks)[0];
  if (!entry?.IPAddress) throw new Error(`container ${info.Name} has no IPv4 address on ${network ?? 'any network'}`);
  return entry.IPAddress;
}

/** Demultiplexes a non-TTY container log buffer (8-byte frame headers) into text. */
export function demuxLogs(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Runs `cmd` in a running container and returns its stdout and stderr as text. */
export async function execText(container: Dockerode.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return demuxLogs(Buffer.concat(chunks));
}

/** The IPv4 address busybox `nslookup name` gives inside `container`, if any. */
export async function nslookupIp(container: Dockerode.Container, name: string): Promise<string | undefined> {
  const answer = (await execText(container, ['nslookup', name])).split(/Name:\s+\S+/)[1] ?? '';
  return /Address(?: \d+)?:\s+(\d+\.\d+\.\d+\.\d+)/.exec(answer)?.[1];
}

export interface RunResult {
  readonly exitCode: number;
  readonly output: string;
}

/**
 * Runs a busybox shell script in a throwaway container and returns its exit code and combined output.
 * `name` lets other containers find it; the container is removed afterwards.
 */
export async function runScript(
  docker: Dockerode,
  script: string,
  options: { network?: string; dns?: string[]; name?: string; image?: string } = {},
): Promise<RunResult> {
  const container = await docker.createContainer({
    Image: options.image ?? BUSYBOX_IMAGE,
    name: options.name,
    Cmd: ['sh', '-c', script],
    HostConfig: { NetworkMode: options.network, Dns: options.dns },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { exitCode: StatusCode, output: demuxLogs(logs) };
  } finally {
    await container.remove({ force: true });
  }
}

/**
 * Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`
 * (with the last error, if the check threw). For waiting on a condition; never a fixed sleep.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  {
    timeoutMs = 30_000,
    intervalMs = 100,
    detail,
  }: {
    timeoutMs?: number;
    intervalMs?: number;
    /** What to show on a timeout besides the last error (the output of a command being watched). */
    detail?: () => string;
  } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      const shown = detail ? `\n--- what it printed so far:\n${detail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${shown}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI (`node dist/cli/main.js …args`) against the rig with `rigEnv(env)`, in `cwd`.
 * Never throws on a non-zero exit: assert on `exitCode`. Needs `npm run build` (npm test does it).
 */
export async function runMixcompose(
  args: readonly string[],
  { cwd = REPO_ROOT, env = {}, timeoutMs = 110_000 }: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const result = await execa('node', [MIXCOMPOSE_BIN, ...args], {
    cwd,
    env: rigEnv(env),
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const RIG_SCRIPT = join(REPO_ROOT, 'scripts', 'rig.sh');

/**
 * Stops one of the rig's daemons, keeping its state (its containers are killed, not removed): for tests
 * of a daemon that goes away mid-way. Always pair with `startRigDaemon` in a `finally`.
 */
export async function stopRigDaemon(daemon: RigDaemon): Promise<void> {
  await execa('bash', [RIG_SCRIPT, 'stop-daemon', daemon], { stdin: 'ignore' });
}

/** Starts a daemon stopped by `stopRigDaemon` again (returns once it answers /info). */
export async function startRigDaemon(daemon: RigDaemon): Promise<void> {
  await execa('bash', [RIG_SCRIPT, 'start-daemon', daemon], { stdin: 'ignore' });
}
