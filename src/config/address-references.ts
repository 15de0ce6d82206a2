/**
 * Address references: `{{ svc.host }}`, `{{ svc.port:N }}`, `{{ svc.ip }}` (spaces optional) in a
 * service's environment values, command, entrypoint, extra_hosts and label values, where `svc` is
 * a service of the project. They are not compose interpolation (which runs first); they are
 * resolved when the consumer's container is created. For a service of the project, unknown kinds,
 * `port` without N, and N outside 1-65535 are errors.
 * Any other `{{ … }}` text (Go templates such as `{{ .Task.Name }}`, which Swarm needs) passes
 * through unchanged, as in docker compose; one shaped like a reference to a name that is no service
 * gets a warning (a typo would otherwise go unnoticed).
 */
import type { AddressReference } from '../model/project.js';
import { didYouMean } from './suggest.js';

/** Candidates: text between `{{` and `}}`. */
const REFERENCE = /\{\{([^{}]*)\}\}/g;
const INNER = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]*?)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([^\s]*))?\s*$/;

export interface ReferenceProblem {
  readonly text: string;
  readonly message: string;
  readonly path: readonly (string | number)[];
  readonly severity?: 'warning';
}

/**
 * `services`: the names of the project's services (all of them, profiles aside); without it, every
 * reference-shaped text is taken for a reference.
 */
export function parseAddressReferences(
  value: string,
  path: readonly (string | number)[],
  services?: readonly string[],
): { references: AddressReference[]; problems: ReferenceProblem[] } {
  const references: AddressReference[] = [];
  const problems: ReferenceProblem[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    const text = match[0];
    const inner = INNER.exec(match[1]!);
    if (!inner) continue;
    const [, service, kind, arg] = inner as unknown as [string, string, string, string | undefined];
    if (services && !services.includes(service)) {
      if (kind === 'host' || kind === 'ip' || kind === 'port') {
        const message = `${text} is left as written: no service "${service}"${didYouMean(service, services)}, so it is no address reference`;
        problems.push({ text, path, message, severity: 'warning' });
      }
      continue;
    }
    if (kind === 'host' || kind === 'ip') {
      if (arg !== undefined) {
        problems.push({ text, path, message: `invalid address reference ${text}: ${kind} takes no ":${arg}"` });
        continue;
      }
      references.push({ service, kind, text, path });
    } else if (kind === 'port') {
      const port = arg !== undefined && /^\d+$/.test(arg) ? Number(arg) : NaN;
      if (!(port >= 1 && port <= 65535)) {
        problems.push({
          text,
          path,
          message: `invalid address reference ${text}: port needs a container port, as in {{ ${service}.port:5432 }}`,
        });
        continue;
      }
      references.push({ service, kind, port, text, path });
    } else {
      problems.push({ text, path, message: `unknown address reference kind "${kind}" in ${text}: expected host, port:N or ip` });
    }
  }
  return { references, problems };
}

/** Where address references may appear, in the order they are scanned. */
export interface ReferenceSources {
  readonly environment: Readonly<Record<string, string | null>>;
  readonly command?: readonly string[] | null;
  readonly entrypoint?: readonly string[] | null;
  readonly extra_hosts: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export function collectAddressReferences(
  service: ReferenceSources,
  services?: readonly string[],
): { references: AddressReference[]; problems: ReferenceProblem[] } {
  const references: AddressReference[] = [];
  const problems: ReferenceProblem[] = [];
  const scan = (value: string | null | undefined, path: (string | number)[]) => {
    if (typeof value !== 'string' || !value.includes('{{')) return;
    const r = parseAddressReferences(value, path, services);
    references.push(...r.references);
    problems.push(...r.problems);
  };
  for (const [k, v] of Object.entries(service.environment)) scan(v, ['environment', k]);
  service.command?.forEach((v, i) => scan(v, ['command', i]));
  service.entrypoint?.forEach((v, i) => scan(v, ['entrypoint', i]));
  service.extra_hosts.forEach((v, i) => scan(v, ['extra_hosts', i]));
  for (const [k, v] of Object.entries(service.labels)) scan(v, ['labels', k]);
  return { references, problems };
}
