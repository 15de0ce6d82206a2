// `up -d` of 16 linux services (and `down`) with the linux daemon behind an ssh:// endpoint: a private
// sshd on loopback (test/support/loopback-ssh.ts, the one the ssh integration test uses) whose
// `docker system dial-stdio` reaches the rig's linux daemon, against the same stack on the rig's unix
// socket (the floor: no ssh at all). Also counts the ssh logins (sshd's "Accepted publickey" lines)
// each `up` made. BENCH_RUNS times each, round-robin. TypeScript (it shares the test's sshd helper), run
// with vite-node: bash bench/ssh-up.sh. Results: bench/results/ssh-up.md.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain ESM helpers without types
import { BUSYBOX_IMAGE, RUNS, assertRig, fmt, machineLine, median, removeProject, run, runsCell, toolEnv, writeResults, MIXCOMPOSE_BIN } from './lib/common.mjs';
import { startLoopbackSsh, stopProcess } from '../test/support/loopback-ssh.js';

const SERVICES = 16;
const compose = `services:\n${Array.from({ length: SERVICES }, (_, i) => `  s${i + 1}:\n    platform: linux\n    image: ${BUSYBOX_IMAGE}\n    init: true\n    command: ["sleep", "3600"]\n`).join('')}`;

async function main(): Promise<void> {
  await assertRig();
  const dir = await mkdtemp(join(tmpdir(), 'mixcompose-bench-ssh-'));
  const ssh = await startLoopbackSsh(dir);
  const home = join(dir, 'home');
  await writeFile(join(dir, 'compose.yaml'), compose);
  await mkdir(join(home, '.ssh'), { recursive: true });
  await writeFile(join(home, '.ssh', 'known_hosts'), `${ssh.knownHostsLine}\n`);
  const ways = {
    'unix socket': {},
    ssh: { MIXCOMPOSE_LINUX_HOST: `ssh://root@127.0.0.1:${ssh.port}`, SSH_AUTH_SOCK: ssh.agentSocket, HOME: home },
  } as const;
  const up: Record<string, number[]> = { 'unix socket': [], ssh: [] };
  const down: Record<string, number[]> = { 'unix socket': [], ssh: [] };
  const sshLogins: { up: number[]; down: number[] } = { up: [], down: [] };
  try {
    for (let round = 0; round < RUNS; round++) {
      for (const [way, extra] of Object.entries(ways)) {
        const project = `bench-ssh-${process.pid}-${round}`;
        const env = toolEnv(extra);
        const args = [MIXCOMPOSE_BIN, '-f', join(dir, 'compose.yaml'), '-p', project];
        await removeProject(project);
        const before = ssh.logins();
        const u = await run('node', [...args, '--progress', 'plain', 'up', '-d'], { env });
        if (u.code !== 0) throw new Error(`${way} up failed:\n${u.output}`);
        const middle = ssh.logins();
        const d = await run('node', [...args, 'down', '-t', '0'], { env });
        if (d.code !== 0) throw new Error(`${way} down failed:\n${d.output}`);
        up[way]!.push(u.seconds);
        down[way]!.push(d.seconds);
        if (way === 'ssh') {
          sshLogins.up.push(middle - before);
          sshLogins.down.push(ssh.logins() - middle);
        }
        await removeProject(project);
        console.log(`round ${round + 1} ${way}: up ${fmt(u.seconds)} s, down ${fmt(d.seconds)} s`);
      }
    }
  } finally {
    for (const child of ssh.processes) await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  }
  const row = (way: string) => `| ${way} | ${fmt(median(up[way]))} | ${fmt(median(down[way]))} | ${runsCell(up[way])} |`;
  writeResults(
    'ssh-up.md',
    [
      `# up -d / down of ${SERVICES} linux services over ssh:// (loopback sshd) vs the unix socket`,
      '',
      await machineLine(),
      '',
      '| way | up median (s) | down median (s) | up runs (s) |',
      '|---|---|---|---|',
      row('unix socket'),
      row('ssh'),
      '',
      '| ratio | value | meaning |',
      '|---|---|---|',
      `| ssh / unix socket, up | ${(median(up.ssh) / median(up['unix socket'])).toFixed(2)} | what the ssh transport costs (1.0 = nothing) |`,
      `| ssh / unix socket, down | ${(median(down.ssh) / median(down['unix socket'])).toFixed(2)} | the same for down |`,
      '',
      `ssh logins per up: ${sshLogins.up.join(' ')}; per down: ${sshLogins.down.join(' ')}`,
      '',
    ].join('\n'),
  );
}

await main();
