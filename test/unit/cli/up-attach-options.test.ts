import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { abortsOn, addUpAttachOptions, attachedContainers, checkUpAttachFlags, watchForAbort, withScale } from '../../../src/cli/commands/up-attach-options.js';
import { container, project, service } from '../plan/builders.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';

const stack = project([service('db'), service('web', { platform: 'windows' })]);

describe('up attach options', () => {
  it('parses --attach and --no-attach as two lists (not commander negation)', () => {
    const cmd = addUpAttachOptions(new Command('up').exitOverride()).action(() => undefined);
    cmd.parse(['--attach', 'a', '--no-attach', 'b', '--no-attach', 'c', '--scale', 'web=2'], { from: 'user' });
    expect(cmd.opts()).toMatchObject({ attach: ['a'], noAttach: ['b', 'c'], scale: ['web=2'] });
  });

  it('refuses unknown services, -d with an abort flag, and both abort flags', () => {
    expect(() => checkUpAttachFlags({ exitCodeFrom: 'nosuch' }, stack)).toThrow('--exit-code-from nosuch: no such service');
    expect(() => checkUpAttachFlags({ noAttach: ['x'] }, stack)).toThrow('--no-attach x: no such service');
    expect(() => checkUpAttachFlags({ abortOnContainerExit: true, detach: true }, stack)).toThrow(/need an attached up/);
    expect(() => checkUpAttachFlags({ abortOnContainerExit: true, abortOnContainerFailure: true }, stack)).toThrow(/cannot be used together/);
    expect(() => checkUpAttachFlags({ exitCodeFrom: 'web', attach: ['db'] }, stack)).not.toThrow();
  });

  it('--scale sets replicas; a bad one names itself', () => {
    expect(withScale(stack, ['web=3']).services.web!.scale).toBe(3);
    expect(withScale(stack, []).services).toBe(stack.services);
    expect(() => withScale(stack, ['web'])).toThrow('--scale web: expected SERVICE=NUMBER');
    expect(() => withScale(stack, ['x=1'])).toThrow('--scale x=1: no such service: x');
  });

  it('attached containers by --attach / --no-attach', () => {
    const cs = [container({ service: 'db', platform: 'linux' }), container({ service: 'web', platform: 'windows' })];
    expect(attachedContainers(cs, { attach: ['web'] }).map((c) => c.service)).toEqual(['web']);
    expect(attachedContainers(cs, { noAttach: ['web'] }).map((c) => c.service)).toEqual(['db']);
    expect(attachedContainers(cs, {}).length).toBe(2);
  });

  it('which exits abort the stack', () => {
    expect(abortsOn({ abortOnContainerExit: true }, 0)).toBe(true);
    expect(abortsOn({ exitCodeFrom: 'web' }, 0)).toBe(true);
    expect(abortsOn({ abortOnContainerFailure: true }, 0)).toBe(false);
    expect(abortsOn({ abortOnContainerFailure: true }, 2)).toBe(true);
    expect(abortsOn({}, 2)).toBe(false);
  });

  it('watchForAbort: a zero exit passes under --abort-on-container-failure, the next failing one aborts once', async () => {
    const exits: Record<string, number[]> = { [container({ service: 'db', platform: 'linux' }).id]: [0], [container({ service: 'web', platform: 'windows' }).id]: [5] };
    const asked: string[] = [];
    const client = {
      waitContainer: async (id: string, condition: string, signal: AbortSignal) => {
        asked.push(`${id.slice(0, 3)}:${condition}`);
        const next = exits[id]!.shift();
        if (next !== undefined) return next;
        return new Promise<number>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    } as unknown as DaemonClient;
    const stop = new AbortController();
    const causes: unknown[] = [];
    const watching = watchForAbort(
      [container({ service: 'db', platform: 'linux' }), container({ service: 'web', platform: 'windows' })],
      { linux: client, windows: client },
      { abortOnContainerFailure: true },
      stop.signal,
      (cause) => {
        causes.push(cause);
        stop.abort();
      },
    );
    await watching;
    expect(causes).toEqual([{ container: 'shop-web-1', service: 'web', exitCode: 5 }]);
    expect(asked).toEqual(expect.arrayContaining(['db1:not-running', 'db1:next-exit', 'web:not-running']));
  });
});
