// See load-500.sh. argv[2]: directory holding the compiled loader (config/load-project.js).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const SERVICES = 500;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

/** 500 services: half per platform, chains of 10 through depends_on, ports, volumes, env, address references. */
function stackFile() {
  const lines = ['x-mixcompose:', '  default_platform: linux', 'services:'];
  for (let i = 0; i < SERVICES; i++) {
    const name = `svc${i}`;
    lines.push(`  ${name}:`);
    lines.push(`    image: "\${REGISTRY:-127.0.0.1:5555}/busybox:latest"`);
    lines.push(`    platform: ${i % 2 === 0 ? 'linux/amd64' : 'windows'}`);
    lines.push(`    command: ["sleep", "3600"]`);
    lines.push(`    expose: ["${8000 + (i % 100)}"]`);
    lines.push(`    ports: ["${8000 + (i % 100)}"]`);
    lines.push(`    environment:`);
    lines.push(`      INDEX: "${i}"`);
    lines.push(`      MODE: \${MODE:-bench}`);
    if (i % 10 !== 0) {
      const dep = `svc${i - 1}`;
      lines.push(`      PEER: "http://{{ ${dep}.host }}:{{ ${dep}.port:${8000 + ((i - 1) % 100)} }}"`);
      lines.push(`    depends_on:`);
      lines.push(`      ${dep}: {condition: service_started}`);
    }
    lines.push(`    labels: [bench.index=${i}]`);
    lines.push(i % 2 === 0 ? `    volumes: ["data${i}:/data", "./conf:/conf:ro"]` : `    volumes: ["data${i}:C:/data"]`);
    lines.push(`    healthcheck: {test: ["CMD", "true"], interval: 5s}`);
  }
  lines.push('volumes:');
  for (let i = 0; i < SERVICES; i++) lines.push(`  data${i}: {}`);
  return `${lines.join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'mixcompose-load-500-'));
try {
  const file = join(dir, 'compose.yaml');
  writeFileSync(file, stackFile());
  const { loadProject } = await import(pathToFileURL(join(process.argv[2], 'config', 'load-project.js')).href);
  const options = { files: [file], projectName: 'bench500', envFiles: [], profiles: [], environment: {}, cwd: dir, hostPlatform: 'linux' };
  // Wall time, and CPU time of this process (less sensitive to other load on the machine).
  const time = async () => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const { project } = await loadProject(options);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (Object.keys(project.services).length !== SERVICES) throw new Error('wrong service count');
    return { ms, cpu: (c.user + c.system) / 1000 };
  };
  const first = await time();
  const warm = [];
  for (let i = 0; i < RUNS; i++) warm.push(await time());
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const walls = warm.map((w) => w.ms);
  console.log(`mixcompose loadProject, ${SERVICES} services (${Math.round(stackFile().length / 1024)} KiB), load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs:`);
  console.log(`  first load (fresh process: module loading and JIT warm-up included): ${first.ms.toFixed(0)} ms wall, ${first.cpu.toFixed(0)} ms CPU`);
  console.log(`  warm load, median of ${RUNS}: ${med(walls).toFixed(0)} ms wall (min ${Math.min(...walls).toFixed(0)}, max ${Math.max(...walls).toFixed(0)}), ${med(warm.map((w) => w.cpu)).toFixed(0)} ms CPU`);
  try {
    const t0 = performance.now();
    // docker-compose has no address references and no x-mixcompose; it ignores x- keys, and the {{ }} are plain text to it.
    if (process.env.NO_PEER) throw Object.assign(new Error('skipped'), { code: 'NO_PEER set' });
    execFileSync('docker-compose', ['-p', 'bench500', '-f', file, 'config', '-q'], { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
    console.log(`peer: docker-compose config -q on the same file: ${(performance.now() - t0).toFixed(0)} ms (one run, process start included)`);
  } catch (error) {
    console.log(`peer: docker-compose config not available (${error.code ?? String(error.stderr ?? error).split('\n')[0]})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
