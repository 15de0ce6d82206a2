/** Values checked at load time (sizes, durations, ports, daemon hosts, duplicate keys) and the unit parsers the planner shares (src/model/units.ts). */
import { describe, expect, it } from 'vitest';
import { bytes, durationNs, durationSeconds, parseDuration, parseSize } from '../../../src/model/units.js';
import { cpusProblem, durationProblem, exposeProblem, sizeProblem } from '../../../src/config/value-checks.js';
import { issuesOf, loadFromText } from './helpers.js';

describe('durations (Go syntax, as docker compose v2)', () => {
  it('parses units and compounds', () => {
    expect(parseDuration('1m30s')).toBe(90e9);
    expect(parseDuration('500ms')).toBe(5e8);
    expect(parseDuration('1.5h')).toBe(5400e9);
    expect(parseDuration('.5s')).toBe(5e8);
    expect(parseDuration('10us')).toBe(10e3);
    expect(parseDuration('10µs')).toBe(10e3);
    expect(parseDuration('2h45m')).toBe((2 * 3600 + 45 * 60) * 1e9);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('-1s')).toBe(-1e9);
  });
  it('rejects bare numbers, unknown units and junk', () => {
    for (const bad of ['10', '1d', 'banana', '', 's', '1s2', '1 s', '1.2.3s']) expect(parseDuration(bad), bad).toBeUndefined();
  });
  it('planner conversions use the same parser', () => {
    expect(durationNs('1m')).toBe(60e9);
    expect(durationNs(2)).toBe(2e9);
    expect(durationSeconds('1500ms', 10)).toBe(2);
    expect(durationSeconds('forever', 10)).toBe(10);
  });
  it('messages', () => {
    expect(durationProblem('10')).toBe('invalid duration "10": the unit is missing (for example "10s")');
    expect(durationProblem('-2s')).toBe('invalid duration "-2s": must not be negative');
    expect(durationProblem('1m30s')).toBeUndefined();
  });
});

