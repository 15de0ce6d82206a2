/**
 * Address references on a cluster. On one daemon pair mixcompose resolves `{{ s.host }}` and
 * friends per daemon (plan/addresses.ts); on Swarm and Kubernetes every task reaches every other by
 * the cluster's DNS, so a reference becomes a name and a port, never an IP:
 *   {{ s.host }} → the service's DNS name, {{ s.port:N }} → N (the Service / VIP listens on the
 *   container port), {{ s.ip }} → the DNS name too (the cluster's name resolves to its virtual IP),
 *   with a warning, because an IP was asked for.
 */
import type { Project, Service } from '../model/project.js';
import { substitute } from '../plan/addresses.js';
import type { ProblemList } from './problems.js';

/** Reference text → replacement, for one consumer. */
export function clusterAddressValues(
  project: Project,
  consumer: Service,
  dnsName: (service: string) => string,
  problems: ProblemList,
): Map<string, string> {
  const values = new Map<string, string>();
  for (const ref of consumer.addressReferences ?? []) {
    if (values.has(ref.text)) continue;
    if (!project.services[ref.service]) {
      problems.error(`${ref.text} names service ${ref.service}, which is not in the project`, consumer.name, ['services', consumer.name, ...ref.path]);
      continue;
    }
    if (ref.kind === 'port') values.set(ref.text, String(ref.port));
    else values.set(ref.text, dnsName(ref.service));
    if (ref.kind === 'ip') {
      problems.warn(`${ref.text} becomes the name ${dnsName(ref.service)}: a cluster gives services a virtual IP behind their DNS name, not a fixed container IP`, consumer.name, ['services', consumer.name, ...ref.path]);
    }
  }
  return values;
}

/** The service's strings with every address reference replaced (environment, command, entrypoint, extra_hosts, labels). */
export function withClusterAddresses(service: Service, values: ReadonlyMap<string, string>): Service {
  if (values.size === 0) return service;
  return {
    ...service,
    environment: substitute(service.environment, values),
    command: substitute(service.command, values),
    entrypoint: substitute(service.entrypoint, values),
    extra_hosts: substitute(service.extra_hosts, values),
    labels: substitute(service.labels, values),
  };
}
