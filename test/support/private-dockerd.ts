/**
 * A dockerd of the test's own, beside the rig's two: its own socket, data and exec roots, pidfile
 * and config file in a temp directory, stopped (and its mounts and directory removed) by `stop()`.
 * For tests that need a daemon in a state the shared rig must never be put in (a swarm member, a
 * full data root). Run them under the rig lock: a dockerd can write the host's iptables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { execa } from 'execa';
import { pollUntil } from './rig.js';

export interface PrivateDockerd {
  /** unix://<dir>/docker.sock */
  readonly host: string;
  readonly docker: Dockerode;
  /** <dir>/data, the --data-root. */
  readonly dataRoot: string;
  stop(): Promise<void>;
}

export interface PrivateDockerdOptions {
  /** Temp directory name prefix (`/tmp/<prefix>…`). */
  readonly prefix: string;
  /** dockerd flags besides host, data/exec roots, pidfile and config file. */
  readonly args: readonly string[];
  /** Runs once the directories exist, before dockerd starts (e.g. mounting the data root). */
  readonly beforeStart?: (dataRoot: string) => Promise<void>;
  /** Runs once dockerd answers; a throw stops it again. */
  readonly afterStart?: (docker: Dockerode) => Promise<void>;
  /** Runs at stop() while dockerd still runs. */
  readonly beforeStop?: (docker: Dockerode) => Promise<void>;
}

/** Starts the dockerd and returns once it answers /_ping (and `afterStart` is done). */
export async function startPrivateDockerd(options: PrivateDockerdOptions): Promise<PrivateDockerd> {
  const dir = mkdtempSync(`/tmp/${options.prefix}`);
  for (const d of ['data', 'exec']) mkdirSync(join(dir, d));
  const dataRoot = join(dir, 'data');
  await options.beforeStart?.(dataRoot);
  writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'deprecated-key-path': join(dir, 'key.json') }));
  const socket = join(dir, 'docker.sock');
  const child: ChildProcess = spawn(
    '/usr/sbin/dockerd',
    ['--host', `unix://${socket}`, '--data-root', dataRoot, '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'), '--config-file', join(dir, 'daemon.json'), ...options.args],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const docker = new Dockerode({ socketPath: socket });
  const stop = async () => {
    if (child.exitCode === null) await options.beforeStop?.(docker);
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    // Innermost mounts first (the data root's own mounts before a tmpfs under it).
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
      const mountPoint = line.split(' ')[4];
      if (mountPoint?.startsWith(`${dir}/`)) await execa('umount', ['-l', mountPoint]).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await pollUntil('the private dockerd', async () => existsSync(socket) && (await docker.ping()) !== undefined, { timeoutMs: 60_000, detail: () => log });
    await options.afterStart?.(docker);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: `unix://${socket}`, docker, dataRoot, stop };
}
