import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkHostKey, hostFieldMatches, keyTypeOfBlob, knownHostsName } from '../../../src/engine/ssh-known-hosts.js';

/** An ssh wire-format public key blob: string type, string key bytes. */
function blob(type: string, key: Buffer = randomBytes(32)): Buffer {
  const t = Buffer.from(type);
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32BE(t.length, 0);
  lengths.writeUInt32BE(key.length, 4);
  return Buffer.concat([lengths.subarray(0, 4), t, lengths.subarray(4), key]);
}

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

const ed = blob('ssh-ed25519');
const otherEd = blob('ssh-ed25519');
const rsa = blob('ssh-rsa', randomBytes(64));
const line = (hosts: string, key: Buffer) => `${hosts} ${keyTypeOfBlob(key)} ${key.toString('base64')} comment`;

describe('known_hosts', () => {
  it('names hosts as OpenSSH does and reads the key type from a blob', () => {
    expect(knownHostsName('build', 22)).toBe('build');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(keyTypeOfBlob(ed)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(Buffer.alloc(2))).toBeUndefined();
  });

  it('matches plain, bracketed, wildcard, negated and hashed host patterns', () => {
    expect(hostFieldMatches('build,10.0.0.5', 'build')).toBe(true);
    expect(hostFieldMatches('[127.0.0.1]:2222', '[127.0.0.1]:2222')).toBe(true);
    expect(hostFieldMatches('127.0.0.1', '[127.0.0.1]:2222')).toBe(false);
    expect(hostFieldMatches('*.example.internal', 'win.example.internal')).toBe(true);
    expect(hostFieldMatches('*.example.internal,!bad.example.internal', 'bad.example.internal')).toBe(false);
    expect(hostFieldMatches(hashed('[h]:2200'), '[h]:2200')).toBe(true);
    expect(hostFieldMatches(hashed('[h]:2200'), 'h')).toBe(false);
  });

  it('accepts a listed key, and an unknown host (nothing written)', () => {
    expect(checkHostKey(`${line('build', otherEd)}\n${line(hashed('build'), ed)}\n`, 'kh', 'build', 22, ed)).toEqual({ ok: true, known: true });
    expect(checkHostKey(line('other', otherEd), 'kh', 'build', 22, ed)).toEqual({ ok: true, known: false });
    expect(checkHostKey('', 'kh', 'build', 22, ed)).toEqual({ ok: true, known: false });
  });

  it('refuses a changed key of the same type, naming the file and the fix', () => {
    const verdict = checkHostKey(`# c\n${line('[127.0.0.1]:2222', otherEd)}\n`, '/root/.ssh/known_hosts', '127.0.0.1', 2222, ed);
    expect(verdict).toEqual({
      ok: false,
      reason:
        'the ssh-ed25519 host key of [127.0.0.1]:2222 is not the one /root/.ssh/known_hosts lists (it changed, or someone is in between); if the change is expected, remove the old entry (ssh-keygen -R "[127.0.0.1]:2222")',
    });
  });

  it('a listed key of another type only does not refuse; @revoked does; @cert-authority lines are ignored', () => {
    expect(checkHostKey(line('build', rsa), 'kh', 'build', 22, ed)).toEqual({ ok: true, known: false });
    expect(checkHostKey(`@revoked ${line('build', ed)}\n${line('build', ed)}`, 'kh', 'build', 22, ed)).toEqual({
      ok: false,
      reason: 'the host key of build is marked @revoked in kh',
    });
    expect(checkHostKey(`@cert-authority ${line('build', otherEd)}`, 'kh', 'build', 22, ed)).toEqual({ ok: true, known: false });
  });
});
