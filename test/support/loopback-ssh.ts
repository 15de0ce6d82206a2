/**
 * A private OpenSSH server on 127.0.0.1 for ssh:// endpoint tests and benchmarks: its own sshd_config,
 * host key and authorized_keys in a temp dir (the system's sshd service is not touched), an ssh-agent
 * holding a generated client key (SSH_AUTH_SOCK, which is how mixcompose offers keys to ssh endpoints),
 * and `SetEnv DOCKER_HOST=<rig linux daemon>`, so the remote `docker system dial-stdio` reaches the rig.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, createConnection } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LINUX_HOST, pollUntil } from './rig.js';

const SSHD = '/usr/sbin/sshd';

/** A TCP port nothing listens on right now (bound to port 0, then released). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface LoopbackSsh {
  readonly dir: string;
  readonly port: number;
  /** The server's host key line as known_hosts writes it for 127.0.0.1:port. */
  readonly knownHostsLine: string;
  /** The same name with another ed25519 key (a host key that changed). */
  readonly wrongKnownHostsLine: string;
  /** An ssh-agent holding the client key. */
  readonly agentSocket: string;
  /**
   * An ssh-agent holding a second key, whose authorized_keys line forces a dial-stdio to a socket
   * that does not exist (a remote whose docker CLI cannot reach a daemon).
   */
  readonly noDaemonAgentSocket: string;
  readonly processes: readonly ResultPromise[];
  /** What sshd printed so far (for failure messages). */
  log(): string;
  /** ssh logins so far: sshd logs one "Accepted publickey" line for each. */
  logins(): number;
}

/**
 * sshd on 127.0.0.1:<free port> (foreground, `-D -e`, so it is our child and logs to us) accepting only
 * the generated key for root; ssh-agent (`-D`) holding that key. `StrictModes no`: the temp dir sits
 * under the world-writable /tmp, which sshd's path check would refuse. /run/sshd is OpenSSH's
 * privilege separation directory (compiled in, not configurable); it is created when missing.
 */
export async function startLoopbackSsh(dir: string): Promise<LoopbackSsh> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server (scripts/setup.sh does)`);
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  const noDaemonKey = join(dir, 'no_daemon_ed25519');
  for (const [key, comment] of [[hostKey, 'host'], [clientKey, 'client'], [noDaemonKey, 'no-daemon']] as const) {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `mixcompose-test-${comment}`, '-f', key]);
  }
  const publicKey = async (key: string) => (await readFile(`${key}.pub`, 'utf8')).trim();
  await writeFile(
    join(dir, 'authorized_keys'),
    `${await publicKey(clientKey)}\ncommand="env DOCKER_HOST=unix://${dir}/no-daemon.sock docker system dial-stdio" ${await publicKey(noDaemonKey)}\n`,
  );
  await execa('mkdir', ['-p', '-m', '0755', '/run/sshd']);
  const port = await freeLoopbackPort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PidFile none',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      // What a remote docker host has in its environment: `docker system dial-stdio` dials DOCKER_HOST.
      `SetEnv DOCKER_HOST=${LINUX_HOST}`,
      '',
    ].join('\n'),
  );
  let sshdLog = '';
  const sshd = execa(SSHD, ['-D', '-e', '-f', config], { stdin: 'ignore', reject: false, all: true, buffer: false });
  sshd.all?.on('data', (chunk: Buffer) => (sshdLog += chunk.toString()));
  const processes: ResultPromise[] = [sshd];
  const startAgent = async (socket: string, key: string) => {
    processes.push(execa('ssh-agent', ['-D', '-a', socket], { stdin: 'ignore', reject: false, buffer: false }));
    await pollUntil(`ssh-agent at ${socket} accepting a key`, async () => {
      const added = await execa('ssh-add', [key], { env: { SSH_AUTH_SOCK: socket }, reject: false });
      return added.exitCode === 0;
    }, { timeoutMs: 10_000 });
  };
  const agentSocket = join(dir, 'agent.sock');
  const noDaemonAgentSocket = join(dir, 'no-daemon-agent.sock');
  await startAgent(agentSocket, clientKey);
  await startAgent(noDaemonAgentSocket, noDaemonKey);
  await pollUntil(`sshd listening on 127.0.0.1:${port}`, async () => {
    if (sshd.exitCode !== null) throw new Error(`sshd exited: ${sshdLog}`);
    return accepts(port);
  }, { timeoutMs: 10_000 });
  const hostPublic = (await publicKey(hostKey)).split(' ').slice(0, 2).join(' ');
  const otherPublic = (await publicKey(noDaemonKey)).split(' ').slice(0, 2).join(' ');
  return {
    dir,
    port,
    knownHostsLine: `[127.0.0.1]:${port} ${hostPublic}`,
    wrongKnownHostsLine: `[127.0.0.1]:${port} ${otherPublic}`,
    agentSocket,
    noDaemonAgentSocket,
    processes,
    log: () => sshdLog,
    logins: () => (sshdLog.match(/Accepted publickey/g) ?? []).length,
  };
}

export async function stopProcess(child: ResultPromise | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await child;
}
