/** The typed daemon-error predicates the executor uses instead of bare status numbers. */
import { describe, expect, it } from 'vitest';
import {
  EngineApiError,
  engineStatusCode,
  isConflict,
  isInProgress,
  isIptablesRace,
  isNotFound,
  isNotModified,
  isUnanswered,
  toDaemonError,
  toEngineApiError,
} from '../../../../src/engine/docker/errors.js';
import { DaemonError } from '../../../../src/errors.js';

const wrapped = (status: number | undefined, message: string, code?: string) => new DaemonError('linux', 'op', new EngineApiError(message, status, code));

describe('daemon error predicates', () => {
  it('see the status through the DaemonError wrapper', () => {
    expect(engineStatusCode(wrapped(404, 'no such container'))).toBe(404);
    expect(isNotFound(wrapped(404, 'no such container'))).toBe(true);
    expect(isNotFound(wrapped(409, 'conflict'))).toBe(false);
    expect(isConflict(wrapped(409, 'name already in use'))).toBe(true);
    expect(isNotModified(new EngineApiError('already started', 304))).toBe(true);
  });

  it('tell a removal in progress from any other conflict', () => {
    expect(isInProgress(wrapped(409, 'removal of container abc is already in progress (HTTP 409)'))).toBe(true);
    expect(isInProgress(wrapped(409, 'container name "/x" is already in use'))).toBe(false);
    expect(isInProgress(wrapped(500, 'already in progress'))).toBe(false);
  });

  it('recognise the iptables race only as a 500 naming iptables', () => {
    expect(isIptablesRace(wrapped(500, 'unable to remove jump to DOCKER-ISOLATION-STAGE-1 rule: iptables failed'))).toBe(true);
    expect(isIptablesRace(wrapped(500, 'some other failure'))).toBe(false);
    expect(isIptablesRace(wrapped(400, 'iptables'))).toBe(false);
  });

  it('call a failure without a status unanswered', () => {
    expect(isUnanswered(wrapped(undefined, 'connect ECONNREFUSED', 'ECONNREFUSED'))).toBe(true);
    expect(isUnanswered(wrapped(500, 'boom'))).toBe(false);
    expect(isUnanswered(new Error('plain'))).toBe(false);
  });

  it('are false for anything that is not a daemon error', () => {
    for (const value of [undefined, 'text', new Error('x'), { statusCode: 404 }]) {
      expect(isNotFound(value)).toBe(false);
      expect(engineStatusCode(value)).toBeUndefined();
    }
  });
});

describe('toEngineApiError / toDaemonError', () => {
  it('prefer the daemon JSON message and append the status', () => {
    const error = toEngineApiError({ message: '(HTTP code 404) no such container', statusCode: 404, json: { message: 'No such container: x' } });
    expect(error.message).toBe('No such container: x (HTTP 404)');
    expect(error.statusCode).toBe(404);
  });

  it('take a raw text body and keep the errno code of a connection failure', () => {
    expect(toEngineApiError({ message: 'm', statusCode: 500, json: Buffer.from(' page text \n') }).message).toBe('page text (HTTP 500)');
    expect(toEngineApiError({ message: 'connect ENOENT /x', code: 'ENOENT' }).code).toBe('ENOENT');
  });

  it('name daemon and operation, add a hint, and leave a DaemonError as it is', () => {
    const error = toDaemonError('linux', 'start container x', { message: 'refused', code: 'ECONNREFUSED' }, () => 'is the tunnel up?');
    expect(error.message).toBe('daemon linux: start container x failed: refused (is the tunnel up?)');
    expect((error.cause as EngineApiError).code).toBe('ECONNREFUSED');
    expect(toDaemonError('other', 'op', error)).toBe(error);
  });
});
