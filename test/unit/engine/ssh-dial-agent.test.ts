/**
 * The ssh connection pool of SshDialAgent, with fake ssh2 clients: channels share a connection up to
 * MAX_CHANNELS_PER_CONNECTION, a full pool dials another connection (at most MAX_HANDSHAKES
 * authenticating at once), a connection that closes is dialled again, an idle connection does not hold
 * the process (its socket is unref'd), and HTTP keep-alive reuses a channel. The channels of the HTTP
 * tests are TCP connections to a local HTTP server standing in for `docker system dial-stdio`.
 */
import { EventEmitter } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_CHANNELS_PER_CONNECTION,
  MAX_HANDSHAKES,
  SshDialAgent,
  withIdleTimeout,
  type SshChannel,
  type SshConnect,
} from '../../../src/engine/ssh-dial-agent.js';

class FakeSocket {
  referenced = false;
  ref(): void {
    this.referenced = true;
  }
  unref(): void {
    this.referenced = false;
  }
}

class FakeClient extends EventEmitter {
  commands: string[] = [];
  ended = false;
  constructor(private readonly newChannel: () => SshChannel) {
    super();
  }
  exec(command: string, callback: (error: Error | undefined, channel: SshChannel) => void): void {
    this.commands.push(command);
    setImmediate(() => callback(undefined, this.newChannel()));
  }
  end(): void {
    this.ended = true;
  }
}

/**
 * A channel that goes nowhere: a Duplex with a stderr. Like ssh2's, it emits 'close' itself (test:
 * `emit('close')`), not on destroy, and a close leaves its writable side open.
 */
function idleChannel(): SshChannel {
  const channel = new Duplex({ emitClose: false, read() {}, write(_chunk, _encoding, done) { done(); } });
  return Object.assign(channel, { stderr: new PassThrough() });
}

/** Fake ssh connections, one per connect call, in order. */
function fakeConnections(newChannel: () => SshChannel = idleChannel) {
  const links: { client: FakeClient; socket: FakeSocket }[] = [];
  const connect: SshConnect = () => {
    const link = { client: new FakeClient(newChannel), socket: new FakeSocket() };
    links.push(link);
    return link;
  };
  return { links, connect };
}

const SSH = { host: 'remote.example', port: 22, username: 'ci' };

/** Asks the agent for `count` connections the way http.Agent does; resolves each answer. */
function askChannels(agent: SshDialAgent, count: number): Promise<{ error: Error | null; socket: Duplex }>[] {
  return Array.from(
    { length: count },
    () => new Promise((resolve) => agent.createConnection({}, (error, socket) => resolve({ error, socket }))),
  );
}

