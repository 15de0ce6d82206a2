import { describe, expect, it } from 'vitest';
import { fieldWarnings } from '../../../src/plan/field-warnings.js';
import type { Project, Service } from '../../../src/model/project.js';

const base = { environment: {}, ports: [], expose: [], depends_on: {}, networks: {}, labels: {}, extra_hosts: [], secrets: [], configs: [], addressReferences: [], extension: {} };
const db = { ...base, name: 'db', platform: { os: 'linux', raw: 'linux' }, image: 'mariadb:11', volumes: [{ type: 'volume', source: 'data', target: '/var/lib/mysql' }] } as unknown as Service;
const web = { ...base, name: 'web', platform: { os: 'windows', raw: 'windows' }, image: 'iis', volumes: [], stop_signal: 'SIGQUIT' } as unknown as Service;
const project = { services: { db, web }, volumes: { data: { name: 'p_data' } }, extension: { default_platform: 'linux', daemons: {} } } as unknown as Project;

describe('fieldWarnings', () => {
  it('on LCOW: the database on a volume and the ignored Windows stop signal', () => {
    const w = fieldWarnings(project, { platform: 'linux', label: 'l', osType: 'windows', lcow: true, networkDrivers: [] });
    expect(w.map((e) => e.service)).toEqual(['db', 'web']);
    expect(w[0]!.message).toMatch(/^services\.db\.volumes\[0\]: MariaDB .*error: 95/);
    expect(w[1]!.message).toContain('SIGQUIT');
  });
  it('on a Linux daemon: only the stop signal', () => {
    expect(fieldWarnings(project, { platform: 'linux', label: 'l', osType: 'linux', lcow: false, networkDrivers: [] }, 'linux').map((e) => e.service)).toEqual(['web']);
  });
});
