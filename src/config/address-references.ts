/**
 * Address references: `{{ svc.host }}`, `{{ svc.port:N }}`, `{{ svc.ip }}` (spaces optional) in a
 * service's environment values, command, entrypoint, extra_hosts and label values. They are not
 * compose interpolation (which runs first); they are resolved when the consumer's container is
 * created. Unknown kinds, `port` without N, and N outside 1-65535 are errors.
 */
import type { AddressReference } from '../model/project.js';

/** Anything between `{{` and `}}` is taken to be an address reference. */
const REFERENCE = /\{\{([^{}]*)\}\}/g;
const INNER = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]*?)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([^\s]*))?\s*$/;

export interface ReferenceProblem {
  readonly text: string;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

export function parseAddressReferences(
  value: string,
  path: readonly (string | number)[],
): { references: AddressReference[]; problems: ReferenceProblem[] } {
  const references: AddressReference[] = [];
  const problems: ReferenceProblem[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    const text = match[0];
    const inner = INNER.exec(match[1]!);
    if (!inner) {
      problems.push({ text, path, message: `invalid address reference ${text}: expected {{ service.host }}, {{ service.port:N }} or {{ service.ip }}` });
      continue;
    }
    const [, service, kind, arg] = inner as unknown as [string, string, string, string | undefined];
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

export function collectAddressReferences(service: ReferenceSources): { references: AddressReference[]; problems: ReferenceProblem[] } {
  const references: AddressReference[] = [];
  const problems: ReferenceProblem[] = [];
  const scan = (value: string | null | undefined, path: (string | number)[]) => {
    if (typeof value !== 'string' || !value.includes('{{')) return;
    const r = parseAddressReferences(value, path);
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
