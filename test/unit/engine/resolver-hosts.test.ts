/**
 * Reading the resolver's hosts files back: the tar reader, GET /containers/{id}/archive in the
 * dockerode adapter (against the fake engine), and observe's readResolverHosts.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import { DockerodeClient } from '../../../src/engine/dockerode-client.js';
import { resolveEndpoint } from '../../../src/engine/daemon-endpoints.js';
import { readResolverHosts } from '../../../src/engine/observe.js';
import { tarArchive, tarFiles } from '../../../src/engine/tar.js';
import { DaemonError } from '../../../src/errors.js';
import { startFakeEngine, type FakeEngine } from '../../support/fake-engine.js';
import { container } from '../plan/builders.js';

let fake: FakeEngine | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A hostsdir as Docker answers GET archive of /etc/mixcompose-hosts: the directory, then its files. */
function hostsDir(files: Record<string, string>): Buffer {
  return tarArchive(Object.entries(files).map(([name, content]) => ({ path: `mixcompose-hosts/${name}`, content })));
}

describe('tarFiles', () => {
  it('reads back the regular files tarArchive writes, long names included, skipping directories', () => {
    const long = `${'d'.repeat(120)}/web-1`;
    const files = tarFiles(tarArchive([{ path: 'a/b.txt', content: 'hello' }, { path: long, content: Buffer.alloc(700, 1) }]));
    expect(files.map((f) => [f.path, f.content.length])).toEqual([['a/b.txt', 5], [long, 700]]);
    expect(files[0]!.content.toString()).toBe('hello');
  });

  it('takes the path of a PAX header (Go archive/tar writes those for long names)', () => {
    const record = (key: string, value: string) => {
      const body = ` ${key}=${value}\n`;
      let length = body.length;
      while (String(length).length + body.length !== length) length++;
      return `${length}${body}`;
    };
    const pax = tarArchive([{ path: 'PaxHeader', content: record('path', 'mixcompose-hosts/a-very-long-service-name-1') }]);
    const typeOffset = pax.indexOf('PaxHeader') + 156;
    pax[typeOffset] = 'x'.charCodeAt(0);
    const file = tarArchive([{ path: 'short-name', content: '10.0.0.1 a\n' }]);
    const files = tarFiles(Buffer.concat([pax.subarray(0, pax.length - 1024), file]));
    expect(files.map((f) => f.path)).toEqual(['mixcompose-hosts/a-very-long-service-name-1']);
  });
});

describe('readResolverHosts', () => {
  const resolver = container({ service: 'mixcompose-resolver', platform: 'linux', labels: { 'io.mixcompose.role': 'resolver' } });
  const clientAnswering = (answer: () => Promise<Buffer | undefined>) => ({ getArchive: answer }) as unknown as DaemonClient;

  it('parses every hosts file of the directory, by file name', async () => {
    const archive = hostsDir({ 'web-1': '10.202.0.3 web\n10.202.0.3 shop-web-1\n', 'api-1': '' });
    const hosts = await readResolverHosts(clientAnswering(async () => archive), resolver);
    expect(hosts).toEqual({
      container: resolver.id,
      files: [
        { file: 'api-1', names: [] },
        { file: 'web-1', ip: '10.202.0.3', names: ['web', 'shop-web-1'] },
      ],
    });
  });

  it('gives no files for a missing directory and unknown (undefined) when reading fails', async () => {
    expect(await readResolverHosts(clientAnswering(async () => undefined), resolver)).toEqual({ container: resolver.id, files: [] });
    const failing = clientAnswering(async () => {
      throw new DaemonError('linux', 'copy', new Error('boom'));
    });
    expect(await readResolverHosts(failing, resolver)).toBeUndefined();
  });
});

describe('DockerodeClient.getArchive', () => {
  async function client(handle: (res: ServerResponse) => void) {
    fake = await startFakeEngine({ daemon: 'linux', routes: [{ method: 'GET', path: /^\/containers\/res1\/archive$/, handle: (_r, res) => handle(res) }] });
    const endpoint = await resolveEndpoint({ platform: 'linux', host: fake.host, reach: 'auto', origin: 'file' }, { env: {} });
    return new DockerodeClient({ label: endpoint.label, modem: endpoint.modem });
  }

  it('asks for the path and answers the tar bytes', async () => {
    const archive = hostsDir({ 'web-1': '10.202.0.3 web\n' });
    const c = await client((res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      res.end(archive);
    });
    expect(Buffer.compare((await c.getArchive('res1', '/etc/mixcompose-hosts'))!, archive)).toBe(0);
    expect(fake!.find('GET', '/containers/res1/archive')[0]!.query).toEqual({ path: '/etc/mixcompose-hosts' });
  });

  it('answers undefined for a path that does not exist (404), a DaemonError otherwise', async () => {
    let status = 404;
    const c = await client((res) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: status === 404 ? 'Could not find the file' : 'boom' }));
    });
    expect(await c.getArchive('res1', '/etc/mixcompose-hosts')).toBeUndefined();
    status = 500;
    await expect(c.getArchive('res1', '/etc/mixcompose-hosts')).rejects.toThrow(DaemonError);
  });
});
