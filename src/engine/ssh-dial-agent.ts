/**
 * The HTTP agent for ssh:// daemon endpoints: each HTTP connection is an ssh exec channel (ssh2
 * library) running `docker system dial-stdio` on the remote, whose stdin/stdout carry the Engine API,
 * as the docker CLI does with the ssh binary.
 *
 * Why not docker-modem's own ssh support (protocol 'ssh'): it opens one ssh connection per request
 * with no bound, and OpenSSH's default `MaxStartups 10:30:100` drops connections beyond 10 that are
 * still authenticating, so a 16-service `up` failed with "Connection lost before handshake".
 *
 * What is reused, and why it stays safe:
 * - One authenticated ssh connection carries up to MAX_CHANNELS_PER_CONNECTION channels at once
 *   (OpenSSH's `MaxSessions` defaults to 10); when all are taken, another connection is dialled. At
 *   most MAX_HANDSHAKES connections authenticate at once (the rest wait), below MaxStartups.
 * - HTTP keep-alive: after a response the channel goes back to the agent's free list and carries the
 *   next request (dockerd keeps the connection, as the docker CLI's dial-stdio connections are
 *   reused). A stream (logs -f, events, attach, pull progress) holds its channel until it ends.
 * - Idle ssh connections do not keep Node alive: a connection's TCP socket is ref'd only while one of
 *   its channels carries a request (or is being opened); destroy() (DockerodeClient.close) ends them.
 * - A connection that closes (sshd restarted, network) leaves the pool at once, its channels close
 *   (the agent forgets them), and the next request dials again.
 *
 * Keys come only from the ssh-agent at SSH_AUTH_SOCK: ssh2 reads neither ~/.ssh/config nor
 * ~/.ssh/id_*. Host keys are checked against known_hosts (ssh-known-hosts.ts says how).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Agent, type ClientRequest, type ClientRequestArgs } from 'node:http';
import { connect as netConnect } from 'node:net';
import { Duplex, type Readable } from 'node:stream';
import { inspect } from 'node:util';
import type { Client as Ssh2Client } from 'ssh2';
import { checkHostKey } from './ssh-known-hosts.js';

/** At most this many ssh connections authenticate at once (OpenSSH starts dropping above 10). */
export const MAX_HANDSHAKES = 4;

/** At most this many dial-stdio channels share one ssh connection (OpenSSH's MaxSessions is 10). */
export const MAX_CHANNELS_PER_CONNECTION = 8;

const DIAL_STDIO = 'docker system dial-stdio';

export interface SshDialOptions {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  /** ssh-agent socket (SSH_AUTH_SOCK). */
  readonly agentSocket?: string;
  /** OpenSSH known_hosts file the host key is checked against (a missing file lists no host). */
  readonly knownHostsFile?: string;
}

/** An exec channel as the agent uses it (ssh2's ClientChannel). */
export type SshChannel = Duplex & { readonly stderr: Readable };

