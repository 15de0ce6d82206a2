import { describe, expect, it } from 'vitest';
import { formatDoctorTable } from '../../../src/cli/commands/doctor.js';

describe('formatDoctorTable', () => {
  it('aligns columns, prints a fix under warnings and failures only, and ends with the verdict', () => {
    const text = formatDoctorTable({
      verdict: 'fail',
      rows: [
        { check: 'linux daemon: reachable', status: 'ok', detail: 'linux (unix:///l.sock)' },
        { check: 'IP reachability linux → windows', status: 'fail', detail: 'no answer within 2s', fix: 'route the pools' },
        { check: 'names with mixcompose linux → windows', status: 'skip', detail: 'not checked' },
        { check: 'windows daemon: OS', status: 'warn', detail: 'stand-in', fix: 'use a Windows daemon' },
      ],
    });
    expect(text).toBe(
      [
        'CHECK                                  STATUS  DETAIL',
        'linux daemon: reachable                ok      linux (unix:///l.sock)',
        'IP reachability linux → windows        FAIL    no answer within 2s',
        '                                               fix: route the pools',
        'names with mixcompose linux → windows  skip    not checked',
        'windows daemon: OS                     WARN    stand-in',
        '                                               fix: use a Windows daemon',
        '',
        'verdict: FAIL (1 ok, 1 warning(s), 1 failed, 1 not checked)',
        '',
      ].join('\n'),
    );
  });
  it('says OK with warnings when nothing failed', () => {
    expect(formatDoctorTable({ verdict: 'warn', rows: [{ check: 'x', status: 'warn', detail: 'd', fix: 'f' }] })).toMatch(/verdict: OK with warnings/);
  });
});