describe('sizes (docker RAMInBytes syntax)', () => {
  it('parses units, with optional i, b and one space', () => {
    expect(parseSize('512m')).toBe(512 * 1024 ** 2);
    expect(parseSize('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('1GiB')).toBe(1024 ** 3);
    expect(parseSize('100 kb')).toBe(102400);
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize('7b')).toBe(7);
    expect(parseSize('2p')).toBe(2 * 1024 ** 5);
  });
  it('rejects junk', () => {
    for (const bad of ['lots', '12q', '-1', '1..5g', '', 'g', '1  m']) expect(parseSize(bad), bad).toBeUndefined();
  });
  it('loader checks: integers are bytes, -1 only where it means unlimited', () => {
    expect(sizeProblem(1024)).toBeUndefined();
    expect(sizeProblem(-1)).toMatch(/invalid size -1/);
    expect(sizeProblem(-1, true)).toBeUndefined();
    expect(sizeProblem('-1', true)).toBeUndefined();
    expect(sizeProblem(1.5)).toMatch(/invalid size 1.5/);
    expect(bytes('64m')).toBe(64 * 1024 ** 2);
  });
});

describe('cpus and expose', () => {
  it('cpus is a non-negative decimal', () => {
    for (const ok of [0.5, 2, '1.5', '.25', '3']) expect(cpusProblem(ok), String(ok)).toBeUndefined();
    for (const bad of ['many', '-1', -0.5, '1,5']) expect(cpusProblem(bad), String(bad)).toMatch(/invalid number of CPUs/);
  });
  it('expose is PORT[-PORT][/PROTOCOL] within 1-65535', () => {
    for (const ok of ['80', '8000-8010', '53/udp', '9000-9010/tcp']) expect(exposeProblem(ok), ok).toBeUndefined();
    expect(exposeProblem('0')).toMatch(/ports are 1-65535/);
    expect(exposeProblem('80/icmp')).toMatch(/invalid protocol "icmp"/);
  });
});

describe('the loader', () => {
  it('reports every invalid value with its key path, and loads valid ones unchanged', async () => {
    const errors = await issuesOf(`services:
  web:
    image: x
    mem_limit: lots
    cpus: many
    healthcheck: { test: ["CMD", "true"], interval: banana }
    stop_grace_period: forever
    shm_size: huge
    expose: ["x", "70000"]
`);
    expect(errors).toEqual([
      'compose.yaml:4:5 services.web.mem_limit: invalid size "lots": expected a number of bytes or a size like 512m or 1.5g (units b, k, m, g, t, p)',
      'compose.yaml:5:5 services.web.cpus: invalid number of CPUs "many": expected a number >= 0 such as 0.5 or 2',
      'compose.yaml:6:43 services.web.healthcheck.interval: invalid duration "banana": expected a duration like 30s, 1m30s or 500ms (units ns, us, ms, s, m, h)',
      'compose.yaml:7:5 services.web.stop_grace_period: invalid duration "forever": expected a duration like 30s, 1m30s or 500ms (units ns, us, ms, s, m, h)',
      'compose.yaml:8:5 services.web.shm_size: invalid size "huge": expected a number of bytes or a size like 512m or 1.5g (units b, k, m, g, t, p)',
      'compose.yaml:9:14 services.web.expose[0]: invalid port "x" in expose: expected a port (1-65535), a range like 8000-8010, optionally with /tcp, /udp or /sctp',
      'compose.yaml:9:19 services.web.expose[1]: invalid port "70000" in expose: ports are 1-65535',
    ]);
    const { project } = await loadFromText(`services:
  web: {image: x, mem_limit: 1g, cpus: 1.5, stop_grace_period: 1m, expose: [80, "90/udp"], healthcheck: {test: ["CMD", "true"], interval: 2s}}
`);
    expect(project.services.web).toMatchObject({ mem_limit: '1g', cpus: 1.5, stop_grace_period: '1m', expose: ['80', '90/udp'], healthcheck: { interval: '2s' } });
  });
  it('checks interpolated values, and leaves ${VAR} alone with --no-interpolate', async () => {
    expect(await issuesOf('services: {web: {image: x, mem_limit: "${MEM}"}}', { environment: { MEM: '1 gig' } })).toEqual([
      'compose.yaml:1:28 services.web.mem_limit: invalid size "1 gig": expected a number of bytes or a size like 512m or 1.5g (units b, k, m, g, t, p)',
    ]);
    const { project } = await loadFromText('services: {web: {image: x, mem_limit: "${MEM}", healthcheck: {test: [CMD, "true"], interval: "${I}"}}}', {
      interpolate: false,
    });
    expect(project.services.web).toMatchObject({ mem_limit: '${MEM}', healthcheck: { interval: '${I}' } });
  });
});

describe('daemon hosts', () => {
  it('accepts the schemes the daemon code dials, in the file and from overrides', async () => {
    for (const host of ['unix:///run/d.sock', 'npipe:////./pipe/docker_engine', 'tcp://h:2376', 'ssh://me@h', 'https://h:2376', 'tcp://[::1]:2375/v', 'ssh://u@h:22']) {
      const { project } = await loadFromText(`x-mixcompose: {daemons: {windows: {host: "${host}"}}}\nservices: {a: {image: x}}\n`);
      expect(project.extension.daemons.windows.host).toBe(host);
    }
    const { project } = await loadFromText('services: {a: {image: x}}\n', { environment: { MIXCOMPOSE_LINUX_HOST: 'h:2375' } });
    expect(project.extension.daemons.linux.host).toBe('h:2375');
  });
  it('rejects other schemes from the environment and the command line', async () => {
    expect(await issuesOf('services: {a: {image: x}}\n', { environment: { MIXCOMPOSE_WINDOWS_HOST: 'http://x' } })).toEqual([
      'MIXCOMPOSE_WINDOWS_HOST: unsupported scheme "http" in daemon host "http://x": expected unix://, npipe://, tcp://, ssh:// or https:// (plain-text TCP is tcp://)',
    ]);
    expect(await issuesOf('services: {a: {image: x}}\n', { environment: { MIXCOMPOSE_LINUX_HOST: 'tcp://127.0.0.1:99999' } })).toEqual([
      'MIXCOMPOSE_LINUX_HOST: invalid daemon host "tcp://127.0.0.1:99999": the port "99999" is not a number from 1 to 65535',
    ]);
    expect(await issuesOf('x-mixcompose: {daemons: {windows: {host: "ssh://me@h:x"}}}\nservices: {a: {image: x}}\n')).toEqual([
      'compose.yaml:1:36 x-mixcompose.daemons.windows.host: invalid daemon host "ssh://me@h:x": the port "x" is not a number from 1 to 65535',
    ]);
    expect(await issuesOf('services: {a: {image: x}}\n', { daemonOverrides: { linuxHost: 'unix://' } })).toEqual([
      '--linux-host: invalid daemon host "unix://": the address after unix:// is missing',
    ]);
  });
});

describe('duplicate keys', () => {
  it('name the key path and the key, once per place written', async () => {
    expect(await issuesOf('x-a: &a\n  k: 1\n  k: 2\nservices:\n  s: {<<: *a, image: x}\n  t: {<<: *a, image: x}\n')).toEqual([
      'compose.yaml:3:3 x-a.k: duplicate key "k"',
    ]);
  });
});

describe('numbers in canonical form', () => {
  it('interpolated CPU settings become numbers; cpu_rt_* durations become microseconds', async () => {
    const { project } = await loadFromText(
      'services:\n  a: {image: x, cpus: "${C}", cpu_quota: "${Q}", cpu_period: "100000", pids_limit: "-1", cpu_rt_runtime: 400ms, cpu_rt_period: "1000000"}\n',
      { environment: { C: '1.5', Q: '50000' } },
    );
    const replicas = await loadFromText('services:\n  a: {image: x, deploy: {replicas: "${N}"}}\n', { environment: { N: '3' } });
    expect(replicas.project.services.a!.deploy).toEqual({ replicas: 3 });
    expect(project.services.a).toMatchObject({ cpus: 1.5, cpu_quota: 50000, cpu_period: 100000, pids_limit: -1, cpu_rt_runtime: 400000, cpu_rt_period: 1000000 });
  });
});
