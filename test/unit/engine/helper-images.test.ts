import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DaemonClient, EngineBody, ProgressMessage } from '../../../src/engine/daemon-client.js';
import { DEFAULT_RESOLVER_BASE, ensureResolverImage, mixcomposeVersion, resolverBase, resolverImageTag } from '../../../src/engine/helper-images.js';
import { PlanError } from '../../../src/errors.js';
import type { EngineEvent as Event } from '../../../src/model/events.js';
import { RESOLVER_DEFAULT_IMAGE } from '../../../src/plan/resolver.js';
import { stubProject } from './project-stub.js';

const INFO = { OSType: 'linux', Architecture: 'x86_64', Driver: 'overlay2', Name: 'l', ID: 'L', Plugins: { Network: ['bridge'] } };
const VERSION = { ApiVersion: '1.41', Version: '20.10.24', Os: 'linux', Arch: 'amd64' };

/** A Linux daemon with a set of images and a registry that publishes `published` (image → os). */
function daemon(options: { images?: string[]; published?: Record<string, string>; buildFails?: string } = {}) {
  const images = new Set(options.images ?? []);
  const calls: string[] = [];
  const builds: { query: EngineBody; context: Buffer }[] = [];
  const client = {
    label: 'linux (unix:///run/l.sock)',
    version: async () => VERSION,
    info: async () => INFO,
    inspectImage: async (name: string) => (images.has(name) ? { Id: `sha256:${name}`, Os: 'linux', Architecture: 'amd64' } : undefined),
    distributionInspect: async (name: string) => {
      calls.push(`distribution ${name}`);
      const os = options.published?.[name];
      if (!os) throw Object.assign(new Error(`manifest unknown: ${name}`), { statusCode: 404 });
      return { Descriptor: { digest: 'sha256:d' }, Platforms: [{ os, architecture: 'amd64' }] };
    },
    pullImage: async (name: string, _o: unknown, onProgress: (m: ProgressMessage) => void) => {
      calls.push(`pull ${name}`);
      onProgress({ id: 'abc123', status: 'Pull complete' });
      images.add(name);
    },
    buildImage: async (context: Readable, query: EngineBody, onProgress: (m: ProgressMessage) => void) => {
      const chunks: Buffer[] = [];
      for await (const chunk of context) chunks.push(Buffer.from(chunk as Buffer));
      builds.push({ query, context: Buffer.concat(chunks) });
      calls.push(`build ${String(query.t)}`);
      onProgress({ stream: 'Step 1/4 : ARG BASE=alpine:3.20\n' });
      if (options.buildFails) throw new Error(options.buildFails);
      images.add(String(query.t));
      return 'sha256:built';
    },
  } as unknown as DaemonClient;
  return { client, calls, builds, images };
}

