// Benchmark stacks, written as one mixcompose file (platform per service) and as the two plain compose
// files people use with docker-compose today (one per daemon, no cross-daemon depends_on).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/**
 * @typedef {{ name: string, daemon: 'linux' | 'windows', image: string, dependsOn?: string[] }} BenchService
 */

const COMMAND = ['sleep', '3600'];

function serviceBody(service) {
  return {
    image: service.image,
    command: COMMAND,
    ...(service.dependsOn?.length ? { depends_on: service.dependsOn } : {}),
  };
}

/** Writes mixcompose.yml, compose-linux.yml and compose-windows.yml into a fresh temp dir. */
export function writeStack(/** @type {BenchService[]} */ services) {
  const dir = mkdtempSync(join(tmpdir(), 'mixcompose-bench-'));
  const mixcompose = {
    services: Object.fromEntries(services.map((s) => [s.name, { platform: s.daemon, ...serviceBody(s) }])),
  };
  // mixcompose.yml says how the daemons reach each other (`reach: ip`, true on the rig), as a stack
  // does once its first `up` has probed and recorded it; mixcompose-auto.yml leaves `auto`, so every
  // first `up` (each run starts from nothing) pays the reach probe.
  const configured = { 'x-mixcompose': { daemons: { linux: { reach: 'ip' }, windows: { reach: 'ip' } } }, ...mixcompose };
  writeFileSync(join(dir, 'mixcompose.yml'), stringify(configured));
  writeFileSync(join(dir, 'mixcompose-auto.yml'), stringify(mixcompose));
  const files = { dir, mixcompose: join(dir, 'mixcompose.yml'), mixcomposeAuto: join(dir, 'mixcompose-auto.yml') };
  for (const daemon of ['linux', 'windows']) {
    const mine = services.filter((s) => s.daemon === daemon);
    // docker-compose 1.29.2 reads the 2.4 format; it rejects a top-level `name:`.
    const compose = { version: '2.4', services: Object.fromEntries(mine.map((s) => [s.name, serviceBody(s)])) };
    files[daemon] = join(dir, `compose-${daemon}.yml`);
    writeFileSync(files[daemon], stringify(compose));
  }
  return files;
}

/**
 * `chains` dependency chains of `length` services each (`a1 <- a2 <- … <- a5`), the first half of the
 * chains on linux, the rest on windows.
 */
export function chainServices({ chains = 4, length = 5, image }) {
  const services = [];
  for (let c = 0; c < chains; c++) {
    const letter = String.fromCharCode(97 + c);
    const daemon = c < chains / 2 ? 'linux' : 'windows';
    for (let i = 1; i <= length; i++) {
      services.push({ name: `${letter}${i}`, daemon, image, dependsOn: i > 1 ? [`${letter}${i - 1}`] : [] });
    }
  }
  return services;
}
