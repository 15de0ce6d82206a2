/**
 * The planner compares a running container's config hash with materializedHash, which skips
 * building the create body; it must be exactly the hash materializeSpec stamps on what it creates
 * (else every container would be recreated, or a changed one kept).
 */
import { describe, expect, it } from 'vitest';
import { materializedHash, materializeSpec } from '../../../src/plan/materialize.js';
import type { ContainerSpec } from '../../../src/plan/plan.js';

const body = {
  Image: 'busybox',
  Env: ['DB={{ db.host }}', 'PLAIN=1'],
  Labels: { 'com.docker.compose.service': 'web', 'user.label': 'x' },
  HostConfig: { Dns: ['{{ resolver.ip }}'], NetworkMode: 'shop_default' },
};
const runtime = { ipOf: 'start:db:1', network: 'shop_default' };

const specs: Record<string, ContainerSpec> = {
  'no substitutions, no labels': { body: { Image: 'busybox', Cmd: ['sleep', '1'] }, substitutions: [], connect: [], files: [] },
  'static values': { body, substitutions: [{ text: '{{ resolver.ip }}', value: '10.201.0.2' }, { text: '{{ db.host }}', value: 'db.example' }], connect: [], files: [] },
  'a runtime address, known': {
    body,
    substitutions: [{ text: '{{ db.host }}', runtime }, { text: '{{ resolver.ip }}', value: '10.201.0.2' }],
    connect: [{ network: 'other', endpoint: { Aliases: ['{{ db.host }}'] } }],
    files: [{ path: '/etc/x', content: 'db={{ db.host }}', mode: 0o444 }],
  },
};

describe('materializedHash', () => {
  for (const [name, spec] of Object.entries(specs)) {
    it(`is the hash materializeSpec stamps: ${name}`, () => {
      const ip = () => '10.201.0.9';
      const made = materializeSpec(spec, ip)!;
      expect(materializedHash(spec, ip)).toBe(made.hash);
      expect(made.body.Labels).toMatchObject({ 'com.docker.compose.config-hash': made.hash });
    });
  }

  it('changes with a substituted value, and is undefined while a runtime address is unknown', () => {
    const spec = specs['a runtime address, known']!;
    expect(materializedHash(spec, () => '10.201.0.9')).not.toBe(materializedHash(spec, () => '10.201.0.10'));
    expect(materializedHash(spec, () => undefined)).toBeUndefined();
    expect(materializeSpec(spec, () => undefined)).toBeUndefined();
  });
});
