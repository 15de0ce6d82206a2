import { describe, expect, it } from 'vitest';
import { daemonFault, formatFaultReport, formatResumeCommand, shellQuote } from '../../../src/plan/fault-report.js';
import { DaemonError } from '../../../src/errors.js';

const report = {
  daemon: 'linux (unix:///run/mixcompose-rig/linux.sock)',
  operation: 'up',
  cause: new DaemonError('linux', 'createContainer', Object.assign(new Error('connect ECONNREFUSED /run/mixcompose-rig/linux.sock'), { code: 'ECONNREFUSED' })),
  done: ['network shop_default (linux)', 'container shop-db-1 started'],
  notDone: ['container shop-web-1 created', 'container shop-web-1 started'],
  resume: { files: ['/srv/my shop/compose.yaml'], projectName: 'shop', command: 'up', args: ['-d'] },
};

describe('fault report', () => {
  it('names the daemon, the operation, the innermost cause, done, not done and the command', () => {
    expect(formatFaultReport(report)).toBe(
      [
        'daemon linux (unix:///run/mixcompose-rig/linux.sock) failed during up: connect ECONNREFUSED /run/mixcompose-rig/linux.sock',
        'done: [network shop_default (linux), container shop-db-1 started]',
        'not done: [container shop-web-1 created, container shop-web-1 started]',
        "to continue: mixcompose -f '/srv/my shop/compose.yaml' -p shop up -d",
      ].join('\n'),
    );
  });
  it('builds the resume command with every global flag given', () => {
    expect(
      formatResumeCommand({ files: ['a.yaml', 'b.yaml'], projectDirectory: '/p', envFiles: ['.env.ci'], profiles: ['debug'], command: 'down', args: ['-t', '2'] }),
    ).toBe('mixcompose -f a.yaml -f b.yaml --project-directory /p --env-file .env.ci --profile debug down -t 2');
  });
  it('quotes only what a shell would split', () => {
    expect(shellQuote('C:\\x')).toBe("'C:\\x'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('--retry-daemon=60')).toBe('--retry-daemon=60');
  });
  it('as a DaemonError carrying progress for the CLI', () => {
    const error = daemonFault(report);
    expect(error).toBeInstanceOf(DaemonError);
    expect(error.daemon).toBe(report.daemon);
    expect(error.progress?.resume).toBe("mixcompose -f '/srv/my shop/compose.yaml' -p shop up -d");
    expect(error.progress?.notDone).toEqual(report.notDone);
  });
});
