/**
 * The library's calls on connected daemons, through the real adapter against the Engine API
 * stand-in (a recorded Windows Server 2022 daemon and a Linux one): with dryRun every mutating call
 * returns its plan and the daemons get no request that changes anything; ps lists both daemons'
 * containers; the library's `up` options reach the plan.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { downOn, lifecycleOn, psOn, runOn, upOn } from '../../../src/api/on-daemons.js';
import { connectDaemons } from '../../../src/engine/connect-daemons.js';
import { formatPlan } from '../../../src/plan/format-plan.js';
import { startFakeEngine, type FakeEngine, type RecordedDaemon } from '../../support/fake-engine.js';
import { project, service } from '../plan/builders.js';

const engines: FakeEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function json(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A daemon holding one running container of `service` (project shop). */
async function engine(daemon: RecordedDaemon, svc: string, images: Record<string, { Id: string; Os: string; Architecture?: string; OsVersion?: string }>): Promise<FakeEngine> {
  const summary = {
    Id: `${svc}1`.padEnd(64, '0'),
    Names: [`/shop-${svc}-1`],
    Image: 'mixcompose-test/busybox:latest',
    State: 'running',
    Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': svc, 'com.docker.compose.container-number': '1' },
  };
  const e = await startFakeEngine({
    daemon,
    images,
    routes: [
      { method: 'GET', path: /^\/containers\/json$/, handle: (_r, res) => json(res, [summary]) },
      { method: 'GET', path: /^\/networks$/, handle: (_r, res) => json(res, []) },
      { method: 'GET', path: /^\/volumes$/, handle: (_r, res) => json(res, { Volumes: [] }) },
      { method: 'GET', path: /^\/images\/json$/, handle: (_r, res) => json(res, []) },
    ],
  });
  engines.push(e);
  return e;
}

const mutating = (e: FakeEngine) => e.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').map((r) => `${r.method} ${r.path}`);

describe('library calls on connected daemons', () => {
  it('dryRun: up, down, start, stop, restart and run return their plans and change nothing on either daemon', async () => {
    const windows = await engine('windows-server-2022', 'web', { 'mcr.microsoft.com/windows/nanoserver:ltsc2022': { Id: `sha256:${'a'.repeat(64)}`, Os: 'windows', Architecture: 'amd64', OsVersion: '10.0.20348.2113' } });
    const linux = await engine('linux', 'db', { 'mixcompose-test/busybox:latest': { Id: `sha256:${'b'.repeat(64)}`, Os: 'linux', Architecture: 'amd64' } });
    const p = project([service('db'), service('web', { platform: 'windows', image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022', depends_on: { db: { condition: 'service_started', required: true, restart: false } } })], {}, { windows: { host: windows.host }, linux: { host: linux.host } });
    const daemons = await connectDaemons(p, { allowOsMismatch: false, env: {} });
    try {
      const around = { env: {} };
      const plans = [
        (await upOn(p, daemons, { dryRun: true, forceRecreate: true }, around)).plan,
        (await downOn(p, daemons, { dryRun: true, volumes: true })).plan,
        (await lifecycleOn(p, daemons, 'stop', { dryRun: true })).plan,
        (await lifecycleOn(p, daemons, 'restart', { dryRun: true, services: ['db'] })).plan,
        (await lifecycleOn(p, daemons, 'start', { dryRun: true })).plan,
      ];
      expect(plans.map((plan) => plan.command)).toEqual(['up', 'down', 'stop', 'restart', 'start']);
      expect(formatPlan(plans[0]!)).toMatch(/recreate|remove container shop-web-1/);
      expect(formatPlan(plans[1]!)).toContain('remove container shop-web-1');
      const run = await runOn(p, daemons, 'web', { stdout: process.stdout, stderr: process.stderr }, { dryRun: true, overrides: { tty: false, interactive: false } }, around);
      expect(run.container).toMatch(/^shop-web-run-[0-9a-f]{12}$/);
      expect(run.daemon).toBe('windows');
      expect(run.plans?.map((plan) => formatPlan(plan)).join('')).toContain(run.container);
      expect([...mutating(windows), ...mutating(linux)]).toEqual([]);
      // ps: the containers of both daemons, each with its daemon.
      expect((await psOn(p, daemons)).map((c) => `${c.name} ${c.daemon} ${c.status}`)).toEqual(['shop-db-1 linux running', 'shop-web-1 windows running']);
    } finally {
      for (const c of new Set(Object.values(daemons.clients))) c?.close?.();
    }
  });
});
