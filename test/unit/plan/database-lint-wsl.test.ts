/**
 * The error-95 lint for data directories under WSL's mounts of Windows drives (`/mnt/c/...`).
 * Path translation reads `/mnt/c/x` as drive C: for a daemon on Windows (Docker Desktop gets
 * /run/desktop/mnt/host/c/x, LCOW gets C:\x); on a Linux daemon it stays /mnt/c/x, which inside
 * WSL is the drive itself (drvfs over 9p). Either way the data sits on a Windows drive shared over
 * 9p/SMB, without byte-range locks, so the lint warns for every daemon kind.
 */
import { describe, expect, it } from 'vitest';
import { lintDatabaseStorage, type LinuxDaemonKind } from '../../../src/plan/database-lint.js';
import { parseHostPath } from '../../../src/model/host-paths.js';
import type { Project, Service, ServiceVolume } from '../../../src/model/project.js';
import { stubService } from '../engine/project-stub.js';

const db = (volumes: ServiceVolume[], image = 'mysql:8'): Pick<Project, 'services' | 'volumes'> => ({
  services: { db: stubService('db', 'linux', { image, volumes } as Partial<Service>) },
  volumes: {},
});
const kinds: (LinuxDaemonKind | undefined)[] = ['linux', 'vm-on-windows', 'lcow', undefined];

describe('database lint: data under /mnt/<drive> (WSL)', () => {
  for (const kind of kinds) {
    it(`warns for a bind of /mnt/c/... on ${kind ?? 'an unknown daemon'}, naming the drive and error 95`, () => {
      const issues = lintDatabaseStorage(db([{ type: 'bind', source: '/mnt/c/data/mysql', target: '/var/lib/mysql' }]), kind ? { linuxDaemon: kind } : {});
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toEqual(['services', 'db', 'volumes', 0]);
      expect(issues[0]!.message).toContain('/mnt/c/data/mysql');
      expect(issues[0]!.message).toContain('drive C:');
      expect(issues[0]!.message).toContain('error: 95');
    });
  }

  it('on a Linux daemon, says to keep the data in the Linux filesystem', () => {
    const [issue] = lintDatabaseStorage(db([{ type: 'bind', source: '/mnt/d/pg', target: '/var/lib/postgresql/data' }], 'postgres:16'), { linuxDaemon: 'linux' });
    expect(issue!.message).toContain('drive D:');
    expect(issue!.message).toContain('not under /mnt/<drive>');
  });

  it('also for a named volume whose local driver binds a /mnt/<drive> folder', () => {
    const p: Pick<Project, 'services' | 'volumes'> = {
      services: { db: stubService('db', 'linux', { image: 'mariadb:11', volumes: [{ type: 'volume', source: 'data', target: '/var/lib/mysql' }] } as Partial<Service>) },
      volumes: { data: { name: 'x_data', driver_opts: { type: 'none', o: 'bind', device: '/mnt/e/db' } } },
    };
    const issues = lintDatabaseStorage(p, { linuxDaemon: 'linux' });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain('drive E:');
  });

  it('also for a Windows drive path (C:\\data), which only a daemon on Windows can mount, and as a shared folder', () => {
    for (const source of ['C:\\data\\mysql', 'c:/data/mysql']) {
      const issues = lintDatabaseStorage(db([{ type: 'bind', source, target: '/var/lib/mysql' }]), { linuxDaemon: 'linux' });
      expect(issues, source).toHaveLength(1);
      expect(issues[0]!.message).toContain('on drive C: of the Windows host');
    }
  });

  it('agrees with path translation on what a drive path is', () => {
    for (const source of ['/mnt/c/x', '/mnt/z', '/mnt/host/c/x']) expect(parseHostPath(source, true).form, source).toBe('drive');
    // Not drives, and no warning on a Linux daemon: /mnt/data, /mnt/cd/x, /c/x (Git Bash form, a plain directory on Linux).
    for (const source of ['/mnt/data/mysql', '/mnt/cd/mysql', '/c/data/mysql', '/srv/mysql']) {
      expect(lintDatabaseStorage(db([{ type: 'bind', source, target: '/var/lib/mysql' }]), { linuxDaemon: 'linux' }), source).toEqual([]);
    }
  });
});
