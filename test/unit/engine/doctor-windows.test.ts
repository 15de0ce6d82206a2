/**
 * doctor's daemon checks against RECORDED Windows Engine API responses (test/fixtures/engine,
 * served by test/support/fake-engine.ts): a Windows Server 2022 daemon and an LCOW daemon. The
 * stand-in answers /version and /info only, so the network probes fail at the probe image: that
 * row is asserted to be the only failure, and the daemon rows are what a real Windows host gives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { modemOptionsFor, parseDockerHost } from '../../../src/engine/daemon-endpoints.js';
import { createDockerodeClient } from '../../../src/engine/dockerode-client.js';
import { runDoctor } from '../../../src/engine/doctor.js';
import { startFakeEngine, type FakeEngine } from '../../support/fake-engine.js';

const engines: FakeEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function client(daemon: Recorded, label: string) {
  const engine = await startFakeEngine({ daemon });
  engines.push(engine);
  return createDockerodeClient({ label, modem: { ...modemOptionsFor(parseDockerHost(engine.host), undefined, {}), timeout: 5000 } });
}

const row = <R extends { check: string }>(rows: readonly R[], check: string) => rows.find((r) => r.check === check);

type Recorded = 'windows-server-2022' | 'windows-lcow' | 'linux';

/** doctor with the linux and windows roles played by recorded daemons, no OS mismatch allowed. */
async function doctorOn(linux: Recorded, windows: Recorded) {
  return runDoctor({
    clients: { linux: await client(linux, `linux (fake ${linux})`), windows: await client(windows, `windows (fake ${windows})`) },
    labels: {},
    allowOsMismatch: false,
    probeTimeoutSeconds: 1,
  });
}

describe('doctor on recorded Windows daemons', () => {
  it('Windows Server 2022 for windows: OS and isolation ok without --allow-os-mismatch', async () => {
    const report = await doctorOn('linux', 'windows-server-2022');
    expect(row(report.rows, 'windows daemon: OS')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/OSType windows .*build 10\.0\.20348/) });
    expect(row(report.rows, 'windows daemon: isolation')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^process/) });
    expect(row(report.rows, 'windows daemon: storage driver')).toMatchObject({ status: 'ok', detail: 'windowsfilter' });
    expect(report.rows.filter((r) => r.status === 'fail').map((r) => r.check)).toEqual(['network probes']);
  });

  it('an LCOW daemon for linux: accepted, with the LCOW warning and its fix', async () => {
    const report = await doctorOn('windows-lcow', 'windows-server-2022');
    expect(row(report.rows, 'linux daemon: OS')?.status).toBe('ok');
    expect(row(report.rows, 'linux daemon: LCOW')).toMatchObject({ status: 'warn', detail: expect.stringContaining('error 95'), fix: expect.stringContaining('Linux VM daemon') });
  });

  it('a Windows daemon serving linux without LCOW is refused', async () => {
    const report = await doctorOn('windows-server-2022', 'windows-server-2022');
    expect(row(report.rows, 'linux daemon: OS')).toMatchObject({ status: 'fail', fix: expect.stringContaining('--linux-host') });
  });
});
