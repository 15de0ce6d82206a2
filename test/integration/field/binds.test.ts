/**
 * Bind sources on the rig: a relative source is resolved against the project directory and
 * translated for each daemon from what it reports. Both rig daemons are Linux daemons on Linux,
 * so the path reaches both unchanged (the stand-in for Windows keeps posix paths), read-only as asked.
 * The Windows and Docker Desktop forms are covered by the table tests (test/unit/model/host-paths).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, assertRigUp, demuxLogs, removeProjectLeftovers, rigDocker, runMixcompose, uniqueProjectName } from '../../support/rig.js';

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'field', 'binds');

async function execIn(daemon: 'linux' | 'windows', container: string, script: string): Promise<string> {
  const exec = await rigDocker(daemon).getContainer(container).exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return demuxLogs(Buffer.concat(chunks));
}

describe('bind sources on both rig daemons', () => {
  const project = uniqueProjectName('field-binds');
  beforeAll(() => assertRigUp());
  afterAll(() => removeProjectLeftovers(project));

  it('mounts ./shared read-only into a linux and a windows-declared service', async () => {
    const up = await runMixcompose(['-p', project, '--progress', 'quiet', 'up', '-d'], { cwd: DIR });
    expect(up.exitCode, up.stderr).toBe(0);
    for (const daemon of ['linux', 'windows'] as const) {
      const container = `${project}-reader-${daemon}-1`;
      const mounts = (await rigDocker(daemon).getContainer(container).inspect()).Mounts;
      expect(mounts.map((m) => [m.Source, m.Destination, m.RW])).toEqual([[join(DIR, 'shared'), '/shared', false]]);
      expect(await execIn(daemon, container, 'cat /shared/greeting.txt')).toBe('hello from the host\n');
      expect(await execIn(daemon, container, 'touch /shared/x 2>&1 || echo refused')).toContain('refused');
    }
  });

  it('config shows each translated source, and what a real Windows daemon would refuse', async () => {
    const config = await runMixcompose(['config', '--format', 'json'], { cwd: DIR });
    expect(config.exitCode, config.stderr).toBe(0);
    const services = (JSON.parse(config.stdout) as { services: Record<string, { 'x-mixcompose': { bind_sources?: string[] } }> }).services;
    expect(services['reader-linux']!['x-mixcompose'].bind_sources).toEqual([`${join(DIR, 'shared')} → ${join(DIR, 'shared')}`]);
    expect(services['reader-windows']!['x-mixcompose'].bind_sources?.[0]).toMatch(/is not a Windows path/);
  });
});
