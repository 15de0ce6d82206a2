/**
 * From the package, on daemons that hold only the stack's images: `npm pack`, installed into an empty
 * prefix, brings a mixed stack up on the rig's two daemons after mixcompose's own helper images were
 * removed from both (no resolver, no probe image): mixcompose builds what it needs (from the test
 * registry's resolver-base, since this machine has no internet), names and addresses cross both
 * ways, doctor passes, down is clean. Afterwards the resolver image is put back on both daemons for
 * the other tests (built the same way).
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modemOptionsFor, parseDockerHost } from '../../src/engine/daemon-endpoints.js';
import { createDockerodeClient } from '../../src/engine/dockerode-client.js';
import { ensureResolverImage } from '../../src/engine/helper-images.js';
import {
  assertRigUp,
  BUSYBOX_IMAGE,
  HOST_OF,
  nslookupIp,
  REGISTRY,
  REPO_ROOT,
  removeProjectLeftovers,
  RESOLVER_IMAGE,
  rigDocker,
  rigEnv,
  uniqueProjectName,
} from '../support/rig.js';
import { dbWebYaml, dependsOnHealthy, httpDb } from '../support/stacks.js';

const BASE = `${REGISTRY}/resolver-base:latest`;
const DAEMONS = ['linux', 'windows'] as const;

const yaml = dbWebYaml({
  reach: 'ip',
  db: httpDb('db-says-hello'),
  web: {
    lines: ['environment:', '  DB_URL: "http://{{ db.host }}:{{ db.port:8080 }}/index.html"', ...dependsOnHealthy('db')],
    command: 'echo by-address=$$(wget -q -O - $$DB_URL); echo by-name=$$(wget -q -O - http://db:8080/index.html); exec sleep 3600',
  },
});

/** Puts the resolver image back on a daemon that lacks it (other tests expect it there). */
async function restoreResolverImage(): Promise<void> {
  for (const daemon of DAEMONS) {
    const client = createDockerodeClient({ label: daemon, modem: modemOptionsFor(parseDockerHost(HOST_OF[daemon]), undefined, {}) });
    try {
      await ensureResolverImage(client, { image: RESOLVER_IMAGE, base: BASE });
    } finally {
      client.close?.();
    }
    await rigDocker(daemon).getImage(BASE).remove({ force: true }).catch(() => undefined);
  }
}

describe('from the npm package, on daemons without mixcompose helper images', () => {
  const name = uniqueProjectName('pack');
  let work: string;
  let bin: string;
  const run = (args: string[]) =>
    execa(bin, args, { cwd: work, env: rigEnv({ MIXCOMPOSE_RESOLVER_BASE: BASE }), extendEnv: false, reject: false, timeout: 180_000, stdin: 'ignore' });

  beforeAll(async () => {
    assertRigUp();
    work = mkdtempSync(join(tmpdir(), 'mixcompose-pack-'));
    await execa('npm', ['run', 'build'], { cwd: REPO_ROOT });
    const packed = await execa('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: REPO_ROOT });
    const tarball = join(work, packed.stdout.trim().split('\n').at(-1)!);
    const prefix = join(work, 'prefix');
    await execa('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: work });
    bin = join(prefix, 'node_modules', '.bin', 'mixcompose');
    writeFileSync(join(work, 'compose.yaml'), yaml);
    // Only the stack's images: mixcompose's resolver (also the Linux probe image) goes, from both daemons.
    for (const daemon of DAEMONS) {
      await rigDocker(daemon).getImage(RESOLVER_IMAGE).remove({ force: true }).catch(() => undefined);
      await rigDocker(daemon).getImage(BASE).remove({ force: true }).catch(() => undefined);
    }
  }, 600_000);

  afterAll(async () => {
    await removeProjectLeftovers(name);
    await restoreResolverImage();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 300_000);

  it('up builds the resolver image by itself; names and addresses cross both ways', async () => {
    const up = await run(['-p', name, 'up', '-d']);
    expect(up.stderr).not.toMatch(/build (it|the resolver image) once/);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(await rigDocker('linux').getImage(RESOLVER_IMAGE).inspect()).toBeDefined();
    const web = rigDocker('windows').getContainer(`${name}-web-1`);
    const db = rigDocker('linux').getContainer(`${name}-db-1`);
    const logs = (await web.logs({ stdout: true, stderr: true })).toString('latin1');
    expect(logs).toContain('by-address=db-says-hello');
    expect(logs).toContain('by-name=db-says-hello');
    expect(await nslookupIp(db, 'web')).toMatch(/^10\.202\./);
  });

  it('doctor passes with no probe image prepared (it builds the resolver image where it is missing)', async () => {
    const doctor = await run(['-p', name, 'doctor', '--format', 'json']);
    const report = JSON.parse(doctor.stdout) as { verdict: string; rows: { check: string; status: string; detail: string }[] };
    expect(report.rows.filter((r) => r.status === 'fail'), doctor.stderr).toEqual([]);
    expect(doctor.exitCode).toBe(0);
  });

  it('down is clean', async () => {
    const down = await run(['-p', name, 'down']);
    expect(down.exitCode, down.stderr).toBe(0);
    for (const daemon of DAEMONS) {
      const filters = JSON.stringify({ label: [`com.docker.compose.project=${name}`] });
      expect(await rigDocker(daemon).listContainers({ all: true, filters })).toEqual([]);
      expect(await rigDocker(daemon).listNetworks({ filters })).toEqual([]);
    }
  });
});