/** What the agent uses of an ssh2 Client (a fake one in unit tests). */
export interface SshClient {
  once(event: 'ready' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  exec(command: string, callback: (error: Error | undefined, channel: SshChannel) => void): unknown;
  end(): unknown;
}

/** An ssh client that was told to connect, and the TCP socket it runs on (for ref/unref). */
export interface SshLink {
  readonly client: SshClient;
  readonly socket: { ref(): unknown; unref(): unknown };
}

/** Starts one ssh connection (authentication included); the default uses ssh2 over a TCP socket. */
export type SshConnect = (options: SshDialOptions, hostVerifier: (key: Buffer) => boolean) => SshLink;

const connectWithSsh2: SshConnect = (options, hostVerifier) => {
  // Our own socket (not ssh2's) so that an idle connection can be unref'd.
  const socket = netConnect({ host: options.host, port: options.port, noDelay: true });
  // ssh2 (CommonJS) is required here, on the first ssh connection, not when this module loads:
  // every command imports this module, few use ssh:// (issue 9, start-up time).
  const { Client } = createRequire(import.meta.url)('ssh2') as { Client: typeof Ssh2Client };
  const client = new Client();
  client.connect({
    sock: socket,
    hostVerifier,
    host: options.host,
    port: options.port,
    ...(options.username ? { username: options.username } : {}),
    ...(options.agentSocket ? { agent: options.agentSocket } : {}),
  });
  return { client: client as unknown as SshClient, socket };
};

type ConnectionCallback = (error: Error | null, socket: Duplex) => void;

/** One ssh connection of the pool. */
interface PooledConnection {
  /** Set once a handshake slot was free and the connection started. */
  link: SshLink | undefined;
  ready: boolean;
  /** Closed or failed: takes no more channels. */
  gone: boolean;
  /** Channels open or being opened on it (at most MAX_CHANNELS_PER_CONNECTION). */
  channels: number;
  /** Channels carrying a request or being opened: the socket is ref'd while this is above 0. */
  busy: number;
  /** Channel requests waiting for authentication to finish. */
  readonly waiting: ConnectionCallback[];
}

/** A channel the agent handed out: its connection, and whether it sits idle in the free list. */
interface ChannelState {
  readonly connection: PooledConnection;
  idle: boolean;
}

/**
 * Gives a channel the net.Socket `setTimeout(msecs, callback?)` that http uses for a request timeout
 * (docker-modem's `timeout`, which `doctor` and DOCKER_CLIENT_TIMEOUT set): 'timeout' is emitted after
 * `msecs` without data either way. Without it such a request threw "sock.setTimeout is not a function".
 * Activity is seen where ssh2 pushes incoming data and where the stream writes, not with a 'data'
 * listener (that would start the flow before http reads). Like Node's socket timers, it is unref'd.
 */
export function withIdleTimeout(channel: Duplex): void {
  let msecs = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = msecs > 0 ? setTimeout(() => channel.emit('timeout'), msecs).unref() : undefined;
  };
  const push = channel.push.bind(channel);
  channel.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (msecs > 0) arm();
    return push(chunk, encoding);
  };
  const write = channel._write.bind(channel);
  channel._write = (chunk: unknown, encoding: BufferEncoding, done: (error?: Error | null) => void) => {
    if (msecs > 0) arm();
    write(chunk, encoding, done);
  };
  channel.once('close', () => {
    msecs = 0;
    arm();
  });
  Object.assign(channel, {
    setTimeout(next: number, callback?: () => void) {
      msecs = next;
      if (callback) {
        if (next === 0) channel.removeListener('timeout', callback);
        else channel.once('timeout', callback);
      }
      arm();
      return channel;
    },
  });
}

export class SshDialAgent extends Agent {
  private handshakes = 0;
  private readonly waitingForHandshake: (() => void)[] = [];
  private readonly connections = new Set<PooledConnection>();
  private readonly channelStates = new WeakMap<Duplex, ChannelState>();
  private readonly connectSsh: SshConnect;
  private destroyed = false;
  /** ssh connections that finished authenticating, over the agent's life (tests count logins with it). */
  logins = 0;
  /** The last thing a remote `docker system dial-stdio` wrote to stderr (trimmed), for messages. */
  lastRemoteStderr: string | undefined;
  /** Why the last refused host key was refused, for messages. */
  lastHostKeyRefusal: string | undefined;

  constructor(
    readonly ssh: SshDialOptions,
    connect: SshConnect = connectWithSsh2,
  ) {
    super({ keepAlive: true });
    this.connectSsh = connect;
  }

  /** http.Agent hook: called when no idle channel is free; answers through the callback. */
  override createConnection(_options: ClientRequestArgs, callback?: ConnectionCallback): undefined {
    if (!callback) return undefined;
    if (this.destroyed) {
      callback(new Error('ssh connections closed'), undefined as unknown as Duplex);
      return undefined;
    }
    const connection = this.connectionWithRoom() ?? this.newConnection();
    connection.channels += 1;
    this.setBusy(connection, +1);
    if (connection.ready) this.openChannel(connection, callback);
    else connection.waiting.push(callback);
    return undefined;
  }

  /** http.Agent hook: a channel whose response ended goes idle (true keeps it in the free list). */
  override keepSocketAlive(socket: Duplex): boolean {
    const state = this.channelStates.get(socket);
    if (!state || state.connection.gone || this.destroyed || !socket.readable || !socket.writable) return false;
    if (!state.idle) {
      state.idle = true;
      this.setBusy(state.connection, -1);
    }
    // Keep reading while idle: ssh2 emits a channel's 'close' (which takes it out of the free list)
    // only after its 'end', and a paused stream never ends.
    socket.resume();
    return true;
  }

  /** http.Agent hook: an idle channel carries a new request. */
  override reuseSocket(socket: Duplex, _request: ClientRequest): void {
    const state = this.channelStates.get(socket);
    if (state?.idle) {
      state.idle = false;
      this.setBusy(state.connection, +1);
    }
  }

  /** A live connection with a free channel slot, authenticated ones first. */
  private connectionWithRoom(): PooledConnection | undefined {
    let connecting: PooledConnection | undefined;
    for (const connection of this.connections) {
      if (connection.gone || connection.channels >= MAX_CHANNELS_PER_CONNECTION) continue;
      if (connection.ready) return connection;
      connecting ??= connection;
    }
    return connecting;
  }

