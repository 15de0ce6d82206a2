import { describe, expect, it } from 'vitest';
import { sshFailureHint } from '../../../src/engine/ssh-failure-hint.js';

const facts = { target: 'ci@build.example', port: 2222, agentOffered: true };

describe('sshFailureHint', () => {
  it('authentication failed with an agent: ssh-add the key for the target', () => {
    expect(sshFailureHint('All configured authentication methods failed', facts)).toBe(
      'the ssh server accepted none of the keys in the ssh-agent at SSH_AUTH_SOCK; mixcompose offers keys only through an ssh-agent (ssh-add the key for ci@build.example)',
    );
  });

  it('authentication failed without an agent: SSH_AUTH_SOCK is not set', () => {
    expect(sshFailureHint('All configured authentication methods failed', { ...facts, agentOffered: false })).toContain(
      'no key was offered: mixcompose offers ssh keys only through an ssh-agent, and SSH_AUTH_SOCK is not set',
    );
  });

  it('a hang-up names the remote dial-stdio and the ssh command to check it (no -p for port 22)', () => {
    expect(sshFailureHint('socket hang up', facts)).toContain('check with: ssh -p 2222 ci@build.example docker system info');
    expect(sshFailureHint('read ECONNRESET', { ...facts, port: 22 })).toContain('check with: ssh ci@build.example docker system info');
  });

  it('adds nothing when the daemon answered (an HTTP status) or for other failures', () => {
    expect(sshFailureHint('socket hang up', facts, 500)).toBeUndefined();
    expect(sshFailureHint('connect ECONNREFUSED 127.0.0.1:2222', facts)).toBeUndefined();
  });
});

describe('sshFailureHint with what the remote printed', () => {
  it('quotes the remote stderr on one line', () => {
    expect(sshFailureHint('socket hang up', { ...facts, remoteStderr: 'bash: docker:\n  command not found' })).toContain(
      'ended without answering after printing "bash: docker: command not found": the docker CLI must be on',
    );
  });
});

describe('sshFailureHint for a refused host key', () => {
  it('gives known_hosts reason', () => {
    expect(sshFailureHint('Host denied (verification failed)', { ...facts, hostKeyRefusal: 'the key changed' })).toBe('the key changed');
    expect(sshFailureHint('Host denied (verification failed)', facts)).toBeUndefined();
  });
});
