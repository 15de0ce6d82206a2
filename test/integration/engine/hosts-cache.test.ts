/**
 * The client-side cache of the resolver's hosts files on the real daemons: the first `up` leaves an
 * entry valid for the hostsdir's mtime as the daemon stats it (its writes change that mtime), a second
 * `up` copies nothing out of the resolver (Docker logs an `archive-path` event for every copy out), a
 * hand copy of a file into the directory makes the next `up` read again, and a corrupt cache file
 * fails nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarArchive } from '../../../src/engine/tar.js';
import { request } from 'node:http';
import { parsePathStat } from '../../../src/engine/docker/archive.js';
import { assertRigUp, HOST_OF, removeProjectLeftovers, rigDocker, runMixcompose, socketPathOf, uniqueProjectName } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';

const name = uniqueProjectName('hosts-cache');
const HOSTS_DIR = '/etc/mixcompose-hosts';

/** The daemon's stat of `path` in `container` (HEAD archive), as the cache sees it. */
function statPath(container: string, path: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: socketPathOf(HOST_OF.linux), method: 'HEAD', path: `/containers/${container}/archive?path=${encodeURIComponent(path)}` },
      (res) => {
        res.resume();
        resolve(parsePathStat(res.headers['x-docker-container-path-stat'])?.mtime);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The resolver's `archive-path` events (copies out of it) between `since` and now, in unix seconds. */
async function copiesOut(resolver: string, since: number): Promise<number> {
  const docker = rigDocker('linux');
  const stream = (await docker.getEvents({
    since,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: { container: [resolver], event: ['archive-path'] },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text.split('\n').filter((line) => line.trim()).length;
}

describe('the resolver hosts cache', () => {
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('a second up copies nothing out of the resolver; a hand copy into its hostsdir makes the next up read', async () => {
    assertRigUp();
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-hosts-cache-'));
    const cacheDir = join(dir, 'cache');
    writeFileSync(join(dir, 'compose.yaml'), dbWebYaml({ name }));
    const file = ['-f', join(dir, 'compose.yaml')];
    const env = { MIXCOMPOSE_CACHE_DIR: cacheDir };
    const up = async () => {
      const result = await runMixcompose([...file, 'up', '-d'], { env });
      expect(result.exitCode, result.stderr).toBe(0);
    };
    await up();

    const resolverName = `${name}-mixcompose-resolver`;
    const resolver = rigDocker('linux').getContainer(resolverName);
    const { Id: resolverId } = await resolver.inspect();
    const entryFile = () => join(cacheDir, 'resolver-hosts', readdirSync(join(cacheDir, 'resolver-hosts'))[0]!);
    const entry = () => JSON.parse(readFileSync(entryFile(), 'utf8')) as { container: string; mtime: string; files: { file: string; names: string[] }[] };
    const stat = async () => ({ mtime: await statPath(resolverId, HOSTS_DIR) });
    // The first up left the files it wrote, valid for the directory's mtime now.
    expect(entry().container).toBe(resolverId);
    expect(entry().files.map((f) => f.file)).toContain('web-1');
    expect(entry().mtime).toBe((await stat()).mtime);
    expect(entry().mtime).not.toMatch(/^2020-01-01/);

    let since = Math.floor(Date.now() / 1000);
    await up();
    expect(await copiesOut(resolverId, since)).toBe(0);

    // A hand `docker cp` of a file into the directory (no directory entry, as the docker CLI sends one file).
    const before = entry().mtime;
    await resolver.putArchive(tarArchive([{ path: 'hand-1', content: '10.9.9.9 hand\n' }], { directories: false }), { path: HOSTS_DIR });
    expect((await stat()).mtime).not.toBe(before);
    since = Math.floor(Date.now() / 1000);
    await up();
    expect(await copiesOut(resolverId, since)).toBeGreaterThan(0);
    expect(entry().files.map((f) => f.file)).toContain('hand-1');
    expect(entry().mtime).toBe((await stat()).mtime);

    // A corrupt cache fails nothing (the files are read again).
    writeFileSync(entryFile(), '{"version":1,');
    await up();
    expect(entry().container).toBe(resolverId);
  });
});
