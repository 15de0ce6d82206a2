/**
 * The rig's "windows" daemon behind test/support/windows-proxy.ts behaves like a Windows daemon where
 * it matters (it says windows in /info and /version, ignores ExtraHosts, has no stop signals, refuses
 * what Windows refuses), so these run WITHOUT --allow-os-mismatch: names across the daemons, the OS
 * check, stops, doctor and a clean down. The plain stand-in stays for the other tests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertRigUp,
  BUSYBOX_IMAGE,
  execText,
  nslookupIp,
  REGISTRY_BUSYBOX_IMAGE,
  removeProjectLeftovers,
  RESOLVER_IMAGE,
  rigDocker,
  runMixcompose,
  socketPathOf,
  uniqueProjectName,
  WINDOWS_HOST,
} from '../../support/rig.js';
import { dbWebYaml, dependsOnHealthy, httpDb } from '../../support/stacks.js';
import { startWindowsProxy, windowsCreateRefusal, type WindowsProxy } from '../../support/windows-proxy.js';

const stackYaml = () =>
  dbWebYaml({
    reach: 'ip',
    db: httpDb('db-says-hello'),
    web: {
      init: false,
      lines: ['extra_hosts: ["gw=10.0.0.1"]', 'stop_signal: SIGUSR1', ...dependsOnHealthy('db')],
      command: 'echo "by-name=$$(wget -q -O - http://db:8080/index.html)"\ntrap \'\' TERM USR1\nwhile true; do sleep 1; done\n',
    },
  });

describe('through a Windows-behaving daemon (no --allow-os-mismatch)', () => {
  let proxy: WindowsProxy;
  let dir: string;
  const name = uniqueProjectName('winproxy');
  const cli = (args: string[]) =>
    runMixcompose(['-f', join(dir, 'compose.yaml'), '-p', name, ...args], { env: { MIXCOMPOSE_WINDOWS_HOST: proxy.host, MIXCOMPOSE_ALLOW_OS_MISMATCH: undefined } });

  beforeAll(async () => {
    assertRigUp();
    // The doctor's probe image and a registry image keep their real OS (linux) on the proxy.
    proxy = await startWindowsProxy({ upstreamSocket: socketPathOf(WINDOWS_HOST), linuxImages: [RESOLVER_IMAGE, REGISTRY_BUSYBOX_IMAGE] });
    dir = mkdtempSync(join(tmpdir(), `${name}-`));
    writeFileSync(join(dir, 'compose.yaml'), stackYaml());
  });
  afterAll(async () => {
    await removeProjectLeftovers(name);
    await proxy?.close();
  });

  it('answers as a Windows daemon and refuses what Windows refuses, with its words', async () => {
    const r = await runMixcompose(['doctor', '--format', 'json', '--probe-image', `windows=${RESOLVER_IMAGE}`], {
      cwd: tmpdir(),
      env: { MIXCOMPOSE_WINDOWS_HOST: proxy.host, MIXCOMPOSE_ALLOW_OS_MISMATCH: undefined },
    });
    const report = JSON.parse(r.stdout) as { verdict: string; rows: { check: string; status: string; detail: string }[] };
    expect(report.rows.filter((row) => row.status === 'fail')).toEqual([]);
    expect(report.rows.find((row) => /windows/.test(row.check) && /windowsfilter|Windows Server/.test(row.detail))).toBeDefined();
    expect(windowsCreateRefusal({ HostConfig: { Privileged: true } })).toBe('invalid option: Windows does not support Privileged');
    expect(windowsCreateRefusal({ HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } } })).toMatch(/host IP/);
    expect(windowsCreateRefusal({ HostConfig: { Binds: [`${join(dir, 'compose.yaml')}:/c.yaml`] } })).toMatch(/must be a directory/);
  });

  it('brings the mixed stack up: names cross both ways, ExtraHosts never reach the Windows side', async () => {
    const up = await cli(['up', '-d']);
    expect(up.stderr).not.toMatch(/allow-os-mismatch|does not run windows/);
    expect(up.exitCode).toBe(0);
    const web = rigDocker('windows').getContainer(`${name}-web-1`);
    const db = rigDocker('linux').getContainer(`${name}-db-1`);
    const logs = (await web.logs({ stdout: true, stderr: true })).toString('latin1');
    expect(logs).toContain('by-name=db-says-hello');
    expect(await nslookupIp(db, 'web')).toMatch(/^10\.202\./);
    expect(await execText(web, ['cat', '/etc/hosts'])).not.toContain('gw');
    // host.docker.internal on the windows side: the resolver answers the gateway of its project network.
    const network = await rigDocker('windows').getNetwork(`${name}_default`).inspect();
    const gateway = (network as { IPAM?: { Config?: { Gateway?: string }[] } }).IPAM?.Config?.find((c) => c.Gateway)?.Gateway;
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await nslookupIp(web, 'host.docker.internal')).toBe(gateway);
  });

  it('stops with no signal honoured: the process that ignores TERM and its stop_signal ends at once', async () => {
    const stop = await cli(['stop', 'web']);
    expect(stop.exitCode).toBe(0);
    expect(proxy.log.some((line) => /^stop( \S+)? → kill SIGKILL/.test(line))).toBe(true);
    const state = (await rigDocker('windows').getContainer(`${name}-web-1`).inspect()).State;
    expect(state.Running).toBe(false);
    expect(state.ExitCode).toBe(137);
  });

  it('the OS check refuses a Linux-only image for a windows service before anything moves', async () => {
    writeFileSync(join(dir, 'os-check.yaml'), `services:\n  lin:\n    platform: windows\n    image: ${REGISTRY_BUSYBOX_IMAGE}\n`);
    const r = await runMixcompose(['-f', join(dir, 'os-check.yaml'), '-p', `${name}-os`, 'up', '-d'], { env: { MIXCOMPOSE_WINDOWS_HOST: proxy.host, MIXCOMPOSE_ALLOW_OS_MISMATCH: undefined } });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/no windows variant/);
    expect(await rigDocker('windows').listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${name}-os`] }) })).toEqual([]);
  });

  it('a privileged windows service is refused with the daemon words', async () => {
    writeFileSync(join(dir, 'priv.yaml'), `services:\n  p:\n    platform: windows\n    image: ${BUSYBOX_IMAGE}\n    privileged: true\n    command: ["sleep", "5"]\n`);
    const r = await runMixcompose(['-f', join(dir, 'priv.yaml'), '-p', `${name}-priv`, 'up', '-d'], { env: { MIXCOMPOSE_WINDOWS_HOST: proxy.host, MIXCOMPOSE_ALLOW_OS_MISMATCH: undefined } });
    await removeProjectLeftovers(`${name}-priv`);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/privileged/i);
  });

  it('down is clean on both daemons', async () => {
    const down = await cli(['down']);
    expect(down.exitCode).toBe(0);
    for (const daemon of ['linux', 'windows'] as const) {
      const filters = JSON.stringify({ label: [`com.docker.compose.project=${name}`] });
      expect(await rigDocker(daemon).listContainers({ all: true, filters })).toEqual([]);
      expect(await rigDocker(daemon).listNetworks({ filters })).toEqual([]);
    }
  });
});
