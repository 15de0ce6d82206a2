import { describe, expect, it } from 'vitest';
import { databaseOf, imageRepository, lintDatabaseStorage, lintDatabaseStorageFor, linuxDaemonKind, offlineLinuxDaemonKind } from '../../../src/plan/database-lint.js';
import type { Project, Service, ServiceVolume } from '../../../src/model/project.js';
import { stubService } from '../engine/project-stub.js';

const service = (name: string, extra: Partial<Service> = {}): Service => stubService(name, extra.platform?.os ?? 'linux', extra);

function project(services: Service[], volumes: Project['volumes'] = {}): Pick<Project, 'services' | 'volumes'> {
  return { services: Object.fromEntries(services.map((s) => [s.name, s])), volumes };
}

const bind = (source: string, target: string): ServiceVolume => ({ type: 'bind', source, target });
const named = (source: string, target: string): ServiceVolume => ({ type: 'volume', source, target });

describe('imageRepository / databaseOf', () => {
  it('strips registry, tag and digest', () => {
    expect(imageRepository('mcr.microsoft.com/mssql/server:2022-latest')).toBe('mssql/server');
    expect(imageRepository('localhost:5000/library/mysql:8@sha256:abc')).toBe('library/mysql');
    expect(imageRepository('postgres')).toBe('postgres');
    expect(imageRepository('bitnami/mariadb:11')).toBe('bitnami/mariadb');
  });
  it('recognises by image, then by command', () => {
    expect(databaseOf(service('a', { image: 'mariadb:10.6.4-focal' }))?.name).toBe('MariaDB');
    expect(databaseOf(service('a', { image: 'mcr.microsoft.com/azure-sql-edge:1.0.4' }))?.name).toBe('SQL Server');
    expect(databaseOf(service('a', { image: 'docker.elastic.co/elasticsearch/elasticsearch:8.1.0' }))?.name).toBe('Elasticsearch');
    expect(databaseOf(service('a', { image: 'myorg/app', command: ['/usr/sbin/mysqld', '--user=mysql'] }))?.name).toBe('MySQL');
    expect(databaseOf(service('a', { image: 'nginx', command: ['nginx', '-g', 'daemon off;'] }))).toBeUndefined();
    expect(databaseOf(service('a', { image: 'mysqlclient-tools' }))).toBeUndefined();
  });
});

