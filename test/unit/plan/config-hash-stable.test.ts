/**
 * The config hash is stored on every container: a change in how it is computed would recreate every
 * container of every stack on the next `up`. These values were computed by the implementation before
 * it was made faster (issue 9) and must not change.
 */
import { describe, expect, it } from 'vitest';
import { configHash, stableJson, withConfigHash, withHashLabel } from '../../../src/plan/config-hash.js';
import { LABEL_CONFIG_HASH } from '../../../src/plan/labels.js';

const body = {
  Image: 'busybox',
  Env: ['A=1'],
  Labels: { 'com.docker.compose.project': 'p', z: '1', a: '2' },
  HostConfig: { u: undefined, Nested: { b: [1, { d: null, c: true }], a: 'é' } },
  '10': 1,
  '9': 2,
};

describe('config hash stability', () => {
  it('stableJson sorts keys at every level (as strings) and leaves undefined out', () => {
    expect(stableJson(body)).toBe(
      '{"10":1,"9":2,"Env":["A=1"],"HostConfig":{"Nested":{"a":"é","b":[1,{"c":true,"d":null}]}},"Image":"busybox","Labels":{"a":"2","com.docker.compose.project":"p","z":"1"}}',
    );
    expect(stableJson({ b: 1, a: undefined, A: [undefined, 2] })).toBe('{"A":[null,2],"b":1}');
  });

  it('configHash is the digest it always was', () => {
    expect(configHash(body, { connect: ['n'] })).toBe('f26850655516e5f14be448a6b55195d7e0cc2437b31a58617fbe99ca1c79a917');
  });

  it('withHashLabel with a computed hash equals withConfigHash', () => {
    expect(withHashLabel(body, configHash(body, 'x'))).toEqual(withConfigHash(body, 'x'));
    expect((withConfigHash(body, 'x').Labels as Record<string, string>)[LABEL_CONFIG_HASH]).toBe(configHash(body, 'x'));
  });
});