  private setBusy(connection: PooledConnection, delta: number): void {
    connection.busy += delta;
    if (!connection.link) return;
    // A connection that is gone is closing: nothing of it should hold the process.
    if (connection.busy > 0 && !connection.gone) connection.link.socket.ref();
    else connection.link.socket.unref();
  }

  private newConnection(): PooledConnection {
    const connection: PooledConnection = { link: undefined, ready: false, gone: false, channels: 0, busy: 0, waiting: [] };
    this.connections.add(connection);
    this.acquireHandshake(() => this.start(connection));
    return connection;
  }

  private acquireHandshake(start: () => void): void {
    if (this.handshakes < MAX_HANDSHAKES) {
      this.handshakes += 1;
      start();
    } else {
      this.waitingForHandshake.push(start);
    }
  }

  private releaseHandshake(): void {
    const next = this.waitingForHandshake.shift();
    if (next) next();
    else this.handshakes -= 1;
  }

  private start(connection: PooledConnection): void {
    let released = false;
    const releaseOnce = () => {
      if (!released) {
        released = true;
        this.releaseHandshake();
      }
    };
    if (connection.gone) return releaseOnce();
    const link = this.connectSsh(this.ssh, (key) => this.verifyHostKey(key));
    connection.link = link;
    link.socket.ref();
    link.client.once('ready', () => {
      releaseOnce();
      if (connection.gone) return;
      connection.ready = true;
      this.logins += 1;
      for (const callback of connection.waiting.splice(0)) this.openChannel(connection, callback);
    });
    link.client.on('error', (error) => {
      releaseOnce();
      this.drop(connection, error);
    });
    link.client.once('close', () => {
      releaseOnce();
      this.drop(connection, new Error('ssh connection closed before docker system dial-stdio started'));
    });
  }

  /** Takes a connection out of the pool; requests still waiting for it fail with `error`. */
  private drop(connection: PooledConnection, error: Error): void {
    const first = !connection.gone;
    connection.gone = true;
    this.connections.delete(connection);
    for (const callback of connection.waiting.splice(0)) {
      connection.channels -= 1;
      this.setBusy(connection, -1);
      // http.Agent takes (error, undefined) on failure; its type says a Duplex is always given.
      callback(error, undefined as unknown as Duplex);
    }
    if (first) connection.link?.client.end();
  }

  private openChannel(connection: PooledConnection, callback: ConnectionCallback): void {
    const { client } = connection.link!;
    client.exec(DIAL_STDIO, (error, channel) => {
      if (error) {
        connection.channels -= 1;
        this.setBusy(connection, -1);
        callback(error, undefined as unknown as Duplex);
        return;
      }
      withIdleTimeout(channel);
      const state: ChannelState = { connection, idle: false };
      this.channelStates.set(channel, state);
      let stderr = '';
      channel.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 2000) stderr += chunk.toString('utf8');
        this.lastRemoteStderr = stderr.trim() || undefined;
      });
      channel.once('close', () => {
        connection.channels -= 1;
        if (!state.idle) this.setBusy(connection, -1);
        state.idle = false;
        // ssh2 closes a channel (remote exit, dropped connection) without ending its writable side,
        // and http.Agent takes a closed socket out of its free list only when it is not writable
        // (and skips only destroyed ones): a stale idle channel would take the next request, whose
        // writes ssh2 then drops, and the request would wait forever. Stream's own destroy (ssh2
        // overrides destroy() with end+close messages) marks it destroyed; this listener runs before
        // the agent's, which was added after it.
        if (!channel.destroyed) Duplex.prototype.destroy.call(channel);
      });
      callback(null, channel);
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

  /**
   * docker-modem logs every request with `util.inspect(options, { showHidden: true, depth: null })`,
   * evaluated even when its debug output is off; the options hold this agent, and a full inspection of
   * its pooled channels and ssh2 clients costs tens of milliseconds per request, growing with the pool.
   */
  [inspect.custom](): string {
    const user = this.ssh.username ? `${this.ssh.username}@` : '';
    return `SshDialAgent(ssh://${user}${this.ssh.host}:${this.ssh.port}, ${this.connections.size} connection(s))`;
  }

  /** Ends every ssh connection (open streams included) and the queued dials. */
  override destroy(): void {
    this.destroyed = true;
    super.destroy();
    this.waitingForHandshake.length = 0;
    for (const connection of [...this.connections]) {
      this.drop(connection, new Error('ssh connections closed'));
      // Closing must not wait for the server's side of the goodbye.
      connection.link?.socket.unref();
    }
  }
}
