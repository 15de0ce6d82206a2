/**
 * The project DNS resolver (names across daemons, see the team brief and README): a dnsmasq
 * container on the Linux daemon that answers the other daemon's service names from hosts files
 * in its hostsdir (written by putArchive as containers start) and forwards everything else to
 * its own Docker embedded DNS (127.0.0.11), which knows the Linux side's names.
 */
import type { EngineBody } from '../engine/daemon-client.js';
import type { Project } from '../model/project.js';
import { LABEL_NUMBER, LABEL_ONEOFF, LABEL_PLATFORM, LABEL_ROLE, LABEL_SERVICE, projectLabels } from './labels.js';

export const RESOLVER_DEFAULT_IMAGE = 'mixcompose/resolver:0.1';
export const RESOLVER_SERVICE = 'mixcompose-resolver';
/** Directory in the resolver container that dnsmasq watches for hosts files. */
export const RESOLVER_HOSTS_DIR = '/etc/mixcompose-hosts';
/** Placeholder for the resolver's address in other containers' DNS lists. */
export const RESOLVER_IP_TEXT = '{{ mixcompose.resolver.ip }}';

export function resolverContainerName(project: string): string {
  return `${project}-${RESOLVER_SERVICE}`;
}

/** Image: MIXCOMPOSE_RESOLVER_IMAGE (passed in) > x-mixcompose.resolver.image > default. */
export function resolverImage(project: Project, override?: string): string {
  return override ?? project.extension.resolver?.image ?? RESOLVER_DEFAULT_IMAGE;
}

export function resolverBody(project: Project, image: string, network: string): EngineBody {
  const script = [
    `mkdir -p ${RESOLVER_HOSTS_DIR}`,
    // --no-resolv + --server: everything not in the hostsdir goes to Docker's embedded DNS.
    `exec /usr/sbin/dnsmasq --keep-in-foreground --log-facility=- --user=root --group=root --no-resolv --no-hosts --server=127.0.0.11 --hostsdir=${RESOLVER_HOSTS_DIR}`,
  ].join(' && ');
  return {
    Image: image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [script],
    Labels: {
      ...projectLabels(project),
      [LABEL_SERVICE]: RESOLVER_SERVICE,
      [LABEL_NUMBER]: '1',
      [LABEL_ONEOFF]: 'False',
      [LABEL_PLATFORM]: 'linux',
      [LABEL_ROLE]: 'resolver',
    },
    HostConfig: { NetworkMode: network, RestartPolicy: { Name: 'unless-stopped' } },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [RESOLVER_SERVICE] } } },
  };
}

/** The hosts file for one container: `ip name` lines. */
export function hostsFileContent(ip: string, names: readonly string[]): string {
  return names.map((n) => `${ip} ${n}\n`).join('');
}
