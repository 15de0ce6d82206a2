/**
 * The attached-up flags pipelines use, on the rig across both daemons: --exit-code-from (a test
 * container on one daemon, its dependency on the other), --abort-on-container-failure, --attach /
 * --no-attach with --timestamps, --scale, and what a failing `up --wait` says.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRigUp, removeProjectLeftovers, rigDocker, runMixcompose, uniqueProjectName } from '../../support/rig.js';

const names: string[] = [];
let dir: string;

/** Writes a compose file for a fresh project and returns a runner for it. */
function stack(prefix: string, services: string): (...args: string[]) => ReturnType<typeof runMixcompose> {
  const name = uniqueProjectName(prefix);
  names.push(name);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nservices:\n${services}`);
  return (...args: string[]) => runMixcompose(['-f', file, '--progress', 'plain', ...args]);
}

const db = `  db:
    platform: linux
    image: mixcompose-test/busybox:latest
    init: true
    command: ["sh", "-c", "echo db-ready; exec sleep 3600"]
`;
const tests = (exit: number) => `  tests:
    platform: windows
    image: mixcompose-test/busybox:latest
    depends_on: [db]
    command: ["sh", "-c", "echo testing; exit ${exit}"]
`;

describe('attached up for pipelines', () => {
  beforeAll(() => {
    assertRigUp();
    dir = mkdtempSync(join(tmpdir(), 'mixcompose-up-attach-'));
  });
  afterAll(async () => {
    for (const name of names) await removeProjectLeftovers(name);
  });

  it("--exit-code-from: the test container's code (windows daemon) becomes mixcompose's; the stack (linux daemon) is stopped", async () => {
    const mc = stack('exit-code-from', db + tests(42));
    const r = await mc('up', '--exit-code-from', 'tests');
    expect(r.exitCode, r.stderr).toBe(42);
    expect(r.stdout).toMatch(/tests-1 +\| testing/);
    expect(r.stderr).toMatch(/Aborting on container exit: \S+-tests-1 exited with code 42/);
    const dbs = await rigDocker('linux').listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${names.at(-1)}`, 'com.docker.compose.service=db'] }) });
    expect(dbs.map((c) => c.State)).toEqual(['exited']);
  });

  it('--exit-code-from with a passing test ends 0; --abort-on-container-failure ends with the failing code', async () => {
    const passing = stack('exit-code-zero', db + tests(0));
    expect((await passing('up', '--exit-code-from', 'tests')).exitCode).toBe(0);
    const failing = stack('abort-failure', db + tests(3));
    const r = await failing('up', '--abort-on-container-failure');
    expect(r.exitCode, r.stderr).toBe(3);
  });

  it('--no-attach db hides its lines; --attach tests --timestamps shows only tests, stamped', async () => {
    const mc = stack('attach', db + tests(0));
    const hidden = await mc('up', '--no-attach', 'db', '--exit-code-from', 'tests');
    expect(hidden.exitCode, hidden.stderr).toBe(0);
    expect(hidden.stdout).toContain('testing');
    expect(hidden.stdout).not.toContain('db-ready');
    const only = await mc('up', '--attach', 'tests', '--timestamps', '--exit-code-from', 'tests');
    expect(only.stdout).toMatch(/tests-1 +\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z testing/);
    expect(only.stdout).not.toContain('db-ready');
  });

  it('--scale db=2 runs two replicas on the service daemon; a bad --scale is a usage error', async () => {
    const mc = stack('scale', db);
    const r = await mc('up', '-d', '--scale', 'db=2');
    expect(r.exitCode, r.stderr).toBe(0);
    const running = await rigDocker('linux').listContainers({ filters: JSON.stringify({ label: [`com.docker.compose.project=${names.at(-1)}`, 'com.docker.compose.service=db'] }) });
    expect(running.length).toBe(2);
    expect((await mc('up', '-d', '--scale', 'db')).exitCode).toBe(2);
    expect((await mc('up', '--exit-code-from', 'nosuch')).exitCode).toBe(2);
  });

  it('up --wait failing names the service, its state and its last log lines (exit 4)', async () => {
    const mc = stack(
      'wait-fails',
      `  sick:
    platform: windows
    image: mixcompose-test/busybox:latest
    init: true
    command: ["sh", "-c", "echo boot-line-1; echo boot-line-2; exec sleep 3600"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 1
`,
    );
    const r = await mc('up', '-d', '--wait', '--wait-timeout', '60');
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/service sick \(\S+-sick-1\) is unhealthy/);
    expect(r.stderr).toMatch(/\S+-sick-1 on windows \(unix:\S+\): running \(unhealthy\); last log lines:\n {2}\| boot-line-1\n {2}\| boot-line-2/);
  });
});