describe('the resolver image, provisioned by mixcompose', () => {
  it("is tagged with mixcompose's version, which the planner's default names", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string };
    expect(mixcomposeVersion()).toBe(pkg.version);
    expect(resolverImageTag()).toBe(`mixcompose/resolver:${pkg.version}`);
    expect(RESOLVER_DEFAULT_IMAGE).toBe(resolverImageTag());
  });

  it('does nothing when the image is on the daemon', async () => {
    const d = daemon({ images: ['mixcompose/resolver:9.9.9'] });
    expect(await ensureResolverImage(d.client, { version: '9.9.9' })).toEqual({ image: 'mixcompose/resolver:9.9.9', action: 'present' });
    expect(d.calls).toEqual([]);
  });

  it('pulls the base as any image (platform check first, progress) and builds the bundled Dockerfile with it', async () => {
    const d = daemon({ published: { 'registry.local/dnsmasq:1': 'linux' } });
    const events: Event[] = [];
    const result = await ensureResolverImage(d.client, { version: '9.9.9', base: 'registry.local/dnsmasq:1', onProgress: (e) => events.push(e) });
    expect(result).toEqual({ image: 'mixcompose/resolver:9.9.9', action: 'built' });
    expect(d.calls).toEqual(['distribution registry.local/dnsmasq:1', 'pull registry.local/dnsmasq:1', 'build mixcompose/resolver:9.9.9']);
    const { query, context } = d.builds[0]!;
    expect(query).toMatchObject({ t: 'mixcompose/resolver:9.9.9', dockerfile: 'Dockerfile', buildargs: { BASE: 'registry.local/dnsmasq:1' }, version: '1' });
    expect(context.toString('latin1')).toContain('FROM ${BASE}');
    const steps = events.filter((e) => e.type === 'step').map((e) => `${e.action} ${e.status} ${e.name}`);
    expect(steps).toEqual([
      'pull started registry.local/dnsmasq:1',
      'pull done registry.local/dnsmasq:1',
      'pull done linux (unix:///run/l.sock)',
      'build started mixcompose/resolver:9.9.9',
      'build done mixcompose/resolver:9.9.9',
    ]);
    expect(events.some((e) => e.type === 'progress' && e.text === 'Step 1/4 : ARG BASE=alpine:3.20')).toBe(true);
  });

  it('uses a base that is already on the daemon without asking any registry', async () => {
    const d = daemon({ images: ['local/base:1'] });
    await ensureResolverImage(d.client, { version: '9.9.9', base: 'local/base:1' });
    expect(d.calls).toEqual(['build mixcompose/resolver:9.9.9']);
  });

  it('refuses a base of another OS before pulling it, naming the base and the setting to change', async () => {
    const d = daemon({ published: { 'win/base:1': 'windows' } });
    const error = await ensureResolverImage(d.client, { version: '9.9.9', base: 'win/base:1', baseSetting: 'MIXCOMPOSE_RESOLVER_BASE' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as Error).message).toMatch(/could not pull it from base win\/base:1 \(MIXCOMPOSE_RESOLVER_BASE\): .*windows/);
    expect((error as Error).message).toMatch(/Set x-mixcompose\.resolver\.base or MIXCOMPOSE_RESOLVER_BASE/);
    expect(d.calls).not.toContain('pull win/base:1');
  });

  it('names the base and the setting when the build fails', async () => {
    const d = daemon({ images: [DEFAULT_RESOLVER_BASE], buildFails: 'mixcompose: the base image has no /usr/sbin/dnsmasq and neither apk nor apt-get to install it' });
    const events: Event[] = [];
    const error = await ensureResolverImage(d.client, { version: '9.9.9', onProgress: (e) => events.push(e) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as Error).message).toBe(
      'the resolver image mixcompose/resolver:9.9.9 is not on the linux daemon (linux (unix:///run/l.sock)) and mixcompose could not build it from base alpine:3.20 ' +
        '(the default (set x-mixcompose.resolver.base or MIXCOMPOSE_RESOLVER_BASE)): mixcompose: the base image has no /usr/sbin/dnsmasq and neither apk nor apt-get to install it. ' +
        'Set x-mixcompose.resolver.base or MIXCOMPOSE_RESOLVER_BASE to an image the linux daemon can pull (or has) with sh and either /usr/sbin/dnsmasq or apk/apt-get to install it, ' +
        'or x-mixcompose.resolver.image / MIXCOMPOSE_RESOLVER_IMAGE to a ready resolver image',
    );
    expect(events.at(-1)).toMatchObject({ type: 'step', action: 'build', status: 'failed' });
  });

  it('stops before any step when aborted', async () => {
    const d = daemon();
    const controller = new AbortController();
    controller.abort();
    await expect(ensureResolverImage(d.client, { version: '9.9.9', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(d.calls).toEqual([]);
  });

  it('takes the base from MIXCOMPOSE_RESOLVER_BASE, then x-mixcompose.resolver.base, then the default', () => {
    const project = { ...stubProject([]), extension: { ...stubProject([]).extension, resolver: { base: 'file/base:1' } } };
    expect(resolverBase(project, { MIXCOMPOSE_RESOLVER_BASE: 'env/base:1' })).toEqual({ base: 'env/base:1', setting: 'MIXCOMPOSE_RESOLVER_BASE' });
    expect(resolverBase(project, {})).toEqual({ base: 'file/base:1', setting: 'x-mixcompose.resolver.base' });
    expect(resolverBase(undefined, {}).base).toBe('alpine:3.20');
  });
});
