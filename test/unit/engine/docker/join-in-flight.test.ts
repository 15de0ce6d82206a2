import { describe, expect, it } from 'vitest';
import { joinInFlight } from '../../../../src/engine/docker/images.js';

describe('joinInFlight', () => {
  it('asks once for identical calls at the same time, and gives each caller its own copy', async () => {
    const asked: string[] = [];
    const inspect = joinInFlight(async (name: string) => {
      asked.push(name);
      return { Id: `id-of-${name}` };
    });
    const answers = await Promise.all([inspect('busybox'), inspect('busybox'), inspect('alpine'), inspect('busybox')]);
    expect(asked).toEqual(['busybox', 'alpine']);
    expect(answers.map((a) => a.Id)).toEqual(['id-of-busybox', 'id-of-busybox', 'id-of-alpine', 'id-of-busybox']);
    answers[0]!.Id = 'changed';
    expect(answers[1]!.Id).toBe('id-of-busybox');
  });

  it('asks again once the first call settled (no answer outlives its call)', async () => {
    let count = 0;
    const inspect = joinInFlight(async () => ++count);
    expect(await inspect('x')).toBe(1);
    expect(await inspect('x')).toBe(2);
  });

  it('hands a failure to every joined caller, and the next call asks again', async () => {
    let fail = true;
    const inspect = joinInFlight(async () => {
      if (fail) throw new Error('daemon down');
      return 'ok';
    });
    const results = await Promise.allSettled([inspect('x'), inspect('x')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(inspect('x')).resolves.toBe('ok');
  });
});
