/**
 * ensureImages / planImages against fake engines answering with RECORDED Windows Server 2022, LCOW
 * (recorded from Docker's and Microsoft's documentation, see test/fixtures/engine/README.md) and
 * Linux /info responses; the fake engines record what mixcompose sent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDaemons } from '../../../src/engine/connect-daemons.js';
import { buildContextTar, ensureImages, formatBytes, formatPullSummary, planImages, PullProgress } from '../../../src/engine/images.js';
import { readAll } from '../../../src/engine/dockerode-client.js';
import { DaemonError, PlanError } from '../../../src/errors.js';
import type { EngineEvent, StepEvent } from '../../../src/model/events.js';
import type { Service } from '../../../src/model/project.js';
import { startFakeEngine, type FakeEngine, type FakeEngineOptions, type FakeRoute } from '../../support/fake-engine.js';
import { stubProject, stubService } from './project-stub.js';

const NANOSERVER = 'mcr.microsoft.com/windows/nanoserver:ltsc2022';
const WINDOWS_2022 = [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2113' }];
const LINUX_AMD64 = [{ os: 'linux', architecture: 'amd64' }];

const engines: FakeEngine[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const env = () => {
  const d = mkdtempSync(join(tmpdir(), 'images-unit-'));
  dirs.push(d);
  return { DOCKER_CONFIG: d };
};

async function setup(linux: Partial<FakeEngineOptions>, windows: Partial<FakeEngineOptions>, services: Service[]) {
  const l = await startFakeEngine({ daemon: 'linux', ...linux });
  const w = await startFakeEngine({ daemon: 'windows-server-2022', ...windows });
  engines.push(l, w);
  const project = stubProject(services, { linux: { host: l.host }, windows: { host: w.host } }, 'shop');
  const e = env();
  const connected = await connectDaemons(project, { allowOsMismatch: false, env: e, platforms: ['linux', 'windows'] });
  return { l, w, project, e, ...connected };
}

describe('pulls on both daemons', () => {
  it('pulls in parallel, one per daemon at the same time, with a summary per daemon', async () => {
    // Each fake holds its pull until the other daemon's pull has arrived: sequential pulls would hang.
    let arrived = 0;
    let release!: () => void;
    const both = new Promise<void>((resolve) => (release = resolve));
    const gate: FakeRoute = {
      method: 'POST',
      path: /^\/images\/create$/,
      handle: async (req, res) => {
        arrived += 1;
        if (arrived === 2) release();
        await both;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          [
            { status: 'Pulling fs layer', id: 'aaaaaaaaaaaa' },
            { status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 10, total: 40 } },
            { status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 40, total: 40 } },
            { status: 'Pull complete', id: 'aaaaaaaaaaaa' },
            { status: 'Already exists', id: 'bbbbbbbbbbbb' },
          ]
            .map((m) => JSON.stringify(m))
            .join('\r\n') + '\r\n',
        );
        const name = `${req.query.fromImage}:${req.query.tag}`;
        const fake = engines.find((e) => e.requests.includes(req))!;
        fake.images.set(name, { Id: `sha256:${name.length}`, Os: fake === engines[0] ? 'linux' : 'windows' });
      },
    };
    const { l, w, project, clients, facts, e } = await setup(
      { distribution: { 'postgres:16': LINUX_AMD64 }, routes: [gate] },
      { distribution: { [NANOSERVER]: WINDOWS_2022 }, routes: [gate] },
      [stubService('db', 'linux', { image: 'postgres:16' }), stubService('web', 'windows', { image: NANOSERVER })],
    );
    const events: EngineEvent[] = [];
    const result = await ensureImages(project, clients, facts, { env: e }, (ev) => events.push(ev));
    expect(l.find('POST', '/images/create')[0]!.query).toEqual({ fromImage: 'postgres', tag: '16' });
    expect(w.find('POST', '/images/create')[0]!.query).toEqual({ fromImage: 'mcr.microsoft.com/windows/nanoserver', tag: 'ltsc2022' });
    expect(result.summary.map((s) => [s.platform, s.images, s.bytes])).toEqual([
      ['linux', 1, 40],
      ['windows', 1, 40],
    ]);
    expect(result.images.web).toMatchObject({ image: NANOSERVER, platform: 'windows', action: 'pull', id: expect.stringMatching(/^sha256:/) });
    const last = events.filter((ev) => ev.type === 'progress' && ev.platform === 'windows').at(-1);
    expect(last).toMatchObject({ current: 40, total: 40, layersDone: 2, layersTotal: 2 });
    expect(formatPullSummary(result.summary)[1]).toMatch(/^windows \(unix:.*\): 1 image, 40 B in \d+\.\d s$/);
  });

  it('asks an LCOW daemon for platform=linux on pull', async () => {
    // An LCOW daemon pulls the linux variant (the pulled image's OS is checked against the listing).
    const lcow = await startFakeEngine({ daemon: 'windows-lcow', distribution: { 'redis:7': LINUX_AMD64 }, pulledImage: () => ({ Id: 'sha256:redis', Os: 'linux', Size: 1000 }) });
    engines.push(lcow);
    const project = stubProject([stubService('cache', 'linux', { image: 'redis:7' })], { linux: { host: lcow.host } });
    const { clients, facts } = await connectDaemons(project, { allowOsMismatch: false, env: {} });
    await ensureImages(project, clients, facts, { env: env() });
    expect(lcow.find('POST', '/images/create')[0]!.query).toMatchObject({ fromImage: 'redis', tag: '7', platform: 'linux' });
  });

  it('checks every image before any pull: one refused image means nothing is pulled anywhere', async () => {
    const { l, w, project, clients, facts, e } = await setup(
      { distribution: { 'postgres:16': LINUX_AMD64 } },
      { distribution: { 'nginx:1.27': LINUX_AMD64 } },
      [stubService('db', 'linux', { image: 'postgres:16' }), stubService('web', 'windows', { image: 'nginx:1.27' })],
    );
    const error = await ensureImages(project, clients, facts, { env: e }).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as Error).message).toMatch(/^service "web": image nginx:1\.27 is published for linux\/amd64, .*windows daemon windows \(unix:.*\) \(windows 10\.0\.20348\.2113\).*Set `platform: linux\/amd64`/);
    expect(l.find('POST', '/images/create')).toEqual([]);
    expect(w.find('POST', '/images/create')).toEqual([]);
  });

  it('refuses an image too new for the Windows host build', async () => {
    const { w, project, clients, facts, e } = await setup({}, { distribution: { 'app:next': [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.26100.1' }] } }, [
      stubService('web', 'windows', { image: 'app:next' }),
    ]);
    await expect(planImages(project, clients, facts, { env: e })).rejects.toThrow(/runs Windows build 10\.0\.20348\.2113: every windows variant needs a newer build \(10\.0\.26100\.1\)/);
    expect(w.find('POST', '/images/create')).toEqual([]);
  });

  it('warns (recorded Server 2022 daemon: process isolation) about an ltsc2019 image, and still pulls it', async () => {
    const { w, project, clients, facts, e } = await setup({}, { distribution: { 'app:ltsc2019': [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5329' }] } }, [
      stubService('web', 'windows', { image: 'app:ltsc2019' }),
    ]);
    const events: EngineEvent[] = [];
    const result = await ensureImages(project, clients, facts, { env: e }, (ev) => events.push(ev));
    expect(result.warnings.join('\n')).toMatch(/process isolation/);
    expect(events.some((ev) => ev.type === 'warning' && /isolation: hyperv/.test(ev.message))).toBe(true);
    expect(w.find('POST', '/images/create')).toHaveLength(1);
  });

    it('looks an image up once per run when several services share it, and pulls it once', async () => {
    const { l, project, clients, facts, e } = await setup({ distribution: { 'busybox:1.36': LINUX_AMD64 } }, {}, [
      stubService('a', 'linux', { image: 'busybox:1.36' }),
      stubService('b', 'linux', { image: 'busybox:1.36' }),
    ]);
    const result = await ensureImages(project, clients, facts, { env: e });
    expect(l.find('GET', '/distribution/busybox:1.36/json')).toHaveLength(1);
    expect(l.find('POST', '/images/create')).toHaveLength(1);
    expect(result.images.a?.id).toBe(result.images.b?.id);
  });

  it('turns a failed lookup into a warning with --ignore-pull-failures, an error without', async () => {
    const { l, project, clients, facts, e } = await setup({}, {}, [stubService('db', 'linux', { image: 'private/db:1' })]);
    await expect(planImages(project, clients, facts, { env: e })).rejects.toThrow(
      /service "db": cannot look up image private\/db:1 from linux \(unix:.*\): manifest unknown: private\/db:1 \(HTTP 404\)/,
    );
    const events: EngineEvent[] = [];
    const result = await ensureImages(project, clients, facts, { env: e, ignorePullFailures: true }, (ev) => events.push(ev));
    expect(result.warnings).toHaveLength(1);
    expect(events.some((ev) => ev.type === 'warning')).toBe(true);
    expect(l.find('POST', '/images/create')).toEqual([]);
  });

  it('a pull that fails is a warning with --ignore-pull-failures (no image, 0 pulled), else a daemon error naming the operation; the other pulls still run', async () => {
    const refuse: FakeRoute = {
      method: 'POST',
      path: /^\/images\/create$/,
      handle: (req, res) => {
        if (req.query.fromImage !== 'broken') return void res.writeHead(200).end(`${JSON.stringify({ status: 'Status: Image is up to date' })}\r\n`);
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: 'registry unreachable' }));
      },
    };
    const services = [stubService('db', 'linux', { image: 'broken:1' }), stubService('cache', 'linux', { image: 'redis:7' })];
    const { l, project, clients, facts, e } = await setup({ distribution: { 'broken:1': LINUX_AMD64, 'redis:7': LINUX_AMD64 }, images: { 'redis:7': { Id: 'sha256:redis', Os: 'linux' } }, routes: [refuse] }, {}, services);
    const events: EngineEvent[] = [];
    const lenient = await ensureImages(project, clients, facts, { env: e, pull: 'always', pullOnly: true, ignorePullFailures: true }, (ev) => events.push(ev));
    expect(lenient.warnings).toEqual([expect.stringMatching(/^service "db": pull of broken:1 failed: .*registry unreachable/)]);
    expect(Object.keys(lenient.images)).toEqual(['cache']);
    expect(lenient.summary).toEqual([expect.objectContaining({ platform: 'linux', images: 1, bytes: 0 })]);
    expect(l.find('POST', '/images/create')).toHaveLength(2);

    const error = await ensureImages(project, clients, facts, { env: e, pull: 'always', pullOnly: true }).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as Error).message).toMatch(/^daemon linux \(unix:.*\): pull image broken:1 for db \(pull_policy: always\) failed: .*registry unreachable/);
  });

  it('uses a present image without pulling, and refuses a present image of the wrong OS', async () => {
    const { w, project, clients, facts, e } = await setup({}, { images: { [NANOSERVER]: { Id: 'sha256:nano', Os: 'windows', OsVersion: '10.0.20348.2113' }, 'busybox:local': { Id: 'sha256:bb', Os: 'linux' } } }, [
      stubService('web', 'windows', { image: NANOSERVER }),
    ]);
    const result = await ensureImages(project, clients, facts, { env: e });
    expect(result.images.web).toEqual({ image: NANOSERVER, id: 'sha256:nano', platform: 'windows', action: 'skip' });
    expect(w.find('GET', /^\/distribution\//)).toEqual([]);
    const wrong = stubProject([stubService('tool', 'windows', { image: 'busybox:local' })], { windows: { host: w.host } });
    await expect(planImages(wrong, clients, facts, { env: e })).rejects.toThrow(/image busybox:local on the daemon is linux/);
  });
});

async function tarNames(raw: Buffer): Promise<string[]> {
  const names: string[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    names.push(header.name);
    stream.resume();
    stream.on('end', next);
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    Readable.from([raw]).pipe(ex);
  });
  return names.filter((n) => n !== '.').sort();
}

describe('builds', () => {
  const context = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'ctx-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  };
  const buildRoute = (lines: object[]): FakeRoute => ({
    method: 'POST',
    path: /^\/build$/,
    handle: (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(lines.map((l) => JSON.stringify(l)).join('\r\n') + '\r\n');
    },
  });

  it('builds a windows service on the Windows daemon with the classic builder and its options', async () => {
    const dir = context({ Dockerfile: 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n', 'app.exe': 'x', 'notes.md': 'ignored', '.dockerignore': '*.md\n' });
    const { l, w, project, clients, facts, e } = await setup({}, { routes: [buildRoute([{ stream: 'Step 1/1 : FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n' }, { aux: { ID: 'sha256:winbuilt' } }])] }, [
      stubService('web', 'windows', {
        build: { context: dir, args: { VERSION: '1.2', UNSET: null }, target: 'runtime', labels: { team: 'shop' }, cache_from: ['shop-web:cache'], network: 'nat', shm_size: '64m' },
      }),
    ]);
    const events: EngineEvent[] = [];
    const result = await ensureImages(project, clients, facts, { env: e, build: true, noCache: true }, (ev) => events.push(ev));
    expect(result.images.web).toEqual({ image: 'shop-web', id: 'sha256:winbuilt', platform: 'windows', action: 'build' });
    expect(l.find('POST', '/build')).toEqual([]);
    const request = w.find('POST', '/build')[0]!;
    expect(request.query).toEqual({
      t: 'shop-web',
      dockerfile: 'Dockerfile',
      rm: 'true',
      forcerm: 'true',
      version: '1',
      buildargs: '{"VERSION":"1.2"}',
      target: 'runtime',
      labels: '{"team":"shop"}',
      cachefrom: '["shop-web:cache"]',
      networkmode: 'nat',
      shmsize: String(64 * 1024 * 1024),
      nocache: 'true',
    });
    expect(await tarNames(request.raw)).toEqual(['.dockerignore', 'Dockerfile', 'app.exe']);
    expect(events.filter((ev): ev is StepEvent => ev.type === 'step').map((ev) => `${ev.platform}:${ev.action}:${ev.status}`)).toEqual(['windows:build:started', 'windows:build:done']);
    expect(events.find((ev) => ev.type === 'progress')).toMatchObject({ service: 'web', layersDone: 1, layersTotal: 1, text: 'Step 1/1 : FROM mcr.microsoft.com/windows/nanoserver:ltsc2022' });
  });

  it('names service, step and daemon when a build fails', async () => {
    const dir = context({ Dockerfile: 'FROM x\nRUN build.cmd\n' });
    const { project, clients, facts, e } = await setup({}, {
      routes: [
        buildRoute([
          { stream: 'Step 1/2 : FROM x\n' },
          { stream: 'Step 2/2 : RUN build.cmd\n' },
          { errorDetail: { code: 1, message: "The command 'cmd /S /C build.cmd' returned a non-zero code: 1" }, error: "The command 'cmd /S /C build.cmd' returned a non-zero code: 1" },
        ]),
      ],
    }, [stubService('web', 'windows', { build: { context: dir } })]);
    const error = await ensureImages(project, clients, facts, { env: e }).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as Error).message).toMatch(
      /^daemon windows \(unix:.*\): build image shop-web for web \(it has a build: section\) failed: at step 2\/2 \(RUN build\.cmd\): The command 'cmd \/S \/C build\.cmd' returned a non-zero code: 1$/,
    );
  });
});

describe('pull_policy never beside a service that brings the image', () => {
  it('is satisfied when another service pulls the same image on the same daemon (as docker compose)', async () => {
    const { l, project, clients, facts, e } = await setup({ distribution: { 'redis:7': LINUX_AMD64 } }, {}, [
      stubService('replica', 'linux', { image: 'redis:7', pull_policy: 'never' }),
      stubService('primary', 'linux', { image: 'redis:7' }),
    ]);
    const result = await ensureImages(project, clients, facts, { env: e });
    expect(l.find('POST', '/images/create')).toHaveLength(1);
    expect(result.images.replica).toMatchObject({ action: 'skip', image: 'redis:7' });
    expect(result.images.primary).toMatchObject({ action: 'pull', id: expect.stringMatching(/^sha256:/) });
  });

  it('is still refused when nothing brings the image, or only another daemon does', async () => {
    // The same reference pulled by a windows service lands on the windows daemon, not where replica runs.
    const { l, w, project, clients, facts, e } = await setup({}, { distribution: { [NANOSERVER]: WINDOWS_2022 } }, [
      stubService('replica', 'linux', { image: NANOSERVER, pull_policy: 'never' }),
      stubService('other', 'windows', { image: NANOSERVER }),
    ]);
    const error = await ensureImages(project, clients, facts, { env: e }).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as Error).message).toBe(`service "replica": image ${NANOSERVER} is not present and pull_policy is never`);
    expect(w.find('POST', '/images/create')).toEqual([]); // refused before any pull
    expect(l.find('POST', '/images/create')).toEqual([]);
  });
});

describe('pull of an image the daemon already has', () => {
  it('says "image is up to date" instead of "0 layers, 0 B", and counts 0 bytes', async () => {
    const upToDate: FakeRoute = {
      method: 'POST',
      path: /^\/images\/create$/,
      handle: (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          [{ status: 'Pulling from library/redis', id: '7' }, { status: `Digest: sha256:${'e'.repeat(64)}` }, { status: 'Status: Image is up to date for redis:7' }]
            .map((m) => JSON.stringify(m))
            .join('\r\n') + '\r\n',
        );
      },
    };
    const { project, clients, facts, e } = await setup({ distribution: { 'redis:7': LINUX_AMD64 }, routes: [upToDate], images: { 'redis:7': { Id: 'sha256:aa', Os: 'linux' } } }, {}, [
      stubService('cache', 'linux', { image: 'redis:7', pull_policy: 'always' }),
    ]);
    const events: EngineEvent[] = [];
    const result = await ensureImages(project, clients, facts, { env: e }, (ev) => events.push(ev));
    const done = events.find((ev): ev is StepEvent => ev.type === 'step' && ev.id === 'pull:linux:redis:7' && ev.status === 'done');
    expect(done?.message).toBe('image is up to date');
    expect(result.summary[0]).toMatchObject({ images: 1, bytes: 0 });
  });
});

describe('PullProgress', () => {
  it('counts bytes of downloaded layers and every finished layer', () => {
    const p = new PullProgress();
    p.update({ status: 'Pulling from library/busybox', id: 'latest' });
    p.update({ status: 'Already exists', id: '111111111111' });
    p.update({ status: 'Pulling fs layer', id: '222222222222' });
    p.update({ status: 'Downloading', id: '222222222222', progressDetail: { current: 5, total: 100 } });
    expect(p.snapshot()).toEqual({ current: 5, total: 100, layersDone: 1, layersTotal: 2 });
    p.update({ status: 'Download complete', id: '222222222222' });
    p.update({ status: 'Pull complete', id: '222222222222' });
    expect(p.snapshot()).toEqual({ current: 100, total: 100, layersDone: 2, layersTotal: 2 });
  });
});

describe('pull command (pullOnly)', () => {
  it('pulls a buildable service with an image, never builds it, and only warns when it is not in a registry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctx-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM x\n');
    const { l, project, clients, facts, e } = await setup({ distribution: { 'shop/api:1': LINUX_AMD64 } }, {}, [
      stubService('api', 'linux', { image: 'shop/api:1', build: { context: dir } }),
      stubService('worker', 'linux', { image: 'shop/worker:1', build: { context: dir } }),
      stubService('only-built', 'linux', { build: { context: dir } }),
    ]);
    const result = await ensureImages(project, clients, facts, { env: e, pull: 'always', pullOnly: true });
    expect(l.find('POST', '/images/create').map((r) => r.query.fromImage)).toEqual(['shop/api']);
    expect(l.find('POST', '/build')).toEqual([]);
    expect(result.images.api?.action).toBe('pull');
    expect(result.warnings.join('\n')).toMatch(/service "worker": cannot look up image shop\/worker:1/);
    expect(result.images['only-built']?.action).toBe('skip');
  });
});

describe('pull summary events', () => {
  it('emits one summary step per daemon that pulled, for up and JSON consumers', async () => {
    const { project, clients, facts, e } = await setup({ distribution: { 'postgres:16': LINUX_AMD64 } }, {}, [stubService('db', 'linux', { image: 'postgres:16' })]);
    const events: EngineEvent[] = [];
    await ensureImages(project, clients, facts, { env: e }, (ev) => events.push(ev));
    const summaries = events.filter((ev): ev is StepEvent => ev.type === 'step' && ev.resource === 'daemon');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ id: 'pull-summary:linux', platform: 'linux', action: 'pull', status: 'done' });
    expect(summaries[0]!.message).toMatch(/^1 image, 1\.0 kB in \d+\.\d s$/);
  });

  it('counts sizes in powers of 1000, as docker and the progress bars do', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1985574)).toBe('2.0 MB'); // `docker images`: 1.99MB
    expect(formatBytes(3_001_234)).toBe('3.0 MB'); // the bar said 3.0MB/3.0MB, the summary said 2.9 MB
    expect(formatBytes(1_200_000_000)).toBe('1.2 GB');
  });
});

describe('buildContextTar', () => {
  const tree = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'ctx-tree-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
    return dir;
  };
  const names = async (stream: Readable) => tarNames(await readAll(stream));

  it('honours .dockerignore with ! exceptions inside ignored directories, and always sends the Dockerfile', async () => {
    const dir = tree({
      Dockerfile: 'FROM x\n',
      '.dockerignore': 'docs\n!docs/keep.md\nDockerfile\n**/*.tmp\n',
      'docs/a.md': 'a',
      'docs/keep.md': 'k',
      'src/main.c': 'int main;',
      'src/cache.tmp': 't',
    });
    const entries = await names(await buildContextTar(dir, 'Dockerfile'));
    expect(entries).toContain('Dockerfile');
    expect(entries).toContain('docs/keep.md');
    expect(entries).toContain('src/main.c');
    expect(entries).not.toContain('docs/a.md');
    expect(entries).not.toContain('src/cache.tmp');
  });

  it("reads <Dockerfile>.dockerignore first (BuildKit's rule) and adds an inline Dockerfile", async () => {
    const dir = tree({ 'app.Dockerfile': 'FROM x\n', 'app.Dockerfile.dockerignore': 'secret\n', '.dockerignore': '', secret: 's', keep: 'k' });
    expect(await names(await buildContextTar(dir, 'app.Dockerfile'))).toEqual(['.dockerignore', 'app.Dockerfile', 'app.Dockerfile.dockerignore', 'keep']);
    const inline = await names(await buildContextTar(dir, 'app.Dockerfile', { name: '.mixcompose.inline.Dockerfile', content: 'FROM y\n' }));
    expect(inline).toContain('.mixcompose.inline.Dockerfile');
  });
});
