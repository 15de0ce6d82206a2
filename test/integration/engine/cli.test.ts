/**
 * The engine commands through the built CLI on the rig: up -d, plan, ps (table, json, -q,
 * --services, -a), logs (merged, prefixed, -t, --tail), stop/start/restart, up --dry-run, down.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { FAKE_WINDOWS_IMAGE, MIXCOMPOSE_BIN, assertRigUp, pollUntil, removeProjectLeftovers, rigEnv, runMixcompose, uniqueProjectName } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';

const name = uniqueProjectName('cli');
const yaml = dbWebYaml({
  name,
  db: { command: 'echo db-line-1; echo db-line-2; exec sleep 3600' },
  web: { lines: ['environment:', '  DB: "{{ db.ip }}"'], dependsOn: ['db'], command: 'echo web-sees-$$DB; exec sleep 3600' },
});

describe('engine commands through the CLI', () => {
  let dir: string;
  const mc = (...args: string[]) => runMixcompose(['-f', join(dir, 'compose.yaml'), '--progress', 'plain', ...args]);
  beforeAll(() => {
    assertRigUp();
    dir = mkdtempSync(join(tmpdir(), 'mixcompose-cli-'));
    writeFileSync(join(dir, 'compose.yaml'), yaml);
  });
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('up --dry-run prints the plan and changes nothing', async () => {
    const r = await mc('up', '--dry-run');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`up project ${name}: windows → windows daemon, linux → linux daemon`);
    expect(r.stdout).toContain(`create container ${name}-web-1 (new) with`);
    const ps = await mc('ps', '-a', '-q');
    expect(ps.stdout.trim()).toBe('');
  });

  it('up -d brings the stack up; a second up is a no-op', async () => {
    const r = await mc('up', '-d');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[windows\] Container .*-web-1 +Started/);
    const plan = await mc('plan');
    expect(plan.stdout).toContain('nothing to do');
  });

  it('ps lists both daemons in table and json form', async () => {
    const table = await mc('ps');
    expect(table.stdout).toMatch(new RegExp(`${name}-db-1 +db +linux +linux \\(unix://.*linux.sock\\) +running`));
    expect(table.stdout).toMatch(new RegExp(`${name}-web-1 +web +windows +windows \\(unix://.*windows.sock\\) +running`));
    const json = JSON.parse((await mc('ps', '--format', 'json')).stdout) as { service: string; platform: string; ips: Record<string, string> }[];
    expect(json.map((r) => `${r.service}/${r.platform}`)).toEqual(['db/linux', 'web/windows']);
    expect(Object.values(json[1]!.ips)[0]).toMatch(/^10\.202\./);
    expect((await mc('ps', '--services')).stdout.trim()).toBe('db\nweb');
    const quiet = await mc('ps', '-q');
    expect(quiet.stdout.trim().split('\n'), quiet.stderr).toHaveLength(2);
  });

  it('logs are merged from both daemons, prefixed per container', async () => {
    const logs = await pollUntil('all log lines', async () => {
      const r = await mc('logs');
      return r.stdout.includes('web-sees-10.201.') && r.stdout.includes('db-line-2') ? r.stdout : undefined;
    });
    const lines = logs.trim().split('\n');
    // The | column is as wide as the longest name (web-1): db-1's lines are padded by one.
    expect(lines.indexOf(`${name}-db-1  | db-line-1`), logs).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf(`${name}-db-1  | db-line-1`)).toBeLessThan(lines.indexOf(`${name}-db-1  | db-line-2`));
    expect(lines.findIndex((l) => l.includes('db-line-2'))).toBeLessThan(lines.findIndex((l) => l.includes('web-sees-')));
    const tail = await mc('logs', '--tail', '1', '-t', 'db');
    expect(tail.stdout.trim(), tail.stderr).toMatch(new RegExp(`^${name}-db-1 \\| \\d{4}-\\d\\d-\\d\\dT[^ ]+ db-line-2$`));
  });

  it('logs -f ends promptly on Ctrl-C (SIGINT), exit 0 (Q6)', async () => {
    const child = execa('node', [MIXCOMPOSE_BIN, '-f', join(dir, 'compose.yaml'), 'logs', '-f'], { env: rigEnv(), extendEnv: false, reject: false, stdin: 'ignore', timeout: 30_000 });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await pollUntil('the followed log to show db-line-2', async () => out.includes('db-line-2'), { timeoutMs: 20_000 });
    const sent = Date.now();
    child.kill('SIGINT');
    const result = await child;
    // Promptly: well before the 30 s the command is given (it used to hang until killed).
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(result.exitCode).toBe(0);
  });

  it('plan and up --dry-run refuse an image for the other OS, as up does (Q10)', async () => {
    writeFileSync(join(dir, 'wrong-os.yaml'), `name: ${name}-os\nservices:\n  api:\n    platform: linux\n    image: ${FAKE_WINDOWS_IMAGE}\n`);
    for (const command of [['plan'], ['up', '--dry-run']]) {
      const r = await runMixcompose(['-f', join(dir, 'wrong-os.yaml'), ...command]);
      expect(r.exitCode, command.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/error: service "api": image .*fake-windows:latest is published for windows\/amd64/);
      expect(r.stdout).toBe('');
    }
  });

  it('stop, start and restart act on both daemons', async () => {
    expect((await mc('stop', '-t', '1')).exitCode).toBe(0);
    expect((await mc('ps')).stdout).not.toContain(name);
    expect((await mc('ps', '-a')).stdout).toMatch(/exited/);
    expect((await mc('start')).exitCode).toBe(0);
    expect((await mc('ps', '--services')).stdout.trim()).toBe('db\nweb');
    const restart = await mc('restart', '-t', '1', 'web');
    expect(restart.stderr).toMatch(/\[windows\] Container .*-web-1 +Restarted/);
  });

  it('down removes it from both daemons', async () => {
    const r = await mc('down', '-t', '1');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[linux\] +Network .*_default +Removed/);
    expect(r.stderr).toMatch(/\[windows\] Network .*_default +Removed/);
    expect((await mc('ps', '-a', '-q')).stdout.trim()).toBe('');
  });
});
