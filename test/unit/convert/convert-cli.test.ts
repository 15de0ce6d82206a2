/**
 * The `convert` command end to end in-process: output to stdout or files, warnings on stderr, and
 * a project that cannot be converted fails before anything is written.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../../src/cli/program.js';
import { PlanError } from '../../../src/errors.js';

let dir = '';
let out = '';
let err = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mixcompose-convert-'));
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => ((err += String(chunk)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

async function convert(compose: string, ...args: string[]): Promise<void> {
  writeFileSync(join(dir, 'compose.yaml'), compose);
  await buildProgram().parseAsync(['node', 'mixcompose', '-f', join(dir, 'compose.yaml'), 'convert', ...args]);
}

const MIXED = 'name: demo\nservices:\n  web:\n    image: mcr.microsoft.com/windows/nanoserver:ltsc2022\n    platform: windows\n    depends_on: [db]\n  db:\n    image: postgres:16\n    expose: ["5432"]\n';

describe('mixcompose convert', () => {
  it('--to swarm prints a stack file and the warnings on stderr', async () => {
    await convert(MIXED, '--to', 'swarm');
    expect(out.split('\n')[0]).toBe('# docker stack deploy -c <this file> demo');
    expect(parse(out).services.web.deploy.placement.constraints).toEqual(['node.platform.os == windows']);
    expect(err).toContain('warning: service web: depends_on db (condition: service_started) is ignored by docker stack deploy');
  });

  it('--to kubernetes -o DIR --validate writes one valid manifest per file', async () => {
    await convert(MIXED, '--to', 'kubernetes', '-o', join(dir, 'k8s'), '--validate');
    expect(readdirSync(join(dir, 'k8s'))).toEqual(['01-service-db.yaml', '02-deployment-db.yaml', '03-deployment-web.yaml']);
    expect(parse(readFileSync(join(dir, 'k8s', '03-deployment-web.yaml'), 'utf8')).spec.template.spec.os).toEqual({ name: 'windows' });
    expect(err).toBe('wrote 3 manifests to ' + join(dir, 'k8s') + ' (valid against the Kubernetes schemas)\n');
    expect(out).toBe('');
  });

  it('fails on a build without an image, writing nothing', async () => {
    await expect(convert('services:\n  app:\n    build: .\n', '--to', 'swarm', '-o', join(dir, 'stack.yaml'))).rejects.toThrow(PlanError);
    expect(readdirSync(dir)).toEqual(['compose.yaml']);
  });
});
