/**
 * What to tell the user when an ssh:// endpoint fails. docker-modem dials ssh endpoints with the ssh2
 * library (not the ssh binary, so ~/.ssh/config and ~/.ssh/id_* are not read) and runs
 * `docker system dial-stdio` on the remote. The raw errors are terse ("All configured authentication
 * methods failed", "socket hang up"): this adds what to check, and what the remote printed.
 */

/** The parts of an ssh endpoint a hint names. */
export interface SshEndpointFacts {
  /** "user@host" or "host" as the endpoint gives it. */
  readonly target: string;
  readonly port: number;
  /** True when an ssh-agent socket (SSH_AUTH_SOCK) was passed to the connection. */
  readonly agentOffered: boolean;
  /** What the remote `docker system dial-stdio` last wrote to stderr, when anything. */
  readonly remoteStderr?: string | undefined;
  /** Why known_hosts refused the host key, when it did. */
  readonly hostKeyRefusal?: string | undefined;
}

/** The hint for a failure message of an ssh endpoint, or undefined when there is nothing to add. */
export function sshFailureHint(message: string, facts: SshEndpointFacts, statusCode?: number): string | undefined {
  if (statusCode !== undefined) return undefined; // the daemon answered: not an ssh problem
  if (/Host denied/i.test(message) && facts.hostKeyRefusal) return facts.hostKeyRefusal;
  if (/All configured authentication methods failed/i.test(message)) {
    return facts.agentOffered
      ? `the ssh server accepted none of the keys in the ssh-agent at SSH_AUTH_SOCK; mixcompose offers keys only through an ssh-agent (ssh-add the key for ${facts.target})`
      : 'no key was offered: mixcompose offers ssh keys only through an ssh-agent, and SSH_AUTH_SOCK is not set (start ssh-agent and ssh-add the key)';
  }
  if (/socket hang up|ECONNRESET/i.test(message)) {
    const portOption = facts.port === 22 ? '' : `-p ${facts.port} `;
    const printed = facts.remoteStderr ? ` after printing "${facts.remoteStderr.replace(/\s*\n\s*/g, ' ')}"` : '';
    return `the remote's "docker system dial-stdio" ended without answering${printed}: the docker CLI must be on the ssh user's PATH there and reach its daemon (check with: ssh ${portOption}${facts.target} docker system info)`;
  }
  return undefined;
}
