/**
 * Images on the rig: pulls from the loopback registry with progress and a per-daemon summary, the
 * platform check before any pull (an image whose config says windows for a linux service, and the
 * reverse on the Windows stand-in, judged by the declared platform), and builds on the right daemon.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDaemons, type ConnectedDaemons } from '../../../src/engine/connect-daemons.js';
import { ensureImages, planImages } from '../../../src/engine/images.js';
import { DaemonError, PlanError } from '../../../src/errors.js';
import type { EngineEvent, ProgressEvent, StepEvent } from '../../../src/model/events.js';
import type { Project, Service } from '../../../src/model/project.js';
import {
  assertRigUp,
  BUSYBOX_IMAGE,
  FAKE_WINDOWS_IMAGE,
  LINUX_HOST,
  PAYLOAD_IMAGES,
  REGISTRY_BUSYBOX_IMAGE,
  rigDocker,
  runScript,
  uniqueProjectName,
  WINDOWS_HOST,
} from '../../support/rig.js';
import { stubProject, stubService } from '../../unit/engine/project-stub.js';

const env = { DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'images-docker-config-')) };
const project = (services: Service[], name = uniqueProjectName('images')): Project =>
  stubProject(services, { linux: { host: LINUX_HOST }, windows: { host: WINDOWS_HOST } }, name);

async function connect(p: Project): Promise<ConnectedDaemons> {
  return connectDaemons(p, { allowOsMismatch: true, env, platforms: ['linux', 'windows'] });
}

async function removeImage(daemon: 'linux' | 'windows', image: string) {
  await rigDocker(daemon)
    .getImage(image)
    .remove({ force: true })
    .catch(() => undefined);
}

async function hasImage(daemon: 'linux' | 'windows', image: string): Promise<boolean> {
  return rigDocker(daemon)
    .getImage(image)
    .inspect()
    .then(() => true)
    .catch(() => false);
}

const tempDirs: string[] = [];
const builtImages: Array<['linux' | 'windows', string]> = [];

beforeAll(() => assertRigUp());
afterAll(async () => {
  for (const [daemon, image] of builtImages) await removeImage(daemon, image);
  for (const dir of [...tempDirs, env.DOCKER_CONFIG]) rmSync(dir, { recursive: true, force: true });
});

describe('pull from the loopback registry', () => {
  it('pulls with per-image progress (bytes, layers) and a per-daemon summary', async () => {
    const payload = PAYLOAD_IMAGES[0]!;
    await removeImage('linux', payload);
    await removeImage('linux', REGISTRY_BUSYBOX_IMAGE);
    const p = project([stubService('data', 'linux', { image: payload }), stubService('tools', 'linux', { image: REGISTRY_BUSYBOX_IMAGE })]);
    const { clients, facts } = await connect(p);
    const events: EngineEvent[] = [];
    const result = await ensureImages(p, clients, facts, { env }, (e) => events.push(e));

    const steps = events.filter((e): e is StepEvent => e.type === 'step' && e.action === 'pull');
    for (const image of [payload, REGISTRY_BUSYBOX_IMAGE]) {
      expect(steps.filter((s) => s.name === image).map((s) => s.status)).toEqual(['started', 'done']);
    }
    const progress = events.filter((e): e is ProgressEvent => e.type === 'progress' && e.name === payload);
    expect(progress.length).toBeGreaterThan(1);
    const last = progress.at(-1)!;
    // busybox's layer is already there; the payload layer (8 MiB of random bytes) is downloaded.
    expect(last).toMatchObject({ platform: 'linux', layersTotal: 2, layersDone: 2 });
    expect(last.current).toBe(last.total);
    expect(last.total).toBeGreaterThan(8_000_000);
    expect(progress.some((e) => e.current < e.total)).toBe(true);

    expect(result.summary).toHaveLength(1);
    expect(result.summary[0]).toMatchObject({ platform: 'linux', daemon: `linux (${LINUX_HOST})`, images: 2 });
    expect(result.summary[0]!.bytes).toBe(last.total);
    expect(result.summary[0]!.seconds).toBeGreaterThan(0);

    const inspected = await rigDocker('linux').getImage(payload).inspect();
    expect(result.images.data).toEqual({ image: payload, id: inspected.Id, platform: 'linux', action: 'pull' });

    // Second run: present, so nothing is pulled (pull_policy missing).
    const again = await ensureImages(p, clients, facts, { env });
    expect(again.summary).toEqual([]);
    expect(again.images.data).toMatchObject({ action: 'skip', id: inspected.Id });
  });
});

describe('platform check before any byte moves', () => {
  it('refuses an image whose config says windows for a linux service, pulling nothing', async () => {
    await removeImage('linux', FAKE_WINDOWS_IMAGE);
    const p = project([stubService('api', 'linux', { image: FAKE_WINDOWS_IMAGE })]);
    const { clients, facts } = await connect(p);
    const error = await planImages(p, clients, facts, { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toContain('service "api"');
    expect(message).toContain(FAKE_WINDOWS_IMAGE);
    expect(message).toContain('windows/amd64 (10.0.20348.1)');
    expect(message).toContain(`linux daemon linux (${LINUX_HOST})`);
    expect(message).toContain('`platform: windows/amd64`');
    // ensureImages (plan, then execute) refuses the same way, and nothing reached the daemon.
    await expect(ensureImages(p, clients, facts, { env })).rejects.toThrow(/no linux variant/);
    expect(await hasImage('linux', FAKE_WINDOWS_IMAGE)).toBe(false);
  });

  it('refuses a linux image for a windows service on the stand-in (declared platform decides)', async () => {
    await removeImage('windows', REGISTRY_BUSYBOX_IMAGE);
    const p = project([stubService('web', 'windows', { image: REGISTRY_BUSYBOX_IMAGE })]);
    const { clients, facts } = await connect(p);
    const error = await ensureImages(p, clients, facts, { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toContain('service "web"');
    expect(message).toMatch(/is published for linux\/amd64/);
    expect(message).toContain(`windows daemon windows (${WINDOWS_HOST})`);
    expect(message).toContain('`platform: linux/amd64`');
    expect(await hasImage('windows', REGISTRY_BUSYBOX_IMAGE)).toBe(false);
  });

  it('with --allow-os-mismatch, checks a stand-in daemon against its own OS: linux images pass, windows images do not', async () => {
    await removeImage('windows', REGISTRY_BUSYBOX_IMAGE);
    await removeImage('windows', FAKE_WINDOWS_IMAGE);
    const ok = project([stubService('web', 'windows', { image: REGISTRY_BUSYBOX_IMAGE })]);
    const { clients, facts } = await connect(ok);
    const result = await ensureImages(ok, clients, facts, { env, allowOsMismatch: true });
    expect(result.images.web).toMatchObject({ action: 'pull', platform: 'windows' });
    expect(await hasImage('windows', REGISTRY_BUSYBOX_IMAGE)).toBe(true);

    const refused = project([stubService('web', 'windows', { image: FAKE_WINDOWS_IMAGE })]);
    await expect(ensureImages(refused, clients, facts, { env, allowOsMismatch: true })).rejects.toThrow(
      /service "web": image .*fake-windows:latest is published for windows\/amd64 \(10\.0\.20348\.1\).*there is no linux variant/,
    );
    expect(await hasImage('windows', FAKE_WINDOWS_IMAGE)).toBe(false);
    await removeImage('windows', REGISTRY_BUSYBOX_IMAGE);
  });

  it('refuses a local image of the wrong OS the same way', async () => {
    // mixcompose-test/busybox is local on the stand-in and says os linux.
    const p = project([stubService('web', 'windows', { image: BUSYBOX_IMAGE })]);
    const { clients, facts } = await connect(p);
    await expect(planImages(p, clients, facts, { env })).rejects.toThrow(/service "web": image mixcompose-test\/busybox:latest on the daemon is linux\/amd64/);
  });
});

describe('build on the right daemon', () => {
  const context = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'build-context-'));
    tempDirs.push(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  };

  it('builds a windows service on the windows daemon with .dockerignore honoured', async () => {
    const dir = context({
      Dockerfile: `FROM ${BUSYBOX_IMAGE}\nCOPY . /ctx/\nRUN ls -a /ctx > /listing\n`,
      'keep.txt': 'kept',
      'secret.txt': 'must not be sent',
      '.dockerignore': 'secret.txt\n',
    });
    const name = uniqueProjectName('build');
    const p = project([stubService('app', 'windows', { build: { context: dir } })], name);
    const image = `${name}-app`;
    builtImages.push(['windows', image]);
    const { clients, facts } = await connect(p);
    const events: EngineEvent[] = [];
    const result = await ensureImages(p, clients, facts, { env, build: true }, (e) => events.push(e));

    expect(result.images.app).toMatchObject({ image, platform: 'windows', action: 'build' });
    expect(result.images.app!.id).toMatch(/^sha256:/);
    expect(await hasImage('windows', image)).toBe(true);
    expect(await hasImage('linux', image)).toBe(false);
    const output = events.filter((e): e is ProgressEvent => e.type === 'progress').map((e) => e.text);
    expect(output).toContain(`Step 1/3 : FROM ${BUSYBOX_IMAGE}`);
    expect(events.filter((e): e is StepEvent => e.type === 'step').map((e) => `${e.action}:${e.status}`)).toEqual(['build:started', 'build:done']);

    const run = await runScript(rigDocker('windows'), 'cat /listing; cat /ctx/keep.txt', { image });
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain('keep.txt');
    expect(run.output).toContain('Dockerfile');
    expect(run.output).not.toContain('secret.txt');
    expect(run.output).toContain('kept');
  });

  it('builds with BuildKit when asked (DOCKER_BUILDKIT=1), .dockerignore still honoured, steps named on failure', async () => {
    // The rig's daemons run with --bridge none, so BuildKit RUN steps need `network: none`.
    const dir = context({
      Dockerfile: `FROM ${BUSYBOX_IMAGE}\nCOPY . /ctx/\nRUN ls -a /ctx > /listing\n`,
      'keep.txt': 'kept',
      'notes.log': 'ignored',
      '.dockerignore': '*.log\n',
    });
    const name = uniqueProjectName('buildkit');
    const p = project([stubService('app', 'linux', { build: { context: dir, network: 'none' } })], name);
    builtImages.push(['linux', `${name}-app`]);
    const { clients, facts } = await connect(p);
    const events: EngineEvent[] = [];
    const buildKitEnv = { ...env, DOCKER_BUILDKIT: '1' };
    const result = await ensureImages(p, clients, facts, { env: buildKitEnv }, (e) => events.push(e));
    expect(result.images.app).toMatchObject({ action: 'build', id: expect.stringMatching(/^sha256:/) });
    // The build is an operation of the plan: its step says the builder when it is done.
    expect(events.find((e): e is StepEvent => e.type === 'step' && e.action === 'build' && e.status === 'done')?.message).toContain('(BuildKit)');
    const run = await runScript(rigDocker('linux'), 'cat /listing', { image: `${name}-app` });
    expect(run.output).toContain('keep.txt');
    expect(run.output).not.toContain('notes.log');

    const broken = context({ Dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN exit 5\n` });
    const q = project([stubService('bad', 'linux', { build: { context: broken, network: 'none' } })]);
    await expect(ensureImages(q, clients, facts, { env: buildKitEnv })).rejects.toThrow(
      new RegExp(`daemon linux \\(${LINUX_HOST.replace(/[/.]/g, '\\$&')}\\): build image \\S+-bad for bad \\(it has a build: section\\) failed: at step 2/2 \\(RUN exit 5\\)`),
    );
  });

  it('names the service, the step and the daemon when a build fails', async () => {
    const dir = context({ Dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN echo building\nRUN exit 3\n` });
    const name = uniqueProjectName('broken');
    const p = project([stubService('broken', 'linux', { build: { context: dir } })], name);
    const { clients, facts } = await connect(p);
    const error = await ensureImages(p, clients, facts, { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    const message = (error as Error).message;
    expect(message).toContain(`daemon linux (${LINUX_HOST})`);
    expect(message).toContain(`build image ${name}-broken for broken (it has a build: section) failed: at step 3/3 (RUN exit 3)`);
    expect(message).toMatch(/returned a non-zero code: 3/);
    expect(await hasImage('linux', `${name}-broken`)).toBe(false);
  });
});
