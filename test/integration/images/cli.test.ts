/**
 * The `pull`, `build` and `images` commands end to end on the rig (spawning dist/cli/main.js; the
 * test script builds it first).
 */
import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  rigDocker,
  rigEnv,
  uniqueProjectName,
} from '../../support/rig.js';

const run = promisify(execFile);
const dirs: string[] = [];
const cleanup: Array<() => Promise<unknown>> = [];

async function cli(dir: string, args: string[], env: Readonly<Record<string, string | undefined>> = {}) {
  try {
    const { stdout, stderr } = await run('node', [MIXCOMPOSE_BIN, ...args], { cwd: dir, env: rigEnv({ DOCKER_CONFIG: dir, ...env }) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function projectDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-images-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

beforeAll(() => {
  assertRigUp();
  if (!existsSync(MIXCOMPOSE_BIN)) throw new Error(`${MIXCOMPOSE_BIN} is missing: run \`npm run build\` first`);
});
afterAll(async () => {
  for (const c of cleanup) await c().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('mixcompose pull / build / images', () => {
  it('pulls, builds on the windows daemon, and lists both daemons\' images with sizes', async () => {
    const name = uniqueProjectName('cli-images');
    const payload = PAYLOAD_IMAGES[1]!;
    await rigDocker('linux').getImage(payload).remove({ force: true }).catch(() => undefined);
    const dir = projectDir({
      'compose.yaml': `name: ${name}\nservices:\n  data:\n    image: ${payload}\n    platform: linux\n  web:\n    build: .\n    platform: windows\n`,
      Dockerfile: `FROM ${BUSYBOX_IMAGE}\nCOPY . /ctx/\n`,
      'keep.txt': 'x',
    });
    cleanup.push(() => rigDocker('windows').getImage(`${name}-web`).remove({ force: true }));

    const pull = await cli(dir, ['--progress', 'plain', 'pull']);
    expect(pull.code).toBe(0);
    expect(pull.stderr).toMatch(new RegExp(`pulled on linux \\(${LINUX_HOST.replace(/[/.]/g, '\\$&')}\\): 1 image, [\\d.]+ (B|kB|MB) in [\\d.]+ s`)); // layers another run pulled at the same moment count 0 B
    expect(pull.stderr).toContain('Skipped: built, not pulled');

    const build = await cli(dir, ['--progress', 'plain', 'build']);
    expect(build.code).toBe(0);
    expect(build.stderr).toMatch(/built web: .*-web \(sha256:[0-9a-f]{64}\) on windows/);
    expect(build.stderr).toContain(`Build web  Step 1/2 : FROM ${BUSYBOX_IMAGE}`);

    const images = await cli(dir, ['images', '--format', 'json']);
    expect(images.code).toBe(0);
    const rows = JSON.parse(images.stdout) as Array<{ service: string; platform: string; id?: string; size?: number }>;
    expect(rows.map((r) => [r.service, r.platform])).toEqual([
      ['data', 'linux'],
      ['web', 'windows'],
    ]);
    expect(rows.every((r) => r.id?.startsWith('sha256:') && (r.size ?? 0) > 0)).toBe(true);
    const table = await cli(dir, ['images']);
    expect(table.stdout.split('\n')[0]).toMatch(/^SERVICE\s+PLATFORM\s+IMAGE\s+ID\s+SIZE\s+DAEMON$/);
  });

  it('refuses to pull a windows image for a linux service, exit 1, naming the image OS', async () => {
    await rigDocker('linux').getImage(FAKE_WINDOWS_IMAGE).remove({ force: true }).catch(() => undefined);
    const dir = projectDir({ 'compose.yaml': `name: ${uniqueProjectName('cli-refuse')}\nservices:\n  api:\n    image: ${FAKE_WINDOWS_IMAGE}\n    platform: linux\n` });
    const result = await cli(dir, ['--progress', 'plain', 'pull']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: service "api": image .*fake-windows:latest is published for windows\/amd64 \(10\.0\.20348\.1\)/);
    expect(result.stderr).not.toContain('Pulling');
  });

  it('refuses unknown service names in pull, build and images (exit 1, as stop/up), hinting at disabled profiles', async () => {
    const dir = projectDir({
      'compose.yaml': `name: ${uniqueProjectName('cli-names')}\nservices:\n  db:\n    image: ${BUSYBOX_IMAGE}\n  extra:\n    image: ${BUSYBOX_IMAGE}\n    profiles: [extra]\n`,
    });
    for (const command of ['pull', 'build', 'images']) {
      const result = await cli(dir, [command, 'nosuch', 'extra']);
      expect(result.code, command).toBe(1);
      expect(result.stderr, command).toContain('error: no such service: nosuch, extra (its profile is not enabled)');
      expect(result.stdout, command).toBe('');
    }
  });

  it('fails a build naming service, step and daemon, exit 3 (daemon error)', async () => {
    const name = uniqueProjectName('cli-broken');
    const dir = projectDir({
      'compose.yaml': `name: ${name}\nservices:\n  broken:\n    build: .\n    platform: linux\n`,
      Dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN exit 7\n`,
    });
    const result = await cli(dir, ['--progress', 'plain', 'build']);
    expect(result.code).toBe(3);
    // As `up` says a failed build of its plan: the operation, where the build stopped, how to continue.
    expect(result.stderr).toContain(`error: daemon linux (${LINUX_HOST}): build: build image ${name}-broken for broken (--build) failed: at step 2/2 (RUN exit 7)`);
    expect(result.stderr).toMatch(/to continue: mixcompose .*build$/m);
  });
});

describe('mixcompose and its daemons', () => {
  it('exits soon after "no answer" from a daemon that accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const host = `tcp://127.0.0.1:${(silent.address() as { port: number }).port}`;
      const dir = projectDir({ 'compose.yaml': `name: ${uniqueProjectName('cli-silent')}\nservices:\n  db:\n    image: ${BUSYBOX_IMAGE}\n` });
      const started = Date.now();
      // Before the fix the process stayed alive on the open socket until killed (execFile's timeout).
      const result = await Promise.race([
        cli(dir, ['ps'], { MIXCOMPOSE_LINUX_HOST: host, MIXCOMPOSE_CONNECT_TIMEOUT: '1' }),
        new Promise<{ code: string }>((resolve) => setTimeout(() => resolve({ code: 'still running after 15 s' }), 15_000)),
      ]);
      expect(result.code).toBe(3);
      expect((result as { stderr: string }).stderr).toContain(`daemon linux (${host})`);
      expect((result as { stderr: string }).stderr).toContain('no answer to /version and /info within 1 s');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  }, 30_000);

  it('does not need the windows daemon for a stack whose windows services are all in disabled profiles', async () => {
    const dir = projectDir({
      'compose.yaml': `name: ${uniqueProjectName('cli-profiles')}\nservices:\n  db:\n    image: ${BUSYBOX_IMAGE}\n  win:\n    image: ${BUSYBOX_IMAGE}\n    platform: windows\n    profiles: [win]\n`,
    });
    const result = await cli(dir, ['images'], { MIXCOMPOSE_WINDOWS_HOST: 'unix:///nonexistent/mixcompose-windows.sock' });
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^db\s+linux\s/m);
    // With the profile enabled the windows daemon is required again.
    const enabled = await cli(dir, ['--profile', 'win', 'images'], { MIXCOMPOSE_WINDOWS_HOST: 'unix:///nonexistent/mixcompose-windows.sock' });
    expect(enabled.code).toBe(3);
    expect(enabled.stderr).toContain('daemon windows (unix:///nonexistent/mixcompose-windows.sock)');
  });
});