describe('SshDialAgent connection pool (fake ssh2 clients)', () => {
  it(`carries up to ${MAX_CHANNELS_PER_CONNECTION} channels on one connection, then dials another`, async () => {
    const { links, connect } = fakeConnections();
    const agent = new SshDialAgent(SSH, connect);
    const first = askChannels(agent, MAX_CHANNELS_PER_CONNECTION);
    expect(links).toHaveLength(1);
    const second = askChannels(agent, 1);
    expect(links).toHaveLength(2);
    links[0]!.client.emit('ready');
    links[1]!.client.emit('ready');
    const answers = await Promise.all([...first, ...second]);
    expect(answers.every((a) => a.error === null)).toBe(true);
    expect(links[0]!.client.commands).toEqual(Array(MAX_CHANNELS_PER_CONNECTION).fill('docker system dial-stdio'));
    expect(links[1]!.client.commands).toEqual(['docker system dial-stdio']);
    expect(agent.logins).toBe(2);
    agent.destroy();
  });

  it('a channel that closes frees its slot on the connection', async () => {
    const { links, connect } = fakeConnections();
    const agent = new SshDialAgent(SSH, connect);
    const first = askChannels(agent, MAX_CHANNELS_PER_CONNECTION);
    links[0]!.client.emit('ready');
    const answers = await Promise.all(first);
    answers[0]!.socket.emit('close');
    await Promise.all(askChannels(agent, 1));
    expect(links).toHaveLength(1);
    expect(links[0]!.client.commands).toHaveLength(MAX_CHANNELS_PER_CONNECTION + 1);
    agent.destroy();
  });

  it(`at most ${MAX_HANDSHAKES} connections authenticate at once; the next starts when one is done`, async () => {
    const { links, connect } = fakeConnections();
    const agent = new SshDialAgent(SSH, connect);
    const all = askChannels(agent, (MAX_HANDSHAKES + 1) * MAX_CHANNELS_PER_CONNECTION);
    expect(links).toHaveLength(MAX_HANDSHAKES);
    links[0]!.client.emit('ready');
    expect(links).toHaveLength(MAX_HANDSHAKES + 1);
    for (const link of links.slice(1)) link.client.emit('ready');
    expect((await Promise.all(all)).filter((a) => a.error)).toEqual([]);
    agent.destroy();
  });

  it('a connection that fails before it is ready fails the requests waiting on it; the next request dials again', async () => {
    const { links, connect } = fakeConnections();
    const agent = new SshDialAgent(SSH, connect);
    const waiting = askChannels(agent, 3);
    links[0]!.client.emit('error', new Error('All configured authentication methods failed'));
    links[0]!.client.emit('close');
    const answers = await Promise.all(waiting);
    expect(answers.map((a) => a.error?.message)).toEqual(Array(3).fill('All configured authentication methods failed'));
    const again = askChannels(agent, 1);
    expect(links).toHaveLength(2);
    links[1]!.client.emit('ready');
    expect((await again[0])!.error).toBeNull();
    agent.destroy();
  });

  it('a connection that closed while ready (sshd restarted) is not used again: the next request dials', async () => {
    const { links, connect } = fakeConnections();
    const agent = new SshDialAgent(SSH, connect);
    const first = askChannels(agent, 1);
    links[0]!.client.emit('ready');
    await first[0];
    links[0]!.client.emit('close');
    const next = askChannels(agent, 1);
    expect(links).toHaveLength(2);
    links[1]!.client.emit('ready');
    expect((await next[0])!.error).toBeNull();
    expect(links[1]!.client.commands).toHaveLength(1);
    agent.destroy();
  });

  it('a closed connection before dial-stdio started says so', async () => {
    const { links, connect } = fakeConnections();
    const agent = new SshDialAgent(SSH, connect);
    const waiting = askChannels(agent, 1);
    links[0]!.client.emit('close');
    expect((await waiting[0])!.error?.message).toBe('ssh connection closed before docker system dial-stdio started');
    agent.destroy();
  });

  it("the socket holds the process only while a channel carries a request; destroy() ends every connection", async () => {
    const { links, connect } = fakeConnections();
    const agent = new SshDialAgent(SSH, connect);
    const asked = askChannels(agent, 2);
    const { socket } = links[0]!;
    expect(socket.referenced).toBe(true); // authenticating for waiting requests
    links[0]!.client.emit('ready');
    const [a, b] = await Promise.all(asked);
    expect(agent.keepSocketAlive(a!.socket)).toBe(true);
    expect(socket.referenced).toBe(true); // b still carries a request
    expect(agent.keepSocketAlive(b!.socket)).toBe(true);
    expect(socket.referenced).toBe(false); // both idle in the free list
    agent.reuseSocket(a!.socket, undefined as never);
    expect(socket.referenced).toBe(true);
    a!.socket.emit('close'); // a stream ended (or its request was aborted)
    expect(socket.referenced).toBe(false);
    agent.destroy();
    expect(links[0]!.client.ended).toBe(true);
    expect(socket.referenced).toBe(false);
    expect((await askChannels(agent, 1)[0])!.error?.message).toBe('ssh connections closed');
  });

  it('an idle channel ssh2 closed (writable side still open) is destroyed, so http.Agent drops it from its free list', async () => {
    // Node's Agent removes a closed socket from the free list only when it is not writable, and reuses
    // any free socket that is not destroyed: a stale channel would take the next request and hang it.
    const { links, connect } = fakeConnections();
    const agent = new SshDialAgent(SSH, connect);
    const asked = askChannels(agent, 1);
    links[0]!.client.emit('ready');
    const { socket } = (await asked[0])!;
    expect(agent.keepSocketAlive(socket)).toBe(true);
    links[0]!.client.emit('close'); // sshd restarted: ssh2 then closes every channel
    socket.emit('close');
    expect(socket.destroyed).toBe(true);
    expect(socket.writable).toBe(false);
    expect(agent.keepSocketAlive(socket)).toBe(false);
    agent.destroy();
  });

  it('the stderr of the remote dial-stdio is kept for messages', async () => {
    let channel: SshChannel | undefined;
    const { links, connect } = fakeConnections(() => (channel = idleChannel()));
    const agent = new SshDialAgent(SSH, connect);
    const asked = askChannels(agent, 1);
    links[0]!.client.emit('ready');
    await asked[0];
    (channel!.stderr as PassThrough).write('error during connect: no such host\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(agent.lastRemoteStderr).toBe('error during connect: no such host');
    agent.destroy();
  });
});

describe('withIdleTimeout: the socket timeout http needs (doctor, DOCKER_CLIENT_TIMEOUT)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("emits 'timeout' after msecs without data either way; data in or out starts the wait again; 0 turns it off", () => {
    vi.useFakeTimers();
    const channel = idleChannel();
    withIdleTimeout(channel);
    const fired: number[] = [];
    (channel as unknown as { setTimeout(ms: number, cb: () => void): void }).setTimeout(100, () => fired.push(Date.now()));
    vi.advanceTimersByTime(80);
    channel.push(Buffer.from('HTTP/1.1 200 OK\r\n')); // data from the remote
    vi.advanceTimersByTime(80);
    channel.write('more'); // data to the remote
    vi.advanceTimersByTime(80);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(30);
    expect(fired).toHaveLength(1);
    const again: number[] = [];
    channel.on('timeout', () => again.push(1));
    (channel as unknown as { setTimeout(ms: number): void }).setTimeout(50);
    (channel as unknown as { setTimeout(ms: number): void }).setTimeout(0);
    vi.advanceTimersByTime(200);
    expect(again).toEqual([]);
  });
});

