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

function serviceBody(service, dependsOn = service.dependsOn) {
  return {
    image: service.image,
    command: COMMAND,
    ...(dependsOn?.length ? { depends_on: dependsOn } : {}),
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
    // A plain compose file cannot depend on a service of the other daemon: those edges are dropped.
    const here = new Set(mine.map((s) => s.name));
    const body = (s) => serviceBody(s, s.dependsOn?.filter((d) => here.has(d)));
    const compose = { version: '2.4', services: Object.fromEntries(mine.map((s) => [s.name, body(s)])) };
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

/**
 * The 200-service stack: per daemon, 5 chains of 10 (`la1 <- la2 <- … <- la10`, `wa1 …`), and a
 * fan-out whose hub is on the other daemon (`lhub` on linux with 49 leaves `wl1…wl49` on windows
 * depending on it, `whub` on windows with 49 leaves `ll1…ll49` on linux): 100 services per daemon,
 * 98 of them depending across daemons.
 */
export function chainsAndFanOut({ image, chains = 5, length = 10, leaves = 49 }) {
  const services = [];
  for (const [prefix, daemon] of [['l', 'linux'], ['w', 'windows']]) {
    for (let c = 0; c < chains; c++) {
      const chain = `${prefix}${String.fromCharCode(97 + c)}`;
      for (let i = 1; i <= length; i++) services.push({ name: `${chain}${i}`, daemon, image, dependsOn: i > 1 ? [`${chain}${i - 1}`] : [] });
    }
  }
  services.push({ name: 'lhub', daemon: 'linux', image, dependsOn: [] }, { name: 'whub', daemon: 'windows', image, dependsOn: [] });
  for (let i = 1; i <= leaves; i++) {
    services.push({ name: `wl${i}`, daemon: 'windows', image, dependsOn: ['lhub'] }, { name: `ll${i}`, daemon: 'linux', image, dependsOn: ['whub'] });
  }
  return services;
}
