/**
 * `down`'s partial connect (one daemon does not answer): the daemons that answer are kept; when
 * the other failure is not a daemon's (wrong OS), the clients that did connect are closed before
 * the error goes up, so no open connection keeps the process alive.
 */
import { describe, expect, it } from 'vitest';
import { closeClients, connectEach } from '../../../src/cli/commands/session.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import { DaemonError, PlanError } from '../../../src/errors.js';
import type { PlatformOs } from '../../../src/model/project.js';
import { facts } from '../plan/builders.js';

function fakeClient(label: string): DaemonClient & { closed: number } {
  const client = { label, closed: 0, close: () => void client.closed++ };
  return client as unknown as DaemonClient & { closed: number };
}

const unreachable = (platform: PlatformOs) => new DaemonError(`${platform} (unix:///run/${platform}.sock)`, 'connect', new Error('ECONNREFUSED'));

describe('connectEach', () => {
  it('keeps the daemons that answer and reports the others', async () => {
    const linux = fakeClient('linux');
    const { connected, unreachable: missing } = await connectEach(
      ['linux', 'windows'],
      async ([p]) => {
        if (p === 'windows') throw unreachable('windows');
        return { clients: { linux }, facts: { linux: facts('linux') }, warnings: ['os mismatch allowed'] };
      },
      unreachable('windows'),
    );
    expect(Object.keys(connected.clients)).toEqual(['linux']);
    expect(connected.warnings).toEqual(['os mismatch allowed']);
    expect(missing.map((e) => e.daemon)).toEqual(['windows (unix:///run/windows.sock)']);
    expect(linux.closed).toBe(0);
  });

  it('closes the clients that connected when another failure is not a daemon error', async () => {
    const linux = fakeClient('linux');
    const wrongOs = new PlanError('the windows daemon runs linux');
    // The failing platform comes first: the client of the one after it must be closed all the same.
    const run = connectEach(
      ['windows', 'linux'],
      async ([p]) => {
        if (p === 'windows') throw wrongOs;
        return { clients: { linux }, facts: { linux: facts('linux') }, warnings: [] };
      },
      unreachable('windows'),
    );
    await expect(run).rejects.toBe(wrongOs);
    expect(linux.closed).toBe(1);
  });

  it('throws the first daemon error when no daemon answers', async () => {
    const first = unreachable('linux');
    await expect(connectEach(['linux', 'windows'], async ([p]) => Promise.reject(unreachable(p!)), first)).rejects.toBe(first);
  });
});

describe('closeClients', () => {
  it('closes a client both platforms share once', () => {
    const shared = fakeClient('linux+windows');
    closeClients({ linux: shared, windows: shared });
    expect(shared.closed).toBe(1);
  });
});