describe('SshDialAgent with HTTP (channels are connections to a local HTTP server)', () => {
  let server: Server;
  let port = 0;
  /** Requests answered, and the release of the answers held by /slow. */
  let held: (() => void)[] = [];

  beforeEach(async () => {
    held = [];
    server = createServer((req, res) => {
      const answer = () => res.end(`you asked ${req.url}`);
      if (req.url === '/slow') held.push(answer);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const tcpChannel = (): SshChannel => Object.assign(netConnect({ host: '127.0.0.1', port }), { stderr: new PassThrough() });

  function get(agent: SshDialAgent, path: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request({ host: SSH.host, port: SSH.port, path, agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** A connect whose clients are ready at once. */
  function readyConnections() {
    const fake = fakeConnections(tcpChannel);
    const connect: SshConnect = (options, verify) => {
      const link = fake.connect(options, verify);
      setImmediate(() => (link.client as FakeClient).emit('ready'));
      return link;
    };
    return { links: fake.links, connect };
  }

  it('keep-alive: requests one after the other share one channel of one connection', async () => {
    const { links, connect } = readyConnections();
    const agent = new SshDialAgent(SSH, connect);
    for (const path of ['/a', '/b', '/c']) expect(await get(agent, path)).toBe(`you asked ${path}`);
    expect(links).toHaveLength(1);
    expect(links[0]!.client.commands).toHaveLength(1);
    expect(links[0]!.socket.referenced).toBe(false); // idle: the process may end
    agent.destroy();
  });

  it('an idle channel the remote closed (dial-stdio ended) leaves the free list; the next request opens another', async () => {
    const { links, connect } = readyConnections();
    const agent = new SshDialAgent(SSH, connect);
    expect(await get(agent, '/a')).toBe('you asked /a');
    server.closeIdleConnections();
    await pollFor(() => Object.values(agent.freeSockets).every((sockets) => !sockets?.length));
    expect(await get(agent, '/b')).toBe('you asked /b');
    expect(links).toHaveLength(1);
    expect(links[0]!.client.commands).toHaveLength(2);
    agent.destroy();
  });

  it('requests at once open channels, a second connection past the per-connection limit; later requests reuse them', async () => {
    const { links, connect } = readyConnections();
    const agent = new SshDialAgent(SSH, connect);
    const many = MAX_CHANNELS_PER_CONNECTION + 2;
    const slow = Array.from({ length: many }, () => get(agent, '/slow'));
    await pollFor(() => held.length === many);
    expect(links).toHaveLength(2);
    expect(links.map((l) => l.socket.referenced)).toEqual([true, true]); // requests in flight
    for (const answer of held) answer();
    expect(await Promise.all(slow)).toEqual(Array(many).fill('you asked /slow'));
    expect(await Promise.all(Array.from({ length: many }, (_, i) => get(agent, `/again-${i}`)))).toHaveLength(many);
    expect(links).toHaveLength(2);
    expect(links.map((l) => l.client.commands.length)).toEqual([MAX_CHANNELS_PER_CONNECTION, 2]);
    agent.destroy();
  });
});

/** Polls a condition (a few ms apart) until it holds; fails after 5 s. */
async function pollFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
