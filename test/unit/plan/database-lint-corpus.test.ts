/**
 * The database lint on real compose files: the awesome-compose corpus has MySQL, MariaDB and
 * PostgreSQL stacks, all with named volumes (right on a Linux VM daemon, wrong on LCOW).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/load-project.js';
import { lintDatabaseStorage } from '../../../src/plan/database-lint.js';
import { corpusDir } from '../../support/corpus.js';

const CORPUS = corpusDir();

async function load(stack: string) {
  const dir = join(CORPUS, stack);
  const file = readdirSync(dir).find((f) => /^(docker-)?compose\.ya?ml$/.test(f))!;
  const { project } = await loadProject({
    files: [join(dir, file)],
    envFiles: [],
    profiles: [],
    environment: { POSTGRES_USER: 'u', POSTGRES_PW: 'p', POSTGRES_DB: 'd', PGADMIN_MAIL: 'a@b.c', PGADMIN_PW: 'p' },
    cwd: dir,
    hostPlatform: 'linux',
  });
  return project;
}

describe('database lint on the awesome-compose corpus', () => {
  const databaseStacks: [string, string, string][] = [
    ['wordpress-mysql', 'db', 'MariaDB'],
    ['nextcloud-redis-mariadb', 'db', 'MariaDB'],
    ['nginx-golang-mysql', 'db', 'MariaDB'],
    ['gitea-postgres', 'db', 'PostgreSQL'],
    ['nginx-golang-postgres', 'db', 'PostgreSQL'],
    ['react-express-mysql', 'db', 'MariaDB'],
    ['spring-postgres', 'db', 'PostgreSQL'],
    ['react-express-mongodb', 'mongo', 'MongoDB'],
  ];

  for (const [stack, service, kind] of databaseStacks) {
    it(`${stack}: ${kind} on a named volume warns on LCOW only`, async () => {
      const project = await load(stack);
      expect(lintDatabaseStorage(project, { linuxDaemon: 'vm-on-windows' })).toEqual([]);
      expect(lintDatabaseStorage(project, { linuxDaemon: 'linux' })).toEqual([]);
      const lcow = lintDatabaseStorage(project, { linuxDaemon: 'lcow' });
      expect(lcow.map((i) => i.path?.[1])).toEqual([service]);
      expect(lcow[0]!.message).toContain(kind);
      expect(lcow[0]!.message).toContain('error: 95');
    });
  }

  it('postgresql-pgadmin keeps postgres data in the container layer: no warning even on LCOW', async () => {
    expect(lintDatabaseStorage(await load('postgresql-pgadmin'), { linuxDaemon: 'lcow' })).toEqual([]);
  });

  it('databases without a data mount (mongo, redis, SQL Server, Elasticsearch) give no warning, even on LCOW', async () => {
    for (const stack of ['nginx-flask-mongo', 'flask-redis', 'aspnet-mssql', 'elasticsearch-logstash-kibana']) {
      expect(lintDatabaseStorage(await load(stack), { linuxDaemon: 'lcow' }), stack).toEqual([]);
    }
  });

  it('stacks without databases give no warning', async () => {
    for (const stack of ['nginx-golang', 'flask', 'react-nginx']) {
      expect(lintDatabaseStorage(await load(stack), { linuxDaemon: 'lcow' })).toEqual([]);
    }
  });
});

describe('database lint on a file with bind mounts', () => {
  it('warns for the bind-mounted MySQL, not for the silenced PostgreSQL or the web server', async () => {
    const dir = join(import.meta.dirname, '../../fixtures/field/db-bind');
    const { project } = await loadProject({ files: [join(dir, 'compose.yaml')], envFiles: [], profiles: [], environment: {}, cwd: dir, hostPlatform: 'linux' });
    const issues = lintDatabaseStorage(project, { linuxDaemon: 'vm-on-windows' });
    expect(issues.map((i) => i.path)).toEqual([['services', 'mysql', 'volumes', 0]]);
    expect(issues[0]!.message).toContain('InnoDB: Unable to lock ./ibdata1 error: 95');
    expect(lintDatabaseStorage(project, { linuxDaemon: 'linux' })).toEqual([]);
  });
});
