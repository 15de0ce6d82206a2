import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extract as untar, pack as tarPack } from 'tar-stream';
import { parseCpArgs, splitCpArg } from '../../../src/cli/commands/cp.js';
import { archivePathFor, copyFiles, copyTargets, rebaseEntry, type CopySpec } from '../../../src/engine/copy.js';
import type { ContainerPathStat, ContainerSummary, DaemonClient } from '../../../src/engine/daemon-client.js';
import type { PlacedContainer } from '../../../src/engine/project-containers.js';
import { container, facts, project, service } from '../plan/builders.js';

describe('cp arguments', () => {
  it('SERVICE:PATH is the container side, a path starting with / or . or without a colon is local', () => {
    expect(splitCpArg('web:/etc/hosts', 'linux')).toEqual({ service: 'web', path: '/etc/hosts' });
    expect(splitCpArg('web:C:\\data\\x', 'linux')).toEqual({ service: 'web', path: 'C:\\data\\x' });
    expect(splitCpArg('./a:b', 'linux')).toEqual({ path: './a:b' });
    expect(splitCpArg('/tmp/a:b', 'linux')).toEqual({ path: '/tmp/a:b' });
    expect(splitCpArg('-', 'linux')).toEqual({ path: '-' });
    expect(splitCpArg('C:\\x', 'win32')).toEqual({ path: 'C:\\x' });
  });

  it('the two directions, with --index, -a and -L', () => {
    expect(parseCpArgs('web:/etc/hosts', './hosts', { index: 2, followLink: true }, 'linux')).toEqual({
      direction: 'from-container', service: 'web', containerPath: '/etc/hosts', hostPath: './hosts', index: 2, followLink: true,
    });
    expect(parseCpArgs('notes.txt', 'db:/tmp/', { archive: true }, 'linux')).toEqual({
      direction: 'to-container', service: 'db', containerPath: '/tmp/', hostPath: 'notes.txt', copyUidGid: true,
    });
  });

  it('refuses two containers, no container, an empty service or path', () => {
    expect(() => parseCpArgs('web:/a', 'db:/b', {}, 'linux')).toThrow('copying between containers is not supported');
    expect(() => parseCpArgs('a', 'b', {}, 'linux')).toThrow('one of SRC and DEST must be SERVICE:PATH');
    expect(() => parseCpArgs(':/a', 'b', {}, 'linux')).toThrow('the service name before ":" is empty');
    expect(() => parseCpArgs('web:', 'b', {}, 'linux')).toThrow('the path after ":" is empty');
  });
});

describe('cp paths and targets', () => {
  it('a Windows container path goes to the archive endpoints as a posix path on C:', () => {
    expect(archivePathFor('C:\\data\\x.txt', true)).toBe('/data/x.txt');
    expect(archivePathFor('c:/data', true)).toBe('/data');
    expect(archivePathFor('data\\x', true)).toBe('/data/x');
    expect(() => archivePathFor('D:\\x', true)).toThrow('system drive (C:) only');
    expect(archivePathFor('etc/hosts', false)).toBe('/etc/hosts');
  });

  it('renames the top entry of an archive, or puts a directory contents under a name', () => {
    expect(rebaseEntry('a.txt', 'a.txt', 'b.txt')).toBe('b.txt');
    expect(rebaseEntry('dir/', 'dir', 'copy')).toBe('copy');
    expect(rebaseEntry('dir/x/y', 'dir', 'copy')).toBe('copy/x/y');
    expect(rebaseEntry('dirx/y', 'dir', 'copy')).toBe('dirx/y');
    expect(rebaseEntry('.', '.', 'copy')).toBe('copy');
    expect(rebaseEntry('x/y', '.', 'copy')).toBe('copy/x/y');
  });

  it('no container of the service, or no such replica, is an error naming the service', () => {
    const placed = (n: number): PlacedContainer => ({ container: container({ service: 'web', platform: 'linux', number: n }), client: { label: 'linux' } as DaemonClient, daemon: 'linux' });
    expect(() => copyTargets([], { service: 'web', direction: 'to-container' })).toThrow('no container found for service "web"');
    expect(() => copyTargets([placed(1)], { service: 'web', direction: 'to-container', index: 3 })).toThrow('service web has no container with index 3 (there are: 1)');
    const two = [placed(2), placed(1)];
    expect(copyTargets(two, { service: 'web', direction: 'from-container' }).map((t) => t.container.number)).toEqual([1]);
    expect(copyTargets(two, { service: 'web', direction: 'to-container' }).map((t) => t.container.number)).toEqual([1, 2]);
  });
});

/** A container's file system as a path → file map, behind the archive endpoints. */
function fakeArchiveDaemon(files: Map<string, string | 'dir'>) {
  const puts: { path: string; entries: string[]; query: { copyUidGid?: boolean } }[] = [];
  const statOf = (path: string): ContainerPathStat | undefined => {
    const f = files.get(path);
    if (f === undefined) return undefined;
    return { name: path.split('/').pop()!, size: f === 'dir' ? 0 : f.length, mode: f === 'dir' ? 2 ** 31 + 0o755 : 0o644 };
  };
  const summary: ContainerSummary = { Id: 'c1', Names: ['/shop-web-1'], Image: 'x', State: 'running', Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '1' } };
  const client = {
    label: 'windows (npipe:////./pipe/docker_engine_windows)',
    listContainers: async () => [summary],
    statContainerPath: async (_id: string, path: string) => statOf(path),
    archiveFrom: async (_id: string, path: string) => {
      const stat = statOf(path);
      if (!stat) return undefined;
      const p = tarPack();
      const base = path.split('/').pop()!;
      for (const [name, content] of [...files].filter(([n]) => n === path || n.startsWith(`${path}/`))) {
        const entry = base + name.slice(path.length);
        if (content === 'dir') p.entry({ name: entry, type: 'directory', mode: 0o755 });
        else p.entry({ name: entry, mode: 0o644 }, content);
      }
      p.finalize();
      return { stat, tar: p as unknown as Readable };
    },
    archiveTo: async (_id: string, path: string, tar: Readable | Buffer, query: { copyUidGid?: boolean } = {}) => {
      const entries: string[] = [];
      const x = untar();
      x.on('entry', (header, stream, next) => {
        entries.push(header.name);
        stream.on('end', next);
        stream.resume();
      });
      await new Promise<void>((resolve, reject) => {
        x.on('finish', resolve).on('error', reject);
        (Buffer.isBuffer(tar) ? Readable.from([tar]) : tar).pipe(x);
      });
      puts.push({ path, entries: entries.sort(), query });
    },
  } as unknown as DaemonClient;
  return { client, puts };
}

