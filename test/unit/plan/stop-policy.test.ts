import { describe, expect, it } from 'vitest';
import { projectStopLevels, stopLevels, stopSettings, stopSettingsFor } from '../../../src/plan/stop-policy.js';
import type { DaemonSettings, Project, Service } from '../../../src/model/project.js';
import { stubService } from '../engine/project-stub.js';

const linux = { os: 'linux', raw: 'linux' } as const;
const windows = { os: 'windows', raw: 'windows' } as const;
const daemon = (platform: 'linux' | 'windows', grace?: string): DaemonSettings => ({ platform, reach: 'auto', origin: 'file', stop_grace_period: grace });
const ext = (linuxGrace?: string, windowsGrace?: string) => ({ daemons: { linux: daemon('linux', linuxGrace), windows: daemon('windows', windowsGrace) } });

describe('stopSettingsFor: grace period precedence', () => {
  const svc = { name: 'db', platform: linux, stop_grace_period: '1m30s' };
  it('-t overrides everything (as docker compose)', () => {
    expect(stopSettingsFor(svc, ext('20s'), { timeoutSeconds: 2 })).toMatchObject({ graceSeconds: 2, graceFrom: 'cli' });
    expect(stopSettingsFor(svc, ext('20s'), { timeoutSeconds: 0 })).toMatchObject({ graceSeconds: 0, graceFrom: 'cli' });
  });
  it('then the service stop_grace_period', () => {
    expect(stopSettingsFor(svc, ext('20s'))).toMatchObject({ graceSeconds: 90, graceFrom: 'service' });
    expect(stopSettingsFor({ ...svc, stop_grace_period: '1500ms' }, ext())).toMatchObject({ graceSeconds: 2 });
  });
  it('then the platform default of x-mixcompose.daemons', () => {
    expect(stopSettingsFor({ name: 'db', platform: linux }, ext('20s', '3m'))).toMatchObject({ graceSeconds: 20, graceFrom: 'daemon' });
    expect(stopSettingsFor({ name: 'web', platform: windows }, ext('20s', '3m'))).toMatchObject({ graceSeconds: 180, graceFrom: 'daemon' });
  });
  it('then 10 s; an unparseable duration falls through', () => {
    expect(stopSettingsFor({ name: 'db', platform: linux }, undefined)).toMatchObject({ graceSeconds: 10, graceFrom: 'default' });
    expect(stopSettingsFor({ name: 'db', platform: linux, stop_grace_period: 'soon' }, ext('bad'))).toMatchObject({ graceSeconds: 10, graceFrom: 'default' });
  });
});

describe('stopSettingsFor: signals', () => {
  it('passes stop_signal on Linux', () => {
    const s = stopSettingsFor({ name: 'api', platform: linux, stop_signal: 'SIGINT' }, undefined);
    expect(s.signal).toBe('SIGINT');
    expect(s.warnings).toEqual([]);
    expect(s.killWaitSeconds).toBe(10);
  });
  it('sends no signal to a Windows-declared service and warns about stop_signal', () => {
    const s = stopSettingsFor({ name: 'web', platform: windows, stop_signal: 'SIGINT' }, undefined);
    expect(s.signal).toBeUndefined();
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toMatch(/web.*SIGINT.*ignored.*Windows/);
    expect(s.killWaitSeconds).toBeGreaterThanOrEqual(75);
    expect(stopSettingsFor({ name: 'web', platform: windows }, undefined).warnings).toEqual([]);
  });
});

describe('stopLevels', () => {
  it('dependents stop before what they depend on; independent services share a level', () => {
    // web → api → db, worker → db, cache alone
    expect(stopLevels({ web: ['api'], api: ['db'], worker: ['db'], db: [], cache: [] })).toEqual([
      ['cache', 'web', 'worker'],
      ['api'],
      ['db'],
    ]);
  });
  it('uses the longest path (db waits for the deepest dependent)', () => {
    expect(stopLevels({ a: ['b', 'd'], b: ['c'], c: ['d'], d: [] })).toEqual([['a'], ['b'], ['c'], ['d']]);
  });
  it('ignores edges to services outside the set', () => {
    expect(stopLevels({ web: ['api'], db: [] })).toEqual([['db', 'web']]);
  });
  it('ten independent services make one level', () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s${i}`, []]));
    expect(stopLevels(ten)).toHaveLength(1);
    expect(stopLevels(ten)[0]).toHaveLength(10);
  });
  it('puts a cycle last instead of looping', () => {
    expect(stopLevels({ a: ['b'], b: ['a'], c: [] })).toEqual([['c'], ['a', 'b']]);
  });
});

function svc(name: string, deps: string[] = [], extra: Partial<Service> = {}): Service {
  const depends_on = Object.fromEntries(deps.map((d) => [d, { condition: 'service_started' as const, required: true, restart: false }]));
  return stubService(name, extra.platform?.os ?? 'linux', { depends_on, ...extra });
}

describe('project helpers', () => {
  const project = {
    services: { web: svc('web', ['db'], { platform: windows, stop_signal: 'SIGTERM' }), db: svc('db', [], { stop_grace_period: '2s' }) },
    extension: ext(undefined, '30s'),
  } as unknown as Pick<Project, 'services' | 'extension'>;
  it('projectStopLevels follows depends_on, limited to a selection', () => {
    expect(projectStopLevels(project)).toEqual([['web'], ['db']]);
    expect(projectStopLevels(project, ['db'])).toEqual([['db']]);
  });
  it('stopSettings lists every service', () => {
    expect(stopSettings(project).map((s) => [s.service, s.graceSeconds, s.signal, s.warnings.length])).toEqual([
      ['db', 2, undefined, 0],
      ['web', 30, undefined, 1],
    ]);
  });
});
