/**
 * `up` without -d: logs from both daemons stream prefixed per container, and Ctrl-C (SIGINT) stops
 * the stack in reverse dependency order, like compose.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { MIXCOMPOSE_BIN, assertRigUp, pollUntil, removeProjectLeftovers, rigDocker, rigEnv, uniqueProjectName } from '../../support/rig.js';

const name = uniqueProjectName('attach');
const yaml = `
name: ${name}
services:
  db:
    platform: linux
    image: mixcompose-test/busybox:latest
    init: true
    command: ["sh", "-c", "echo db-ready; exec sleep 3600"]
  web:
    platform: windows
    image: mixcompose-test/busybox:latest
    init: true
    depends_on: [db]
    command: ["sh", "-c", "echo web-ready; exec sleep 3600"]
`;

describe('attached up', () => {
  afterAll(async () => {
    await removeProjectLeftovers(name);
  });

  it('streams logs from both daemons and stops the stack on Ctrl-C', async () => {
    assertRigUp();
    const dir = mkdtempSync(join(tmpdir(), 'mixcompose-attach-'));
    writeFileSync(join(dir, 'compose.yaml'), yaml);
    const child = execa('node', [MIXCOMPOSE_BIN, '-f', join(dir, 'compose.yaml'), '--progress', 'plain', 'up'], {
      env: rigEnv(),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      all: true,
    });
    let output = '';
    child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await pollUntil('both services logged', async () => output.includes(`${name}-db-1 | db-ready`) && output.includes(`${name}-web-1 | web-ready`), { timeoutMs: 60_000 });
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, output).toBe(0);
    expect(output).toContain('Gracefully stopping');
    // Reverse dependency order: web (windows) stops before db (linux) begins to stop.
    expect(output.indexOf(`Container ${name}-web-1  Stopped`)).toBeLessThan(output.indexOf(`Container ${name}-db-1  Stopping`));
    const db = await rigDocker('linux').getContainer(`${name}-db-1`).inspect();
    const web = await rigDocker('windows').getContainer(`${name}-web-1`).inspect();
    expect([db.State.Running, web.State.Running]).toEqual([false, false]);
  });
});
