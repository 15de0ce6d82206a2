import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isConnectionError, isRetrying, withDaemonRetry } from '../../../src/engine/retry-daemon.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import type { EngineEvent } from '../../../src/model/events.js';
import { DaemonError } from '../../../src/errors.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED /run/mixcompose-rig/linux.sock'), { code: 'ECONNREFUSED' });
const gone = () => Object.assign(new Error('connect ENOENT /run/mixcompose-rig/linux.sock'), { code: 'ENOENT' });
const hangUp = () => new Error('socket hang up');
const apiError = (status: number, message: string) => Object.assign(new Error(message), { statusCode: status });

/** A fake whose calls fail with the scripted errors, then succeed. */
function scripted(failures: Record<string, (() => Error)[]>, results: Record<string, unknown> = {}) {
  const calls: string[] = [];
  const client = new Proxy({ label: 'linux (unix:///fake.sock)' } as Record<string, unknown>, {
    get(target, prop) {
      if (prop in target) return target[prop as string];
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      return async (...args: unknown[]) => {
        calls.push(prop);
        const next = failures[prop]?.shift();
        if (next) throw new DaemonError('linux', prop, next());
        const r = results[prop];
        return typeof r === 'function' ? r(...args) : r;
      };
    },
  }) as unknown as DaemonClient;
  return { client, calls };
}

function harness(retrySeconds: number) {
  let clock = 0;
  const delays: number[] = [];
  const events: EngineEvent[] = [];
  return {
    events,
    delays,
    options: {
      retrySeconds,
      onEvent: (e: EngineEvent) => events.push(e),
      now: () => clock,
      delay: async (ms: number) => {
        delays.push(ms);
        clock += ms;
      },
    },
  };
}

describe('isConnectionError', () => {
  it('recognises refused, missing socket, broken pipe, hang-up, through DaemonError causes', () => {
    expect(isConnectionError(new DaemonError('linux', 'ping', refused()))).toBe(true);
    expect(isConnectionError(gone())).toBe(true);
    expect(isConnectionError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
    expect(isConnectionError(hangUp())).toBe(true);
  });
  it('an answer from the daemon is not a connection error', () => {
    expect(isConnectionError(new DaemonError('linux', 'inspect', apiError(404, 'No such container: x')))).toBe(false);
    expect(isConnectionError(apiError(500, 'error while creating mount source path: ENOENT'))).toBe(false);
    expect(isConnectionError(new DaemonError('linux', 'start', apiError(500, 'mkdir /x: ENOENT')))).toBe(false);
    expect(isConnectionError(new Error('invalid reference format'))).toBe(false);
  });
});

describe('withDaemonRetry', () => {
  it('retries connection failures with exponential backoff, one warning per retry', async () => {
    const { client, calls } = scripted({ startContainer: [refused, gone, refused] }, { startContainer: undefined });
    const h = harness(30);
    await withDaemonRetry(client, h.options).startContainer('abc');
    expect(calls).toEqual(['startContainer', 'startContainer', 'startContainer', 'startContainer']);
    expect(h.delays).toEqual([250, 500, 1000]);
    expect(h.events).toHaveLength(3);
    expect(h.events[0]).toMatchObject({ type: 'warning', message: expect.stringMatching(/linux \(unix:\/\/\/fake.sock\).*startContainer.*ECONNREFUSED.*retry 1/) });
  });

  it('caps the delay and gives up after the budget with the original error', async () => {
    const many = Array.from({ length: 50 }, () => refused);
    const { client } = scripted({ ping: many });
    const h = harness(10);
    await expect(withDaemonRetry(client, h.options).ping()).rejects.toThrow(/ECONNREFUSED/);
    expect(Math.max(...h.delays)).toBeLessThanOrEqual(5000);
    expect(h.delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
    expect(h.events.length).toBe(h.delays.length);
  });

  it('does not retry answers from the daemon', async () => {
    const { client, calls } = scripted({ inspectContainer: [() => apiError(404, 'No such container: x')] });
    const h = harness(30);
    await expect(withDaemonRetry(client, h.options).inspectContainer('x')).rejects.toThrow(/No such container/);
    expect(calls).toEqual(['inspectContainer']);
    expect(h.events).toEqual([]);
  });

  it('with a zero budget it fails at once', async () => {
    const { client, calls } = scripted({ ping: [refused] });
    await expect(withDaemonRetry(client, harness(0).options).ping()).rejects.toThrow();
    expect(calls).toEqual(['ping']);
  });

  it('a create whose connection dropped, then meets a conflict, answers with the container the lost call made', async () => {
    const { client, calls } = scripted(
      { createContainer: [hangUp, () => apiError(409, 'Conflict. The container name "/p-db-1" is already in use')] },
      { inspectContainer: { Id: 'c0ffee' } },
    );
    const created = await withDaemonRetry(client, harness(30).options).createContainer('p-db-1', {});
    expect(created).toEqual({ id: 'c0ffee', warnings: [] });
    expect(calls).toEqual(['createContainer', 'createContainer', 'inspectContainer']);
  });

  it('a conflict without a dropped connection is passed through', async () => {
    const { client } = scripted({ createContainer: [() => apiError(409, 'Conflict. already in use')] });
    await expect(withDaemonRetry(client, harness(30).options).createContainer('p-db-1', {})).rejects.toThrow(/Conflict/);
  });

  it('does not resend a consumed body stream after a dropped connection', async () => {
    const { client, calls } = scripted({ putArchive: [hangUp] });
    await expect(withDaemonRetry(client, harness(30).options).putArchive('id', '/etc', Readable.from(['x']))).rejects.toThrow(/hang up/);
    expect(calls).toEqual(['putArchive']);
  });

  it('keeps the label and passes streams (events) through', () => {
    const { client } = scripted({});
    const wrapped = withDaemonRetry(client, harness(1).options);
    expect(wrapped.label).toBe('linux (unix:///fake.sock)');
  });
});

describe('withDaemonRetry twice', () => {
  it('wraps once: a retrying client is returned as is', () => {
    const { client } = scripted({});
    const once = withDaemonRetry(client, harness(1).options);
    expect(isRetrying(client)).toBe(false);
    expect(isRetrying(once)).toBe(true);
    expect(withDaemonRetry(once, harness(5).options)).toBe(once);
  });
});

describe('withDaemonRetry and aborted calls', () => {
  it('stops retrying a call whose caller aborted it', async () => {
    const { client, calls } = scripted({ stopContainer: [refused, refused, refused] });
    const abort = new AbortController();
    const h = harness(60);
    const wrapped = withDaemonRetry(client, { ...h.options, delay: async (ms) => { h.delays.push(ms); abort.abort(); } });
    await expect(wrapped.stopContainer('id', 1, undefined, abort.signal)).rejects.toThrow(/ECONNREFUSED/);
    expect(calls).toEqual(['stopContainer', 'stopContainer']);
  });
});

