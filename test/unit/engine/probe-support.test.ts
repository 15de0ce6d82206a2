/** The probes' time limits (engine/probe-support.ts), on fake timers. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bounded, timeLimit } from '../../../src/engine/probe-support.js';

describe('timeLimit', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts the time before and after excluded work, not the work itself', async () => {
    vi.useFakeTimers();
    const limit = timeLimit(1, 'the probe');
    let expired = '';
    limit.expired.catch((e: Error) => (expired = e.message));
    await vi.advanceTimersByTimeAsync(600);
    let done!: () => void;
    const pulled = limit.excluding(new Promise<void>((resolve) => (done = resolve)));
    await vi.advanceTimersByTimeAsync(60_000);
    done();
    await pulled;
    await vi.advanceTimersByTimeAsync(399);
    expect(expired).toBe('');
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toBe('the probe: no answer within 1s');
    limit.clear();
  });

  it('bounded: the answer in time, else a rejection naming what did not answer', async () => {
    vi.useFakeTimers();
    await expect(bounded(Promise.resolve(7), 1, 'exec')).resolves.toBe(7);
    const late = bounded(new Promise(() => undefined), 2, 'exec');
    const failed = expect(late).rejects.toThrow('exec: no answer within 2s');
    await vi.advanceTimersByTimeAsync(2_000);
    await failed;
  });
});
