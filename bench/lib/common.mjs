// Shared pieces of the benchmarks: the rig's endpoints, timing a command, cleanup by project label,
// medians, and the markdown results file. Plain Node ESM so the benchmarks run without a build step
// (only mixcompose itself needs `npm run build`).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
export const MIXCOMPOSE_BIN = join(REPO_ROOT, 'dist', 'bin', 'main.js');

export const HOSTS = {
  linux: process.env.MIXCOMPOSE_LINUX_HOST ?? 'unix:///run/mixcompose-rig/linux.sock',
  windows: process.env.MIXCOMPOSE_WINDOWS_HOST ?? 'unix:///run/mixcompose-rig/windows.sock',
};
export const REGISTRY = process.env.MIXCOMPOSE_TEST_REGISTRY ?? '127.0.0.1:5555';
export const BUSYBOX_IMAGE = 'mixcompose-test/busybox:latest';
export const DAEMONS = /** @type {const} */ (['linux', 'windows']);

/** Runs per tool (BENCH_RUNS, default 5). */
export const RUNS = Number(process.env.BENCH_RUNS ?? '5');

export function docker(daemon) {
  return new Dockerode({ socketPath: HOSTS[daemon].replace(/^unix:\/\//, '') });
}

/** Environment for the tools: no DOCKER_* leaking in from the caller. */
export function toolEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete env[name];
  return {
    ...env,
    MIXCOMPOSE_LINUX_HOST: HOSTS.linux,
    MIXCOMPOSE_WINDOWS_HOST: HOSTS.windows,
    MIXCOMPOSE_ALLOW_OS_MISMATCH: '1',
    MIXCOMPOSE_TEST_REGISTRY: REGISTRY,
    NO_COLOR: '1',
    ...extra,
  };
}

/**
 * Runs a command to completion; resolves with exit code, combined output, wall time (s) and the
 * machine's busy CPU time meanwhile (CPU-seconds over all CPUs, daemons included: see cpuSecondsSince).
 */
export function run(cmd, args, { env = toolEnv(), cwd = REPO_ROOT } = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const cpuBefore = cpuTimes();
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error) => resolve({ code: -1, output: String(error), seconds: 0, cpuSeconds: 0 }));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code: code ?? -1, output, seconds, cpuSeconds: cpuSecondsSince(cpuBefore) });
    });
  });
}

/** Times an async function (s). */
export async function timed(fn) {
  return (await timedCpu(fn)).seconds;
}

/** Times an async function: wall seconds, and the machine's busy CPU-seconds meanwhile (cpuSecondsSince). */
export async function timedCpu(fn) {
  const started = process.hrtime.bigint();
  const cpuBefore = cpuTimes();
  await fn();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: cpuSecondsSince(cpuBefore) };
}

/** Fails early, with the fix, when the rig is not up. */
export async function assertRig() {
  for (const daemon of DAEMONS) {
    try {
      await docker(daemon).ping();
    } catch {
      throw new Error(`the rig's ${daemon} daemon does not answer at ${HOSTS[daemon]}: run \`sudo bash scripts/rig.sh up\``);
    }
  }
}

/**
 * Removes everything of `project` on both daemons: containers and networks labelled with the compose
 * project label (compose and mixcompose both set it), and containers named `<project>-…`/`<project>_…`.
 */
export async function removeProject(project) {
  await Promise.all(
    DAEMONS.map(async (daemon) => {
      const d = docker(daemon);
      const byLabel = await d.listContainers({
        all: true,
        filters: JSON.stringify({ label: [`com.docker.compose.project=${project}`] }),
      });
      const byName = (await d.listContainers({ all: true, filters: JSON.stringify({ name: [project] }) })).filter((c) =>
        c.Names.some((n) => n.startsWith(`/${project}-`) || n.startsWith(`/${project}_`)),
      );
      const ids = new Set([...byLabel, ...byName].map((c) => c.Id));
      await Promise.all([...ids].map((id) => d.getContainer(id).remove({ force: true, v: true }).catch(() => {})));
      const networks = await d.listNetworks({
        filters: JSON.stringify({ label: [`com.docker.compose.project=${project}`] }),
      });
      const named = (await d.listNetworks()).filter((n) => n.Name.startsWith(`${project}_`) || n.Name.startsWith(`${project}-`));
      const netIds = new Set([...networks, ...named].map((n) => n.Id));
      await Promise.all([...netIds].map((id) => d.getNetwork(id).remove().catch(() => {})));
    }),
  );
}

/** Busy and total CPU time of the whole machine so far (/proc/stat, all CPUs, in clock ticks). */
function cpuTimes() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 8).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are the time nothing ran.
  return { busy: total - fields[3] - (fields[4] ?? 0), total };
}

/** /proc/stat counts in USER_HZ, 100 on every Linux architecture that matters here. */
const TICKS_PER_SECOND = 100;

/**
 * The machine's busy CPU-seconds since `before` (cpuTimes): everything that ran, the daemons, their
 * runc and iptables children and the tool alike. On a machine where the daemons are CPU-bound (the
 * rig's two CPUs), an up's wall time follows this total, so it says how much work each way asks for.
 * Other work on the machine adds to every way alike.
 */
export function cpuSecondsSince(before) {
  return (cpuTimes().busy - before.busy) / TICKS_PER_SECOND;
}

/**
 * Waits until the machine is quiet: the CPUs at least `idleShare` idle over one `windowMs` window
 * (at most `maxMs` in all). Removing a stack leaves the daemons and the kernel work to finish after
 * the command returns (network namespaces, iptables, overlay mounts); the next way measured would
 * pay for it. Each way starts on a settled machine instead. Resolves with the seconds waited.
 */
