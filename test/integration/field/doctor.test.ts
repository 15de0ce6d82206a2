/**
 * `mixcompose doctor` on the rig: passes (the stand-in for Windows is a warning, not a failure);
 * with the routing between the two pools removed it fails with the IP-reachability verdict and
 * the iptables fix. Probe containers and networks are gone after every run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, assertRigUp, rigDocker, runMixcompose } from '../../support/rig.js';

interface Row {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

const RIG = join(REPO_ROOT, 'scripts', 'rig.sh');
const rig = (command: 'route' | 'unroute') => execa('bash', [RIG, command], { stdin: 'ignore' });

async function doctor(args: string[] = [], cwd = '/tmp', env: Record<string, string | undefined> = {}): Promise<{ exitCode: number; verdict: string; rows: Row[]; probeRun?: string; stdout: string }> {
  const r = await runMixcompose(['doctor', '--format', 'json', ...args], { cwd, env });
  const parsed = JSON.parse(r.stdout) as { verdict: string; rows: Row[]; probeRun?: string };
  return { exitCode: r.exitCode, ...parsed, stdout: r.stdout };
}

const row = (rows: Row[], check: string) => {
  const found = rows.find((r) => r.check === check);
  if (!found) throw new Error(`no row "${check}" in ${rows.map((r) => r.check).join(', ')}`);
  return found;
};

/** Containers and networks a doctor run (by its probe label) left on either daemon. */
async function probeLeftovers(run: string | undefined): Promise<number> {
  expect(run).toMatch(/^mixcompose-doctor-[0-9a-f]+$/);
  const filters = JSON.stringify({ label: [`com.docker.compose.project=${run}`] });
  let count = 0;
  for (const daemon of ['linux', 'windows'] as const) {
    const docker = rigDocker(daemon);
    count += (await docker.listContainers({ all: true, filters })).length;
    count += (await docker.listNetworks({ filters })).length;
  }
  return count;
}

beforeAll(() => assertRigUp());
afterAll(() => rig('route'));

describe('mixcompose doctor on the rig', () => {
  it('passes: both daemons, IP and published ports both ways, names through the resolver', async () => {
    const r = await doctor();
    expect(r.exitCode, JSON.stringify(r.rows.filter((x) => x.status === 'fail'))).toBe(0);
    expect(r.verdict).not.toBe('fail');
    expect(r.rows.filter((x) => x.status === 'fail')).toEqual([]);
    for (const dir of ['linux → windows', 'windows → linux']) {
      expect(row(r.rows, `IP reachability ${dir}`).status).toBe('ok');
      expect(row(r.rows, `published port ${dir}`).status).toBe('ok');
      expect(row(r.rows, `names with mixcompose ${dir}`).status).toBe('ok');
      // Docker's own DNS does not know the other daemon's names: the field's situation. (It forwards
      // the unknown name upstream: a slow upstream gives no answer in time instead of NXDOMAIN.)
      expect(row(r.rows, `names without wiring ${dir}`).detail).toMatch(/NXDOMAIN|no answer within/);
    }
    expect(row(r.rows, 'windows daemon: OS')).toMatchObject({ status: 'warn', fix: expect.stringContaining('--windows-host') });
    expect(row(r.rows, 'linux daemon: free disk').status).toMatch(/ok|warn/);
    expect(await probeLeftovers(r.probeRun)).toBe(0);
  });

  it('fails with the IP-reachability verdict and the routing fix when the pools are not routed', async () => {
    await rig('unroute');
    let r: Awaited<ReturnType<typeof doctor>>;
    try {
      r = await doctor(['--probe-timeout', '1']);
    } finally {
      await rig('route');
    }
    expect(r.exitCode).toBe(1);
    expect(r.verdict).toBe('fail');
    for (const dir of ['linux → windows', 'windows → linux']) {
      const ip = row(r.rows, `IP reachability ${dir}`);
      expect(ip.status).toBe('fail');
      expect(ip.fix).toMatch(/iptables -I DOCKER-USER -s 10\.20[12]\.\d+\.0\/24 -d 10\.20[12]\.\d+\.0\/24 -j ACCEPT/);
    }
    // The daemons themselves are fine.
    expect(row(r.rows, 'linux daemon: reachable').status).toBe('ok');
    expect(row(r.rows, 'windows daemon: reachable').status).toBe('ok');
    expect(await probeLeftovers(r.probeRun)).toBe(0);
  });

  it('a probe image that is nowhere fails the probes, with the fix, and leaves nothing', async () => {
    const r = await doctor(['--probe-image', 'mixcompose-test/no-such-image:latest']);
    expect(r.exitCode).toBe(1);
    expect(row(r.rows, 'network probes')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^probe image: /), fix: expect.stringContaining('--probe-image') });
    expect(await probeLeftovers(r.probeRun)).toBe(0);
  });

  it('the table names the verdict and prints a fix under each failure', async () => {
    const r = await runMixcompose(['doctor', '--probe-image', 'mixcompose-test/no-such-image:latest'], { cwd: '/tmp' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/network probes\s+FAIL\s+probe image: /);
    expect(r.stdout).toMatch(/fix: let the daemon pull the probe image .* --probe-image <platform>=<image>/);
    expect(r.stdout).toMatch(/^verdict: FAIL/m);
  });

  it('checks that the file\'s address references can be honoured (reach published needs published ports)', async () => {
    // An IPv4 address of this host outside the daemons' bridges: where windows containers reach linux published ports.
    const hostIp = Object.entries(networkInterfaces())
      .filter(([name]) => !/^(br-|docker)/.test(name))
      .flatMap(([, addresses]) => addresses ?? [])
      .find((a) => a.family === 'IPv4' && !a.internal)?.address;
    const r = await doctor([], join(REPO_ROOT, 'test', 'fixtures', 'field', 'doctor-published'), { MIXCOMPOSE_DOCTOR_LINUX_ADDRESS: hostIp });
    expect(r.exitCode).toBe(1);
    expect(row(r.rows, 'reference web → {{ db.port:5432 }}')).toMatchObject({ status: 'fail', fix: 'add ports: ["5432"] to service db' });
    expect(r.rows.find((x) => x.check === 'reference web → {{ cache.port:6379 }}')).toBeUndefined();
    expect(row(r.rows, 'address references')).toMatchObject({ status: 'ok', detail: '3 of 4 cross-daemon reference(s) can be honoured' });
    // Only the reference fails: the network itself is fine.
    expect(r.rows.filter((x) => x.status === 'fail').map((x) => x.check)).toEqual(['reference web → {{ db.port:5432 }}']);
  });

  it('a daemon that accepts connections but never answers is a failure, and doctor still ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-wedged-'));
    const socket = join(dir, 'engine.sock');
    const server = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const r = await runMixcompose(['--linux-host', `unix://${socket}`, 'doctor', '--format', 'json'], { cwd: '/tmp', timeoutMs: 60_000 });
      expect(r.exitCode).toBe(1);
      const rows = (JSON.parse(r.stdout) as { rows: Row[] }).rows;
      expect(row(rows, 'linux daemon: reachable')).toMatchObject({ status: 'fail', detail: expect.stringContaining('no answer within') });
      expect(row(rows, 'windows daemon: reachable').status).toBe('ok');
    } finally {
      server.closeAllConnections();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