describe('lintDatabaseStorage', () => {
  it('warns for a database data dir on a bind mount, citing error 95 and the fix', () => {
    const issues = lintDatabaseStorage(project([service('db', { image: 'mysql:8', volumes: [bind('/c/data/mysql', '/var/lib/mysql')] })]), {
      linuxDaemon: 'vm-on-windows',
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.severity).toBe('warning');
    expect(issues[0]!.path).toEqual(['services', 'db', 'volumes', 0]);
    expect(issues[0]!.message).toContain('error: 95');
    expect(issues[0]!.message).toContain('/var/lib/mysql');
    expect(issues[0]!.message).toContain('named volume of a Linux VM daemon');
    expect(issues[0]!.message).toContain('lint: false');
  });

  it('does not warn about a bind on a Linux daemon on Linux (real locks there)', () => {
    const p = project([service('db', { image: 'postgres:16', volumes: [bind('/srv/pg', '/var/lib/postgresql/data')] })]);
    expect(lintDatabaseStorage(p, { linuxDaemon: 'linux' })).toEqual([]);
    expect(lintDatabaseStorage(p)).toHaveLength(1); // daemon not known: warn
  });

  it('named volumes warn only on LCOW, with the LCOW fix', () => {
    const p = project([service('db', { image: 'postgres:16', volumes: [named('pg', '/var/lib/postgresql/data')] })], { pg: { name: 'x_pg' } });
    expect(lintDatabaseStorage(p, { linuxDaemon: 'vm-on-windows' })).toEqual([]);
    expect(lintDatabaseStorage(p, { linuxDaemon: 'linux' })).toEqual([]);
    const lcow = lintDatabaseStorage(p, { linuxDaemon: 'lcow' });
    expect(lcow).toHaveLength(1);
    expect(lcow[0]!.message).toContain('LCOW');
    expect(lcow[0]!.message).toContain('Linux VM daemon');
  });

  it('treats a local volume with bind driver options as a bind', () => {
    const p = project([service('db', { image: 'mongo', volumes: [named('m', '/data/db')] })], {
      m: { name: 'x_m', driver_opts: { type: 'none', o: 'bind', device: 'C:\\mongo' } },
    });
    const issues = lintDatabaseStorage(p, { linuxDaemon: 'vm-on-windows' });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain('C:\\mongo');
  });

  it('a parent mount covers the data dir; an unrelated mount does not', () => {
    expect(lintDatabaseStorage(project([service('db', { image: 'mariadb', volumes: [bind('/c/x', '/var/lib')] })]), {})).toHaveLength(1);
    expect(lintDatabaseStorage(project([service('db', { image: 'mariadb', volumes: [bind('/c/conf', '/etc/mysql/conf.d')] })]), {})).toEqual([]);
  });

  it('honours PGDATA', () => {
    const s = service('db', { image: 'postgres', environment: { PGDATA: '/pgdata' }, volumes: [bind('/c/pg', '/pgdata')] });
    expect(lintDatabaseStorage(project([s]))).toHaveLength(1);
  });

  it('redis only with persistence', () => {
    const on = service('cache', { image: 'redis:7', command: ['redis-server', '--appendonly', 'yes'], volumes: [bind('/c/r', '/data')] });
    const off = service('cache', { image: 'redis:7', command: ['redis-server', '--save', '', '--appendonly', 'no'], volumes: [bind('/c/r', '/data')] });
    const plain = service('cache', { image: 'redis:7', volumes: [bind('/c/r', '/data')] });
    expect(lintDatabaseStorage(project([on]))).toHaveLength(1);
    expect(lintDatabaseStorage(project([off]))).toEqual([]);
    expect(lintDatabaseStorage(project([plain]))).toHaveLength(1);
  });

  it('recognises a database by a distinctive data path even when built from a Dockerfile', () => {
    const s = service('db', { build: { context: '/w/db' }, volumes: [bind('/c/mq', '/var/lib/rabbitmq')] });
    expect(lintDatabaseStorage(project([s]))[0]!.message).toContain('RabbitMQ');
    // /data alone is too common to mean Redis.
    expect(lintDatabaseStorage(project([service('app', { build: { context: '/w' }, volumes: [bind('/c/x', '/data')] })]))).toEqual([]);
  });

  it('is silenced per service with x-mixcompose lint: false, and skips windows services', () => {
    const quiet = service('db', { image: 'mysql', volumes: [bind('/c/x', '/var/lib/mysql')], extension: { lint: false } });
    const win = service('mssql', { image: 'mcr.microsoft.com/mssql/server', platform: { os: 'windows', raw: 'windows' }, volumes: [bind('C:\\x', '/var/opt/mssql')] });
    expect(lintDatabaseStorage(project([quiet, win]))).toEqual([]);
  });

  it('no mount, no warning (data in the container layer)', () => {
    expect(lintDatabaseStorage(project([service('db', { image: 'mysql' })]), { linuxDaemon: 'lcow' })).toEqual([]);
  });
});

describe('linuxDaemonKind', () => {
  it('maps facts', () => {
    expect(linuxDaemonKind({ lcow: true, osType: 'windows' })).toBe('lcow');
    expect(linuxDaemonKind({ lcow: false, osType: 'linux' }, 'linux-on-windows')).toBe('vm-on-windows');
    expect(linuxDaemonKind({ lcow: false, osType: 'linux' }, 'linux')).toBe('linux');
    expect(linuxDaemonKind(undefined)).toBeUndefined();
  });
});

describe('lintDatabaseStorageFor (connected)', () => {
  const p = {
    ...project([service('db', { image: 'mysql:8', volumes: [named('data', '/var/lib/mysql')] }), service('pg', { image: 'postgres', volumes: [bind('/srv/pg', '/var/lib/postgresql/data')] })], {
      data: { name: 'x_data' },
    }),
    extension: { default_platform: 'linux' as const, daemons: {} as Project['extension']['daemons'] },
  };
  it('LCOW: both the named volume and the bind warn', () => {
    expect(lintDatabaseStorageFor(p, { lcow: true, osType: 'windows' }).map((i) => i.path?.[1])).toEqual(['db', 'pg']);
  });
  it('Docker Desktop: the bind warns, the named volume does not', () => {
    expect(lintDatabaseStorageFor(p, { lcow: false, osType: 'linux', operatingSystem: 'Docker Desktop' }).map((i) => i.path?.[1])).toEqual(['pg']);
  });
  it('Linux on Linux: nothing', () => {
    expect(lintDatabaseStorageFor(p, { lcow: false, osType: 'linux', operatingSystem: 'Debian GNU/Linux 12' }, 'linux')).toEqual([]);
  });
});

describe('offlineLinuxDaemonKind', () => {
  it('guesses from the host OS, path_prefix and the endpoint', () => {
    expect(offlineLinuxDaemonKind({ host: 'unix:///var/run/docker.sock' }, 'linux')).toBe('linux');
    expect(offlineLinuxDaemonKind({ host: 'npipe:////./pipe/docker_engine_linux' }, 'win32')).toBe('vm-on-windows');
    expect(offlineLinuxDaemonKind({ host: 'unix:///var/run/docker.sock', path_prefix: '/host' }, 'linux')).toBe('vm-on-windows');
    expect(offlineLinuxDaemonKind({ host: 'tcp://build:2376' }, 'linux')).toBeUndefined();
  });
});

describe('bitnami images', () => {
  it('know their /bitnami data directories', () => {
    const s = service('db', { image: 'bitnami/postgresql:16', volumes: [bind('/c/pg', '/bitnami/postgresql')] });
    expect(lintDatabaseStorage(project([s]))[0]!.message).toContain('/bitnami/postgresql');
    const m = service('m', { image: 'docker.io/bitnami/mariadb:11', volumes: [bind('/c/m', '/bitnami/mariadb')] });
    expect(lintDatabaseStorage(project([m]))[0]!.message).toContain('MariaDB');
  });
});
