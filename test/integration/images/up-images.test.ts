/**
 * Pulls and builds of `up` on the rig, as operations of its plan: images pulled from the loopback
 * registry with progress events (--progress json), `plan` listing the pull, a Windows image refused
 * for the Linux daemon while planning (nothing pulled, nothing created), and a failing build that
 * stops what needs its image.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertRigUp,
  BUSYBOX_IMAGE,
  FAKE_WINDOWS_IMAGE,
  LINUX_HOST,
  MIXCOMPOSE_BIN,
  PAYLOAD_IMAGES,
  removeProjectLeftovers,
  rigDocker,
  rigEnv,
  uniqueProjectName,
} from '../../support/rig.js';

const run = promisify(execFile);
const dirs: string[] = [];
const projects: string[] = [];

async function cli(dir: string, args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [MIXCOMPOSE_BIN, ...args], { cwd: dir, env: rigEnv({ DOCKER_CONFIG: dir }) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function projectDir(name: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'up-images-'));
  dirs.push(dir);
  projects.push(name);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

async function projectContainers(name: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`com.docker.compose.project=${name}`] });
  const lists = await Promise.all((['linux', 'windows'] as const).map((d) => rigDocker(d).listContainers({ all: true, filters })));
  return lists.flat().map((c) => c.Names[0]!);
}

beforeAll(() => {
  assertRigUp();
  if (!existsSync(MIXCOMPOSE_BIN)) throw new Error(`${MIXCOMPOSE_BIN} is missing: run \`npm run build\` first`);
});
afterAll(async () => {
  for (const p of projects) await removeProjectLeftovers(p);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('up: image step', () => {
  it('pulls a missing image from the registry with progress events, then starts the service', async () => {
    const name = uniqueProjectName('up-pull');
    const payload = PAYLOAD_IMAGES[2]!;
    await rigDocker('linux').getImage(payload).remove({ force: true }).catch(() => undefined);
    const dir = projectDir(name, {
      'compose.yaml': `name: ${name}\nservices:\n  data:\n    image: ${payload}\n    platform: linux\n    command: ["sleep", "300"]\n`,
    });
    const up = await cli(dir, ['--progress', 'json', 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const events = up.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; name?: string; action?: string; status?: string; total?: number; current?: number; layersDone?: number; layersTotal?: number });
    const pullSteps = events.filter((e) => e.type === 'step' && e.action === 'pull' && e.name === payload).map((e) => e.status);
    expect(pullSteps).toEqual(['started', 'done']);
    const last = events.filter((e) => e.type === 'progress' && e.name === payload).at(-1)!;
    expect(last.total).toBeGreaterThan(8_000_000);
    expect(last).toMatchObject({ current: last.total, layersDone: last.layersTotal });
    expect(await projectContainers(name)).toEqual([`/${name}-data-1`]);
    expect((await cli(dir, ['down', '-t', '0'])).code).toBe(0);
  });

  it('a failing build names service, step and daemon; what needs its image is not created, and the report says how to continue', async () => {
    const name = uniqueProjectName('up-broken');
    const dir = projectDir(name, {
      'compose.yaml': `name: ${name}\nservices:\n  db:\n    image: ${BUSYBOX_IMAGE}\n    platform: linux\n    command: ["sleep", "300"]\n  web:\n    build: .\n    platform: windows\n    depends_on: [db]\n  api:\n    build: ./api\n    platform: linux\n`,
      Dockerfile: `FROM ${BUSYBOX_IMAGE}\n`,
    });
    const api = join(dir, 'api');
    mkdirSync(api);
    writeFileSync(join(api, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nRUN echo compiling\nRUN exit 9\n`);
    const up = await cli(dir, ['--progress', 'plain', 'up', '-d']);
    expect(up.code).toBe(3);
    // The build is an operation of the plan: it runs beside what does not need its image, and its
    // failure stops everything not yet begun, as any failed operation does.
    expect(up.stderr).toContain(`error: daemon linux (${LINUX_HOST}): up: build image ${name}-api for api (it has a build: section) failed: at step 3/3 (RUN exit 9): `);
    expect(up.stderr).toMatch(/returned a non-zero code: 9/);
    expect(up.stderr).toMatch(new RegExp(`not done: .*create container ${name}-api-1`));
    expect(up.stderr).toContain(`to continue: mixcompose`);
    expect((await projectContainers(name)).filter((c) => c.includes('-api-'))).toEqual([]);
    expect((await cli(dir, ['down', '-t', '0'])).code).toBe(0);
    await rigDocker('windows').getImage(`${name}-web`).remove({ force: true }).catch(() => undefined);
  });

  it('plans the pull (plan lists it), and refuses a Windows image for the Linux daemon while planning: nothing pulled, nothing created', async () => {
    const name = uniqueProjectName('up-plan-pull');
    const payload = PAYLOAD_IMAGES[2]!;
    await rigDocker('linux').getImage(payload).remove({ force: true }).catch(() => undefined);
    await rigDocker('linux').getImage(FAKE_WINDOWS_IMAGE).remove({ force: true }).catch(() => undefined);
    const dir = projectDir(name, {
      'compose.yaml': `name: ${name}\nservices:\n  data:\n    image: ${payload}\n    platform: linux\n    command: ["sleep", "300"]\n`,
    });
    const plan = await cli(dir, ['plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(new RegExp(`\\[linux\\] pull image ${payload.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} for data \\(image not present\\)`));
    expect(plan.stdout).toMatch(/create container .*-data-1 \(new\)\s+after .*\d/);

    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${name}\nservices:\n  data:\n    image: ${payload}\n    platform: linux\n  api:\n    image: ${FAKE_WINDOWS_IMAGE}\n    platform: linux\n`,
    );
    for (const args of [['up', '--dry-run'], ['--progress', 'plain', 'up', '-d']]) {
      const refused = await cli(dir, args);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toMatch(/error: service "api": image .*fake-windows:latest is published for windows\/amd64/);
      expect(refused.stderr).not.toContain('Pulling');
    }
    expect(await rigDocker('linux').getImage(payload).inspect().catch(() => undefined)).toBeUndefined();
    expect(await rigDocker('linux').getImage(FAKE_WINDOWS_IMAGE).inspect().catch(() => undefined)).toBeUndefined();
    expect(await projectContainers(name)).toEqual([]);
  });
});