describe('copyFiles (the archive endpoints of a fake Windows daemon)', () => {
  let dir: string;
  const stack = project([service('web', { platform: 'windows' })]);
  const daemons = (client: DaemonClient) => ({ clients: { windows: client }, facts: { linux: facts('linux'), windows: facts('windows', { osType: 'windows' }) } });
  const spec = (s: Partial<CopySpec> & Pick<CopySpec, 'direction' | 'containerPath' | 'hostPath'>): CopySpec => ({ service: 'web', ...s });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mixcompose-cp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('into an existing directory the file keeps its name; onto a new path it takes that name; -a asks to keep uid/gid', async () => {
    const { client, puts } = fakeArchiveDaemon(new Map([['/data', 'dir']]));
    await writeFile(join(dir, 'a.txt'), 'hello');
    const done = await copyFiles(stack, daemons(client), spec({ direction: 'to-container', containerPath: 'C:\\data', hostPath: join(dir, 'a.txt'), copyUidGid: true }));
    await copyFiles(stack, daemons(client), spec({ direction: 'to-container', containerPath: 'C:\\data\\b.txt', hostPath: join(dir, 'a.txt') }));
    expect(puts).toEqual([
      { path: '/data', entries: ['a.txt'], query: { copyUidGid: true } },
      { path: '/data', entries: ['b.txt'], query: {} },
    ]);
    expect(done).toEqual([{ container: 'shop-web-1', daemon: 'windows (npipe:////./pipe/docker_engine_windows)', description: `${join(dir, 'a.txt')} → shop-web-1:C:\\data` }]);
  });

  it('a directory keeps its tree; onto a file or into a missing directory it is refused; --dry-run puts nothing', async () => {
    const { client, puts } = fakeArchiveDaemon(new Map([['/data', 'dir'], ['/data/f', 'x']]));
    await mkdir(join(dir, 'tree', 'sub'), { recursive: true });
    await writeFile(join(dir, 'tree', 'sub', 'y'), 'y');
    await copyFiles(stack, daemons(client), spec({ direction: 'to-container', containerPath: '/data', hostPath: join(dir, 'tree') }));
    expect(puts[0]!.entries).toEqual(['tree', 'tree/sub', 'tree/sub/y']);
    await expect(copyFiles(stack, daemons(client), spec({ direction: 'to-container', containerPath: '/data/f', hostPath: join(dir, 'tree') }))).rejects.toThrow('cannot copy the directory');
    await expect(copyFiles(stack, daemons(client), spec({ direction: 'to-container', containerPath: '/nope/x', hostPath: join(dir, 'tree') }))).rejects.toThrow('no such directory in container shop-web-1: /nope');
    await expect(copyFiles(stack, daemons(client), spec({ direction: 'to-container', containerPath: '/data', hostPath: join(dir, 'missing') }))).rejects.toThrow('no such file or directory');
    const dry = await copyFiles(stack, daemons(client), spec({ direction: 'to-container', containerPath: '/data', hostPath: join(dir, 'tree') }), {}, { dryRun: true });
    expect(dry).toHaveLength(1);
    expect(puts).toHaveLength(1);
  });

  it('out of the container: into a directory, onto a new name, a directory tree; a missing source names the container', async () => {
    const { client } = fakeArchiveDaemon(new Map([['/etc', 'dir'], ['/etc/hosts', '127.0.0.1 localhost\n'], ['/etc/app', 'dir'], ['/etc/app/conf', 'k=v']]));
    await copyFiles(stack, daemons(client), spec({ direction: 'from-container', containerPath: 'C:\\etc\\hosts', hostPath: dir }));
    expect(await readFile(join(dir, 'hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
    await copyFiles(stack, daemons(client), spec({ direction: 'from-container', containerPath: '/etc/hosts', hostPath: join(dir, 'renamed') }));
    expect(await readFile(join(dir, 'renamed'), 'utf8')).toBe('127.0.0.1 localhost\n');
    await copyFiles(stack, daemons(client), spec({ direction: 'from-container', containerPath: '/etc/app', hostPath: join(dir, 'appcopy') }));
    expect(await readFile(join(dir, 'appcopy', 'conf'), 'utf8')).toBe('k=v');
    await expect(copyFiles(stack, daemons(client), spec({ direction: 'from-container', containerPath: '/etc/nope', hostPath: dir }))).rejects.toThrow('no such file or directory in container shop-web-1: /etc/nope');
    await expect(copyFiles(stack, daemons(client), spec({ direction: 'from-container', containerPath: '/etc/app', hostPath: join(dir, 'hosts') }))).rejects.toThrow('cannot copy the directory');
  });
});
