/**
 * Types are strict as in docker compose v2: text that looks like a number or boolean is cast where
 * the schema wants one (that is how `${PORT}` becomes a port), but a number is never turned into
 * text or a list (`healthcheck.test: 42` is an error, as it is for docker compose).
 */
import { describe, expect, it } from 'vitest';
import { issuesOf, loadFromText } from './helpers.js';

describe('strict types', () => {
  it('rejects a number for healthcheck.test, at its line and key', async () => {
    const issues = await issuesOf(`services:
  api:
    image: nginx
    healthcheck:
      test: 42
`);
    expect(issues).toEqual(['compose.yaml:5:7 services.api.healthcheck.test: expected a string or a list, got the number 42']);
  });

  it('rejects numbers and booleans where text is wanted', async () => {
    const issues = await issuesOf(`services:
  api:
    image: 7
    working_dir: true
    entrypoint: [sh, -c, 1]
`);
    expect(issues).toEqual([
      'compose.yaml:3:5 services.api.image: expected a string, got the number 7',
      'compose.yaml:4:5 services.api.working_dir: expected a string, got true',
      'compose.yaml:5:26 services.api.entrypoint[2]: expected a string, got the number 1',
    ]);
  });

  it('does not turn an empty value into text (image:)', async () => {
    expect(await issuesOf('services:\n  api:\n    image:\n')).toEqual(['compose.yaml:3:5 services.api.image: expected a string, got nothing']);
  });

  it('casts interpolated text to numbers and booleans where the schema wants them', async () => {
    const { project } = await loadFromText(
      `services:
  api:
    image: nginx
    scale: \${N}
    init: \${I}
    healthcheck:
      test: ["CMD", "true"]
      retries: \${R}
    ports:
      - target: \${T}
        published: \${P}
    oom_score_adj: \${O}
`,
      { environment: { N: '3', I: 'true', R: '5', T: '80', P: '8080', O: '-10' } },
    );
    const api = project.services.api!;
    expect(api.scale).toBe(3);
    expect(api.init).toBe(true);
    expect(api.healthcheck?.retries).toBe(5);
    expect(api.ports[0]).toMatchObject({ target: 80, published: '8080' });
    expect(api.oom_score_adj).toBe(-10);
  });

  it('casts quoted numbers as docker compose does, and keeps text that is not one', async () => {
    const { project } = await loadFromText(`services:
  api:
    image: nginx
    scale: "2"
    healthcheck: { test: "42" }
`);
    expect(project.services.api!.scale).toBe(2);
    expect(project.services.api!.healthcheck?.test).toEqual(['CMD-SHELL', '42']);
  });

  it('reports text that is not a number where one is wanted, once', async () => {
    const issues = await issuesOf(
      `services:
  api:
    image: nginx
    scale: \${N}
    healthcheck: { test: ["CMD", "true"], retries: many }
`,
      { environment: { N: 'three' } },
    );
    expect(issues).toEqual([
      'compose.yaml:4:5 services.api.scale: expected an integer, got the string "three"',
      // retries must be a whole number: the value check's message, once (not also "expected a number").
      'compose.yaml:5:43 services.api.healthcheck.retries: invalid value "many": expected a whole number >= 0',
    ]);
  });
});
