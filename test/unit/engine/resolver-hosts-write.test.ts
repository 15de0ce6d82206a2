/**
 * Hosts files go into the project resolver through one hijacked attach of its stdin (no PUT
 * archive), through the real HTTP adapter against the Engine API stand-in: the answer is awaited,
 * and a resolver that does not answer, hangs up or refuses the batch fails with an error naming it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DockerodeClient } from '../../../src/engine/dockerode-client.js';
import { resolveEndpoint } from '../../../src/engine/daemon-endpoints.js';
import { writeResolverFiles } from '../../../src/engine/resolver-hosts-write.js';
import { DaemonError } from '../../../src/errors.js';
import { decodeHostsBatch, type HostsFileWrite } from '../../../src/plan/resolver-hosts-protocol.js';
import { RESOLVER_HOSTS_DIR } from '../../../src/plan/resolver.js';
import { startFakeEngine, type FakeEngine, type FakeEngineOptions } from '../../support/fake-engine.js';

const RESOLVER = 'f00d'.repeat(16);
const files: HostsFileWrite[] = [
  { dir: RESOLVER_HOSTS_DIR, file: 'web-1', content: '10.202.0.9 web\n10.202.0.9 shop-web-1\n' },
  { dir: RESOLVER_HOSTS_DIR, file: 'api-1', content: '' },
];

let fake: FakeEngine | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function client(attach: FakeEngineOptions['attach']) {
  fake = await startFakeEngine({ daemon: 'linux', attach });
  const endpoint = await resolveEndpoint({ platform: 'linux', host: fake.host, reach: 'auto', origin: 'file' }, { env: {} });
  return new DockerodeClient({ label: endpoint.label, modem: endpoint.modem });
}

describe('writeResolverFiles', () => {
  it('sends the batch through one attach of stdin and stdout, and resolves on the resolver\'s answer', async () => {
    const c = await client('hosts-reader');
    await writeResolverFiles(c, RESOLVER, files, 10_000);
    expect(fake!.attaches).toHaveLength(1);
    const [attach] = fake!.attaches;
    expect(attach!.path).toBe(`/containers/${RESOLVER}/attach`);
    expect(attach!.query).toEqual({ stream: 'true', stdin: 'true', stdout: 'true' });
    expect(decodeHostsBatch(attach!.stdin)).toEqual(files);
    expect(fake!.requests.filter((r) => r.path.endsWith('/archive'))).toEqual([]);
  });

  it('a resolver that never answers: a DaemonError naming the resolver, after the timeout', async () => {
    const c = await client('silent');
    const error = await writeResolverFiles(c, RESOLVER, files, 200).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as Error).message).toMatch(/failed: the project resolver \(container f00df00df00d\) did not confirm the write: no answer within 0\.2 s; its hosts reader is not running/);
  });

  it('a stream that ends before the answer: the same error at once, saying the output ended', async () => {
    const c = await client('hang-up');
    const error = await writeResolverFiles(c, RESOLVER, files, 60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as Error).message).toMatch(/the project resolver \(container f00df00df00d\) did not confirm the write: the container's output ended before it answered; its hosts reader/);
  });

  it('a refused batch: the reason the resolver gave', async () => {
    const refusing = {
      label: 'linux (mem)',
      exchangeStdin: async (_id: string, input: string) => `failed ${/ack\t(\S+)/.exec(input)![1]} cannot write /etc/mixcompose-hosts/web-1`,
    } as unknown as Parameters<typeof writeResolverFiles>[0];
    await expect(writeResolverFiles(refusing, RESOLVER, files)).rejects.toThrow(/the project resolver \(container f00df00df00d\) refused the write: cannot write \/etc\/mixcompose-hosts\/web-1/);
  });

  it('refuses a path outside the hostsdirs before anything is sent', async () => {
    const c = await client('hosts-reader');
    await expect(writeResolverFiles(c, RESOLVER, [{ dir: '/etc', file: 'passwd', content: '' }])).rejects.toThrow(/outside its hostsdirs/);
    expect(fake!.attaches).toEqual([]);
  });
});
