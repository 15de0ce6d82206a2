/**
 * What `mixcompose logs` asks of streamLogs: `-f` follows across runs (exits) and says only the run
 * ends after the command began; without `-f` there is nothing to follow.
 */
import { describe, expect, it } from 'vitest';
import { logsOptions } from '../../../src/cli/commands/logs.js';
import { UsageError } from '../../../src/errors.js';

const now = Date.UTC(2026, 0, 1, 12, 0, 0, 250);

describe('logs options', () => {
  it('-f follows every run and says the ends after the command began, not before', () => {
    expect(logsOptions({ follow: true, tail: '5', since: '10m' }, ['web'], now)).toEqual({
      follow: true,
      exits: true,
      exitsSince: now / 1000,
      tail: 5,
      since: Math.floor(now / 1000) - 600,
      services: ['web'],
    });
  });

  it('without -f, lines only', () => {
    expect(logsOptions({ tail: 'all', timestamps: true }, [], now)).toEqual({ tail: 'all', timestamps: true, services: [] });
    expect(() => logsOptions({ tail: '-1' }, [], now)).toThrow(UsageError);
  });
});
