/** A file with schema errors still gets its value errors reported in the same run, once per key, in line order. */
import { describe, expect, it } from 'vitest';
import { errorsOf, issuesOf } from './helpers.js';

describe('schema and value problems in one run', () => {
  it('reports sizes, durations and ports beside schema errors, sorted by line', async () => {
    const issues = await issuesOf(`services:
  web:
    image: x
    mem_limit: lots
    restart: sometimes
    ports: ["http:80"]
    healthcheck:
      test: 42
      interval: 5
    stop_grace_period: forever
`);
    expect(issues).toEqual([
      'compose.yaml:4:5 services.web.mem_limit: invalid size "lots": expected a number of bytes or a size like 512m or 1.5g (units b, k, m, g, t, p)',
      'compose.yaml:5:5 services.web.restart: expected no, always, unless-stopped or on-failure[:N], got the string "sometimes"',
      'compose.yaml:6:13 services.web.ports[0]: invalid host port "http" in port "http:80": expected a number or a range like 8000-8010',
      'compose.yaml:8:7 services.web.healthcheck.test: expected a string or a list, got the number 42',
      'compose.yaml:9:7 services.web.healthcheck.interval: invalid duration "5": the unit is missing (for example "5s")',
      'compose.yaml:10:5 services.web.stop_grace_period: invalid duration "forever": expected a duration like 30s, 1m30s or 500ms (units ns, us, ms, s, m, h)',
    ]);
  });

  it('gives one message per key when the schema and a value check both object', async () => {
    const issues = await issuesOf(`services:
  web:
    image: x
    mem_limit: [1]
    healthcheck:
      test: ["CMD", "true"]
      retries: lots
    volumes:
      - type: tmpfs
        target: /t
        tmpfs: { size: [1] }
`);
    expect(issues).toEqual([
      'compose.yaml:4:5 services.web.mem_limit: expected a string or a number, got a list',
      'compose.yaml:7:7 services.web.healthcheck.retries: invalid value "lots": expected a whole number >= 0',
      'compose.yaml:11:18 services.web.volumes[0].tmpfs.size: expected an integer or a string, got a list',
    ]);
  });

  it('checks the values of the other files too when one file fails the schema', async () => {
    const issues = await errorsOf(
      {
        'compose.yaml': 'services:\n  web:\n    image: x\n    restart: sometimes\n',
        'override.yaml': 'services:\n  web:\n    shm_size: huge\n',
      },
      { files: ['compose.yaml', 'override.yaml'] },
    );
    expect(issues).toEqual([
      'compose.yaml:4:5 services.web.restart: expected no, always, unless-stopped or on-failure[:N], got the string "sometimes"',
      'override.yaml:3:5 services.web.shm_size: invalid size "huge": expected a number of bytes or a size like 512m or 1.5g (units b, k, m, g, t, p)',
    ]);
  });
});
