/**
 * service_healthy across daemons: a linux `db` whose healthcheck passes only after ~2 s delays the
 * windows-declared `web`. Asserted from the daemons' own records (inspect: db's first passing
 * health check, web's StartedAt), not from sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRigUp, rigDocker } from '../../support/rig.js';
import { dbWebYaml, dependsOnHealthy, healthyOnceFileExists } from '../../support/stacks.js';
import { testStack, type TestStack } from './stack.js';

const yaml = dbWebYaml({
  db: { command: 'sleep 2; touch /tmp/ready; exec sleep 3600', lines: healthyOnceFileExists('/tmp/ready', { interval: '300ms', retries: 50 }) },
  web: { lines: dependsOnHealthy('db') },
  services: { side: { platform: 'windows' } },
});

describe('service_healthy ordering across daemons', () => {
  let stack: TestStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('order', yaml);
    await stack.up();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('starts web only after db became healthy', async () => {
    const db = await rigDocker('linux').getContainer(`${stack.name}-db-1`).inspect();
    const web = await rigDocker('windows').getContainer(`${stack.name}-web-1`).inspect();
    const log = (db.State.Health as unknown as { Log: { Start: string; End: string; ExitCode: number }[] }).Log;
    const firstPass = log.find((entry) => entry.ExitCode === 0);
    expect(firstPass).toBeDefined();
    const dbStarted = Date.parse(db.State.StartedAt);
    const webStarted = Date.parse(web.State.StartedAt);
    expect(webStarted).toBeGreaterThanOrEqual(Date.parse(firstPass!.End));
    expect(webStarted - dbStarted).toBeGreaterThanOrEqual(2000);
  });

  it('does not hold back a service without that dependency', async () => {
    const db = await rigDocker('linux').getContainer(`${stack.name}-db-1`).inspect();
    const side = await rigDocker('windows').getContainer(`${stack.name}-side-1`).inspect();
    // side did not wait for db's health: it started before db's first passing check ended.
    const log = (db.State.Health as unknown as { Log: { End: string; ExitCode: number }[] }).Log;
    const firstPass = log.find((entry) => entry.ExitCode === 0)!;
    expect(Date.parse(side.State.StartedAt)).toBeLessThan(Date.parse(firstPass.End));
  });
});
