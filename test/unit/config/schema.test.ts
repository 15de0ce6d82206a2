import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { composeSchema } from '../../../src/config/compose-schema.js';
import { loadFromText, issuesOf } from './helpers.js';

describe('JSON Schema', () => {
  it('schemas/mixcompose.schema.json is the written-out compose-schema.ts (run bash schemas/generate.sh)', () => {
    const onDisk = JSON.parse(readFileSync(new URL('../../../schemas/mixcompose.schema.json', import.meta.url), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(composeSchema)));
  });

  it('reports the most specific cause, with file, line, column and key path', async () => {
    const issues = await issuesOf(`services:
  api:
    image: nginx
    ports:
      - {target: 80, foo: 1}
    environmnt: {}
`);
    expect(issues).toEqual([
      'compose.yaml:5:22 services.api.ports[0].foo: unknown key "foo"',
      'compose.yaml:6:5 services.api.environmnt: unknown key "environmnt" (did you mean "environment"?)',
    ]);
  });

  it('combines type errors of alternative forms', async () => {
    const issues = await issuesOf(`services:
  api:
    image: nginx
    command: {a: 1}
`);
    expect(issues).toEqual(['compose.yaml:4:5 services.api.command: expected nothing, a string or a list, got a mapping']);
  });

  it('collects problems from every file before giving up', async () => {
    const issues = await issuesOf(`services:
  a:
    image: 1
    restart: sometimes
  b:
    read_only: maybe
`);
    expect(issues).toEqual([
      'compose.yaml:3:5 services.a.image: expected a string, got the number 1',
      'compose.yaml:4:5 services.a.restart: expected no, always, unless-stopped or on-failure[:N], got the string "sometimes"',
      'compose.yaml:6:5 services.b.read_only: expected true or false, got the string "maybe"',
    ]);
  });
});

describe('ahead-of-time compiled validator', () => {
  it('was generated from the current compose-schema.ts (run bash schemas/generate.sh)', async () => {
    const { createHash } = await import('node:crypto');
    const { SCHEMA_SHA256 } = await import('../../../src/config/compose-schema-validator.js');
    expect(SCHEMA_SHA256).toBe(createHash('sha256').update(JSON.stringify(composeSchema)).digest('hex'));
  });

  it('was compiled with the current ajv options (run bash schemas/generate.sh)', async () => {
    const { COMPILED_WITH } = await import('../../../src/config/compose-schema-validator.js');
    const { AJV_OPTIONS } = await import('../../../src/config/ajv-options.js');
    expect(COMPILED_WITH).toEqual(AJV_OPTIONS);
  });
});