export async function settle({ idleShare = 0.85, windowMs = 500, maxMs = 15_000 } = {}) {
  const started = Date.now();
  for (;;) {
    const a = cpuTimes();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const b = cpuTimes();
    const busy = (b.busy - a.busy) / Math.max(1, b.total - a.total);
    if (1 - busy >= idleShare || Date.now() - started >= maxMs) return (Date.now() - started) / 1000;
  }
}

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const fmt = (s) => (Number.isFinite(s) ? s.toFixed(2) : 'n/a');
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : 'n/a');

/**
 * Whether `mixcompose <command>` exists in the built CLI. Returns undefined when it does, else the
 * reason it is not available.
 */
export async function mixcomposeUnavailable(command) {
  if (!existsSync(MIXCOMPOSE_BIN)) return `${MIXCOMPOSE_BIN} not built (npm run build)`;
  // commander prints `Usage: mixcompose <command> …` for a registered command, the program's help otherwise.
  const help = await run('node', [MIXCOMPOSE_BIN, command, '--help']);
  if (help.code !== 0 || !new RegExp(`Usage: \\S+ ${command}\\b`).test(help.output)) {
    return `\`mixcompose ${command}\` is not in the built CLI yet (dist/bin/main.js ${command} --help)`;
  }
  return undefined;
}

/** The part of a result file that says where and when it was measured. */
export async function machineLine() {
  // The start-up benchmark does not need the rig: its engine version is then n/a.
  const version = await docker('linux')
    .version()
    .catch(() => ({ Version: 'n/a', ApiVersion: 'n/a' }));
  const compose = await run('docker-compose', ['version', '--short']);
  return (
    `Measured ${new Date().toISOString()} on ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ` +
    `kernel ${release()}, Node ${process.version}, Docker Engine ${version.Version} (API ${version.ApiVersion}) ` +
    `x2 (the rig), docker-compose ${compose.output.trim() || 'n/a'}; load average at the end ` +
    `${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews every way alike).`
  );
}

export function writeResults(name, markdown) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, name);
  writeFileSync(path, markdown);
  return path;
}

/** `a b c` for a markdown table cell of per-run seconds. */
export const runsCell = (values) => values.map(fmt).join(' ');

/** Starts every service as soon as the services it depends on are started (all daemons at once). */
async function startChains(services, project, { network, dns }) {
  const labels = { 'com.docker.compose.project': project };
  const byName = new Map(services.map((s) => [s.name, s]));
  const clients = Object.fromEntries(DAEMONS.map((daemon) => [daemon, docker(daemon)]));
  const started = new Map();
  const start = (service) => {
    if (!started.has(service.name)) {
      started.set(
        service.name,
        (async () => {
          await Promise.all((service.dependsOn ?? []).map((d) => start(byName.get(d))));
          const container = await clients[service.daemon].createContainer({
            Image: service.image,
            name: `${project}-${service.name}-1`,
            Cmd: ['sleep', '3600'],
            Labels: { ...labels, 'com.docker.compose.service': service.name },
            HostConfig: { NetworkMode: network, ...(dns ? { Dns: [dns] } : {}) },
          });
          await container.start();
        })(),
      );
    }
    return started.get(service.name);
  };
  await Promise.all(services.map(start));
}

/**
 * The direct floor of a whole stack: every service created and started straight through the Engine
 * API (dockerode), each as soon as the services it depends on are started, all daemons at once, on a
 * `<project>_default` network per daemon made beforehand (untimed). Resolves with the seconds from the
 * first create to the last start (with `cpu`: `{ floor, floorCpu }`, the machine's busy CPU-seconds
 * meanwhile too); removes the project after.
 */
export async function directStackStart(services, project, { cpu = false } = {}) {
  const labels = { 'com.docker.compose.project': project };
  const network = `${project}_default`;
  try {
    // Untimed, so one daemon after the other: two daemons on one host race in iptables when both
    // create a network at once (a floor run was lost to it).
    for (const daemon of DAEMONS) await docker(daemon).createNetwork({ Name: network, Labels: labels });
    const measured = await timedCpu(() => startChains(services, project, { network }));
    return cpu ? { floor: measured.seconds, floorCpu: measured.cpuSeconds } : measured.seconds;
  } finally {
    await removeProject(project);
  }
}

/**
 * The floor of the infrastructure that wiring names across two daemons cannot do without, timed with
 * the stack: the two project networks, then one more container started first on the linux daemon (a
 * stand-in for the resolver: plain busybox, nothing registered) whose address goes into every
 * container's DNS list, then the whole stack as in directStackStart. What stays between this and
 * mixcompose's first up is mixcompose's own work. Resolves with `{ infra, infraCpu }`.
 */
export async function directInfrastructureStart(services, project) {
  const labels = { 'com.docker.compose.project': project };
  const network = `${project}_default`;
  try {
    const measured = await timedCpu(async () => {
      const linux = docker('linux');
      await linux.createNetwork({ Name: network, Labels: labels });
      // The windows network beside the stand-in's start (not beside the linux network: two daemons
      // on one host race in iptables when both create a network at once).
      const [, dns] = await Promise.all([
        docker('windows').createNetwork({ Name: network, Labels: labels }),
        (async () => {
          const standIn = await linux.createContainer({
            Image: BUSYBOX_IMAGE,
            name: `${project}-resolver-stand-in`,
            Cmd: ['sleep', '3600'],
            Labels: labels,
            HostConfig: { NetworkMode: network },
          });
          await standIn.start();
          return (await standIn.inspect()).NetworkSettings.Networks[network].IPAddress;
        })(),
      ]);
      await startChains(services, project, { network, dns });
    });
    return { infra: measured.seconds, infraCpu: measured.cpuSeconds };
  } finally {
    await removeProject(project);
  }
}
