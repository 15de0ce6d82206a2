/**
 * Windows-only decisions of `up`, observed and planned against the fake engine, which answers with
 * RECORDED responses of a Windows Server 2022 daemon and an LCOW daemon (recorded from Docker's and
 * Microsoft's documentation; see test/fixtures/engine/README.md): `nat` networks because /info lists
 * the nat plugin, no ExtraHosts on windows containers, platform=linux on creates for LCOW.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/load-project.js';
import { apply } from '../../../src/engine/apply.js';
import { connectDaemons } from '../../../src/engine/connect-daemons.js';
import type { CreateContainerOp, CreateNetworkOp, Operation, Plan } from '../../../src/plan/plan.js';
import { startFakeEngine, type FakeEngine } from '../../support/fake-engine.js';

/** The resolver image on the daemon serving linux: a dry run refuses a stack whose resolver image is missing, as up does. */
const RESOLVER_IMAGE = { 'mixcompose/resolver:0.1': { Id: `sha256:${'e'.repeat(64)}`, Os: 'linux', Architecture: 'amd64' } };

const engines: FakeEngine[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function plan(compose: string, linux: FakeEngine, windows: FakeEngine) {
  const dir = mkdtempSync(join(tmpdir(), 'stand-in-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'compose.yaml'), compose);
  const env = { MIXCOMPOSE_LINUX_HOST: linux.host, MIXCOMPOSE_WINDOWS_HOST: windows.host, DOCKER_CONFIG: dir };
  const { project } = await loadProject({ files: [], envFiles: [], profiles: [], environment: env, cwd: dir, hostPlatform: 'linux' });
  const daemons = await connectDaemons(project, { allowOsMismatch: false, env });
  const result = await apply(project, daemons, { reconcile: { command: 'up', hostPlatform: 'linux' }, dryRun: true });
  return { ...result, daemons };
}

const ops = (p: Plan, kind: Operation['kind']) => p.operations.filter((o) => o.kind === kind);

describe('up against recorded Windows daemons (dry run: observe + plan)', () => {
  it('plans nat networks and no ExtraHosts for windows services on a Windows Server 2022 daemon', async () => {
    const linux = await startFakeEngine({ daemon: 'linux', images: RESOLVER_IMAGE });
    const windows = await startFakeEngine({ daemon: 'windows-server-2022' });
    engines.push(linux, windows);
    const { plan: p, daemons } = await plan(
      `name: shop
services:
  db:
    image: postgres:16
    platform: linux
    expose: ["5432"]
  web:
    image: mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022
    platform: windows
    extra_hosts: ["legacy=10.0.0.9"]
    environment:
      DB: "{{ db.host }}:{{ db.port:5432 }}"
`,
      linux,
      windows,
    );
    expect(daemons.facts.windows?.networkDrivers).toContain('nat');
    const networks = ops(p, 'create-network') as unknown as CreateNetworkOp[];
    const windowsNetworks = networks.filter((n) => n.daemon === 'windows');
    expect(windowsNetworks.length).toBeGreaterThan(0);
    for (const n of windowsNetworks) expect(n.body.Driver).toBe('nat');
    for (const n of networks.filter((x) => x.daemon === 'linux')) expect(n.body.Driver).toBe('bridge');
    const web = (ops(p, 'create-container') as unknown as CreateContainerOp[]).find((c) => c.platform === 'windows')!;
    const hostConfig = web.spec.body.HostConfig as Record<string, unknown> | undefined;
    expect(hostConfig?.ExtraHosts ?? []).toEqual([]);
    expect(web.spec.platformQuery).toBeUndefined();
    // Names across daemons go through the project resolver (dns:), which Windows honours.
    expect(hostConfig?.Dns).toEqual(['{{ mixcompose.resolver.ip }}']);
    expect(p.warnings.join('\n')).toMatch(/service web: extra_hosts dropped: Windows containers ignore them/);
    // Planning asked the daemons only read-only questions.
    for (const fake of [linux, windows]) expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('plans platform=linux on creates for a linux service on an LCOW daemon', async () => {
    const lcow = await startFakeEngine({ daemon: 'windows-lcow', images: RESOLVER_IMAGE });
    const windows = await startFakeEngine({ daemon: 'windows-server-2022' });
    engines.push(lcow, windows);
    const { plan: p } = await plan(
      `name: shop
services:
  cache:
    image: redis:7
    platform: linux
  web:
    image: mcr.microsoft.com/windows/nanoserver:ltsc2022
    platform: windows
`,
      lcow,
      windows,
    );
    const creates = ops(p, 'create-container') as unknown as CreateContainerOp[];
    expect(creates.find((c) => c.service === 'cache')?.spec.platformQuery).toBe('linux');
    expect(creates.find((c) => c.service === 'web')?.spec.platformQuery).toBeUndefined();
  });
});
