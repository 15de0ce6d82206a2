/**
 * The HTTP agent for ssh:// daemon endpoints: each connection is an ssh session (ssh2 library)
 * running `docker system dial-stdio` on the remote, whose stdin/stdout carry the Engine API, as the
 * docker CLI does with the ssh binary.
 *
 * Why not docker-modem's own ssh support (protocol 'ssh'): it opens one ssh connection per request
 * with no bound, and OpenSSH's default `MaxStartups 10:30:100` drops connections beyond 10 that are
 * still authenticating, so a 16-service `up` failed with "Connection lost before handshake". Here at
 * most MAX_HANDSHAKES connections authenticate at once (the rest wait; an open stream does not hold a
 * slot), and the remote command's stderr is kept so a failure can say what the remote printed.
 *
 * Keys come only from the ssh-agent at SSH_AUTH_SOCK: ssh2 reads neither ~/.ssh/config nor
 * ~/.ssh/id_*. Host keys are checked against known_hosts (ssh-known-hosts.ts says how).
 */
import { readFileSync } from 'node:fs';
import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { Client } from 'ssh2';
import { checkHostKey } from './ssh-known-hosts.js';

/** At most this many ssh connections authenticate at once (OpenSSH starts dropping above 10). */
export const MAX_HANDSHAKES = 4;

export interface SshDialOptions {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  /** ssh-agent socket (SSH_AUTH_SOCK). */
  readonly agentSocket?: string;
  /** OpenSSH known_hosts file the host key is checked against (a missing file lists no host). */
  readonly knownHostsFile?: string;
}

type ConnectionCallback = (error: Error | null, socket: Duplex) => void;

export class SshDialAgent extends Agent {
  private handshakes = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly clients = new Set<Client>();
  /** The last thing a remote `docker system dial-stdio` wrote to stderr (trimmed), for messages. */
  lastRemoteStderr: string | undefined;
  /** Why the last refused host key was refused, for messages. */
  lastHostKeyRefusal: string | undefined;

  constructor(readonly ssh: SshDialOptions) {
    super({ keepAlive: false });
  }

  /** http.Agent hook: called once per new connection; answers through the callback. */
  override createConnection(_options: ClientRequestArgs, callback?: ConnectionCallback): undefined {
    if (callback) this.acquire(() => this.dial(callback));
    return undefined;
  }

  private acquire(start: () => void): void {
    if (this.handshakes < MAX_HANDSHAKES) {
      this.handshakes += 1;
      start();
    } else {
      this.waiting.push(start);
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.handshakes -= 1;
  }

  private dial(callback: ConnectionCallback): void {
    const client = new Client();
    this.clients.add(client);
    let released = false;
    let answered = false;
    const releaseOnce = () => {
      if (!released) {
        released = true;
        this.release();
      }
    };
    const answer = (error: Error | null, socket?: Duplex) => {
      if (answered) return;
      answered = true;
      // http.Agent takes (error, undefined) on failure; its type says a Duplex is always given.
      callback(error, socket as Duplex);
    };
    client.once('ready', () => {
      releaseOnce();
      client.exec('docker system dial-stdio', (error, channel) => {
        if (error) {
          client.end();
          return answer(error);
        }
        let stderr = '';
        channel.stderr.on('data', (chunk: Buffer) => {
          if (stderr.length < 2000) stderr += chunk.toString('utf8');
          this.lastRemoteStderr = stderr.trim() || undefined;
        });
        channel.once('close', () => client.end());
        answer(null, channel);
      });
    });
    client.on('error', (error) => {
      releaseOnce();
      answer(error);
    });
    client.once('close', () => {
      releaseOnce();
      this.clients.delete(client);
      answer(new Error('ssh connection closed before docker system dial-stdio started'));
    });
    client.connect({
      hostVerifier: (key: Buffer) => this.verifyHostKey(key),
      host: this.ssh.host,
      port: this.ssh.port,
      ...(this.ssh.username ? { username: this.ssh.username } : {}),
      ...(this.ssh.agentSocket ? { agent: this.ssh.agentSocket } : {}),
    });
  }

  private verifyHostKey(key: Buffer): boolean {
    const file = this.ssh.knownHostsFile;
    if (!file) return true;
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.lastHostKeyRefusal = `cannot read ${file}: ${(error as Error).message}`;
        return false;
      }
    }
    const verdict = checkHostKey(text, file, this.ssh.host, this.ssh.port, key);
    if (!verdict.ok) this.lastHostKeyRefusal = verdict.reason;
    return verdict.ok;
  }

  /** Ends every ssh connection (open streams included) and the queued dials. */
  override destroy(): void {
    super.destroy();
    this.waiting.length = 0;
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}
