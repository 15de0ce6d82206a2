/**
 * A Windows bind path on a linux service. Path translation mounts it for a Linux engine on a
 * Windows host (Docker Desktop, WSL2: /run/desktop/mnt/host/c/...) and for LCOW (C:\...), and
 * refuses it for a Linux daemon on a Linux host, which only `plan`/`up` can tell apart. So the
 * loader warns, with file, line and key, whenever the Linux daemon is not known to be on Windows.
 */
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/errors.js';
import { loadFromText } from './helpers.js';

const FILE = `services:
  db:
    image: mysql:8
    volumes:
      - ./init:/docker-entrypoint-initdb.d
      - C:\\data\\mysql:/var/lib/mysql
      - type: bind
        source: d:/backups
        target: /backups
  win:
    image: x
    platform: windows
    volumes:
      - C:\\data:C:\\data
`;

describe('Windows bind paths on linux services', () => {
  it('warn at load time with file:line, key path and what each daemon kind does', async () => {
    const { warnings } = await loadFromText(FILE, { hostPlatform: 'linux' });
    expect(warnings.map(formatIssue)).toEqual([
      'compose.yaml:6:9 services.db.volumes[1]: bind source C:\\data\\mysql of linux service "db" is a Windows path: a Linux daemon on a Linux host cannot mount it (plan and up refuse it there); a Linux engine on a Windows host (Docker Desktop, WSL2) mounts it as /run/desktop/mnt/host/c/data/mysql (set x-mixcompose.daemons.linux.path_prefix if yours is elsewhere)',
      'compose.yaml:7:9 services.db.volumes[2]: bind source d:/backups of linux service "db" is a Windows path: a Linux daemon on a Linux host cannot mount it (plan and up refuse it there); a Linux engine on a Windows host (Docker Desktop, WSL2) mounts it as /run/desktop/mnt/host/d/backups (set x-mixcompose.daemons.linux.path_prefix if yours is elsewhere)',
    ]);
  });

  it('say nothing when the Linux engine is known to be on Windows (Windows host, or a path prefix)', async () => {
    expect((await loadFromText(FILE, { hostPlatform: 'win32' })).warnings).toEqual([]);
    const withPrefix = FILE.replace('services:', 'x-mixcompose:\n  daemons:\n    linux: { path_prefix: /mnt/host }\nservices:');
    expect((await loadFromText(withPrefix, { hostPlatform: 'linux' })).warnings).toEqual([]);
  });

  it('warn about a named pipe on a linux service on any host', async () => {
    const { warnings } = await loadFromText(
      `services:
  tool:
    image: x
    volumes:
      - type: npipe
        source: \\\\.\\pipe\\docker_engine
        target: /var/run/docker.sock
`,
      { hostPlatform: 'win32' },
    );
    expect(warnings.map(formatIssue)).toEqual([
      'compose.yaml:5:9 services.tool.volumes[0]: bind source \\\\.\\pipe\\docker_engine of linux service "tool" cannot be mounted: named pipe \\\\.\\pipe\\docker_engine cannot be mounted into a Linux container',
    ]);
  });
});
