/**
 * An ssh:// daemon endpoint, dialled for real on loopback. The test starts a private OpenSSH server
 * on 127.0.0.1 (its own sshd_config, host key and authorized_keys in a temp dir; the system's sshd
 * service is not touched) and an ssh-agent holding a generated client key (SSH_AUTH_SOCK, which is
 * how mixcompose offers keys to ssh endpoints). The server sets DOCKER_HOST for the session
 * (sshd_config `SetEnv`), so the `docker system dial-stdio` that docker-modem runs on the "remote"
 * reaches the rig's linux daemon. mixcompose then drives a two-service stack with
 * `--linux-host ssh://root@127.0.0.1:<port>` and the rig's windows stand-in: up, ps, logs (also
 * -f, a live stream over ssh, ended by Ctrl-C), down, with the server's host key listed in the CLI's
 * ~/.ssh/known_hosts (HOME points at a temp dir). Then the failures: nothing listening, no agent, a
 * remote whose docker CLI reaches no daemon, a changed host key; and a 16-service stack, past sshd's
 * default MaxStartups, whose requests share a few ssh logins (connections are reused); a dropped
 * connection is dialled again. Everything started here is stopped in afterAll, also when a test fails.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSYBOX_IMAGE,
  MIXCOMPOSE_BIN,
  assertRigUp,
  pollUntil,
  removeProjectLeftovers,
  rigDocker,
  rigEnv,
  runMixcompose,
  uniqueProjectName,
} from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';
import { SshDialAgent } from '../../../src/engine/ssh-dial-agent.js';
import { freeLoopbackPort, startLoopbackSsh, stopProcess, type LoopbackSsh } from '../../support/loopback-ssh.js';

const COMPOSE = `# db on the linux daemon (dialled over ssh), web on the windows stand-in.
${dbWebYaml({
  // db prints a line now, and one more each time /tmp/tick appears (for logs -f).
  db: { command: 'echo db-says-hello; while :; do if [ -f /tmp/tick ]; then rm /tmp/tick; echo db-tick; fi; sleep 0.1; done' },
  web: { command: 'echo web-says-hello; exec sleep 3600' },
})}`;

interface PsEntry {
  readonly name: string;
  readonly service: string;
  readonly daemon: string;
  readonly state: string;
}

describe('an ssh:// daemon endpoint (private sshd on loopback, dial-stdio to the rig)', () => {
  let dir: string | undefined;
  let ssh: LoopbackSsh | undefined;
  let file = '';
  const project = uniqueProjectName('field-ssh');
  const sshHost = () => `ssh://root@127.0.0.1:${ssh!.port}`;
  /** HOME whose ~/.ssh/known_hosts lists the server's real host key (the key is checked and known). */
  let knownHome = '';
  const sshEnv = () => ({ MIXCOMPOSE_LINUX_HOST: sshHost(), SSH_AUTH_SOCK: ssh!.agentSocket, HOME: knownHome });
  const mixcompose = (args: readonly string[]) => runMixcompose(['-f', file, '-p', project, ...args], { env: sshEnv() });

  beforeAll(async () => {
    assertRigUp();
    dir = await mkdtemp(join(tmpdir(), 'mixcompose-ssh-'));
    file = join(dir, 'compose.yaml');
    await writeFile(file, COMPOSE);
    ssh = await startLoopbackSsh(dir);
    knownHome = join(dir, 'home-known');
    await mkdir(join(knownHome, '.ssh'), { recursive: true });
    await writeFile(join(knownHome, '.ssh', 'known_hosts'), `${ssh.knownHostsLine}\n`);
  });

  afterAll(async () => {
    for (const child of ssh?.processes ?? []) await stopProcess(child);
    await removeProjectLeftovers(project);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('up -d, ps, logs, logs -f and down all go through ssh', async () => {
    const up = await mixcompose(['--progress', 'plain', 'up', '-d']);
    expect(up.exitCode, `${up.stderr}\nsshd: ${ssh!.log()}`).toBe(0);

    // The linux service really is on the rig's linux daemon (reached through dial-stdio).
    const onLinux = await rigDocker('linux').listContainers({
      filters: JSON.stringify({ label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=db'] }),
    });
    expect(onLinux.map((c) => c.State)).toEqual(['running']);

    const ps = await mixcompose(['ps', '--format', 'json']);
    expect(ps.exitCode, ps.stderr).toBe(0);
    const entries = (JSON.parse(ps.stdout) as PsEntry[]).map((e) => ({ service: e.service, daemon: e.daemon, state: e.state }));
    expect(entries.sort((a, b) => a.service.localeCompare(b.service))).toEqual([
      { service: 'db', daemon: `linux (${sshHost()})`, state: 'running' },
      { service: 'web', daemon: expect.stringMatching(/^windows \(unix:/), state: 'running' },
    ]);

    // Both containers have printed their line (they run `echo` first): poll, a loaded machine may lag.
    const logs = await pollUntil('both lines in logs', async () => {
      const r = await mixcompose(['logs']);
      return /db-says-hello/.test(r.stdout) && /web-says-hello/.test(r.stdout) ? r : undefined;
    }, { timeoutMs: 30_000 });
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(new RegExp(`^${project}-db-1 +\\| db-says-hello$`, 'm'));
    expect(logs.stdout).toMatch(new RegExp(`^${project}-web-1 +\\| web-says-hello$`, 'm'));

    // logs -f: a line written after the stream opened arrives over ssh; Ctrl-C ends it cleanly
    // (the ssh connection must not keep the process alive).
    const follow = execa('node', [MIXCOMPOSE_BIN, '-f', file, '-p', project, 'logs', '-f', 'db'], {
      env: rigEnv(sshEnv()),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      buffer: false,
      timeout: 60_000,
    });
    let followed = '';
    follow.stdout?.on('data', (chunk: Buffer) => (followed += chunk.toString()));
    follow.stderr?.on('data', (chunk: Buffer) => (followed += chunk.toString()));
    try {
      await pollUntil('logs -f to print the first line', async () => followed.includes('db-says-hello'), { timeoutMs: 20_000 });
      const exec = await rigDocker('linux').getContainer(`${project}-db-1`).exec({ Cmd: ['touch', '/tmp/tick'] });
      await exec.start({ hijack: false, stdin: false, Detach: true });
      await pollUntil('logs -f to print a line written after it started', async () => followed.includes('db-tick'), { timeoutMs: 20_000 });
      follow.kill('SIGINT');
      const ended = await follow;
      expect(ended.exitCode, followed).toBe(0);
    } finally {
      if (follow.exitCode === null) follow.kill('SIGKILL');
    }

    const down = await mixcompose(['down', '-t', '1']);
    expect(down.exitCode, down.stderr).toBe(0);
    const filters = JSON.stringify({ label: [`com.docker.compose.project=${project}`] });
    for (const daemon of ['linux', 'windows'] as const) {
      expect(await rigDocker(daemon).listContainers({ all: true, filters })).toEqual([]);
      expect(await rigDocker(daemon).listNetworks({ filters })).toEqual([]);
    }
  });

  it('an ssh endpoint where nothing listens: the error names the daemon', async () => {
    const closed = await freeLoopbackPort();
    const host = `ssh://root@127.0.0.1:${closed}`;
    const r = await runMixcompose(['-f', file, '-p', project, 'up', '-d'], {
      env: { MIXCOMPOSE_LINUX_HOST: host, SSH_AUTH_SOCK: ssh!.agentSocket },
    });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`error: daemon linux (${host}): up (connecting) failed: connect ECONNREFUSED 127.0.0.1:${closed}`);
    expect(r.stderr).toContain('not done: up: nothing was changed');
  });

  it('no key offered (no SSH_AUTH_SOCK): the error names the daemon and says keys come from an ssh-agent', async () => {
    const r = await runMixcompose(['-f', file, '-p', project, 'ps'], {
      env: { MIXCOMPOSE_LINUX_HOST: sshHost(), SSH_AUTH_SOCK: undefined },
    });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`error: daemon linux (${sshHost()}): ps (connecting) failed: All configured authentication methods failed`);
    expect(r.stderr).toContain('mixcompose offers ssh keys only through an ssh-agent, and SSH_AUTH_SOCK is not set');
  });

  it("a remote whose docker CLI reaches no daemon: the error says to check the remote's docker system dial-stdio", async () => {
    const r = await runMixcompose(['-f', file, '-p', project, 'ps'], {
      env: { MIXCOMPOSE_LINUX_HOST: sshHost(), SSH_AUTH_SOCK: ssh!.noDaemonAgentSocket },
    });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`error: daemon linux (${sshHost()}): ps (connecting) failed: socket hang up`);
    // What the remote printed: its docker CLI could not reach the (missing) daemon socket.
    expect(r.stderr).toContain(`"docker system dial-stdio" ended without answering after printing "`);
    expect(r.stderr).toContain(`dial unix ${dir}/no-daemon.sock: connect: no such file or directory`);
    expect(r.stderr).toContain(`check with: ssh -p ${ssh!.port} root@127.0.0.1 docker system info`);
  });

  it("sixteen services: no more connections authenticate at once than sshd's default MaxStartups (10) allows, and they are reused", async () => {
    // docker-modem's own ssh support opened one connection per request, all at once: sshd dropped the
    // ones past 10 and `up` failed with "Connection lost before handshake".
    const many = uniqueProjectName('field-ssh-many');
    const manyFile = join(dir!, 'many.yaml');
    const services = Array.from({ length: 16 }, (_, i) => `  s${i + 1}:\n    platform: linux\n    image: ${BUSYBOX_IMAGE}\n    init: true\n    command: ["sleep", "3600"]\n`);
    await writeFile(manyFile, `services:\n${services.join('')}`);
    const run = (args: readonly string[]) => runMixcompose(['-f', manyFile, '-p', many, ...args], { env: sshEnv() });
    try {
      const before = ssh!.logins();
      const up = await run(['up', '-d']);
      expect(up.exitCode, up.stderr).toBe(0);
      const running = await rigDocker('linux').listContainers({ filters: JSON.stringify({ label: [`com.docker.compose.project=${many}`] }) });
      expect(running.length).toBe(16);
      expect(ssh!.log()).not.toMatch(/past MaxStartups/);
      // Engine API calls share ssh connections (8 channels each, HTTP keep-alive on the channels): the
      // up's 50-odd requests took 55 logins when every request had its own connection, now a few.
      expect(ssh!.logins() - before, ssh!.log()).toBeLessThanOrEqual(6);
      const down = await run(['down', '-t', '0']);
      expect(down.exitCode, down.stderr).toBe(0);
    } finally {
      await removeProjectLeftovers(many);
    }
    // A guard, not a time assertion: on a loaded 2-CPU rig the daemon took up to 60 s per container
    // removal in this `down` (traced: DELETE /containers/… 204 after 30–62 s), and the test ran 57–117 s.
  }, 240_000);

  it('a dropped ssh connection (its sshd session killed) is dialled again by the next request', async () => {
    const agent = new SshDialAgent({ host: '127.0.0.1', port: ssh!.port, username: 'root', agentSocket: ssh!.agentSocket });
    const docker = new Dockerode({ protocol: 'http', host: '127.0.0.1', port: ssh!.port, agent } as Dockerode.DockerOptions);
    try {
      await Promise.all([docker.ping(), docker.ping(), docker.ping()]);
      expect(agent.logins).toBe(1);
      // sshd forks one process per connection: killing it drops the connection and its idle channels.
      const sessions = await execa('pgrep', ['-P', String(ssh!.processes[0]!.pid)], { reject: false });
      const pids = sessions.stdout.split('\n').filter(Boolean).map(Number);
      expect(pids.length, ssh!.log()).toBeGreaterThan(0);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await pollUntil('the agent to see the connection drop', async () => Object.values(agent.freeSockets).every((s) => !s?.length), { timeoutMs: 10_000 });
      expect(String(await docker.ping())).toBe('OK');
      expect(agent.logins).toBe(2);
    } finally {
      agent.destroy();
    }
  });

  it('a host key that differs from the one in ~/.ssh/known_hosts is refused, naming the file and the fix', async () => {
    const changedHome = join(dir!, 'home-changed');
    await mkdir(join(changedHome, '.ssh'), { recursive: true });
    const knownHosts = join(changedHome, '.ssh', 'known_hosts');
    await writeFile(knownHosts, `${ssh!.wrongKnownHostsLine}\n`);
    const r = await runMixcompose(['-f', file, '-p', project, 'ps'], { env: { ...sshEnv(), HOME: changedHome } });
    expect(r.exitCode).toBe(3);
    const name = `[127.0.0.1]:${ssh!.port}`;
    expect(r.stderr).toContain(
      `error: daemon linux (${sshHost()}): ps (connecting) failed: Host denied (verification failed) (the ssh-ed25519 host key of ${name} is not the one ${knownHosts} lists`,
    );
    expect(r.stderr).toContain(`ssh-keygen -R "${name}"`);
  });
});
