/**
 * Kubernetes names and labels for compose things. Object and container names are DNS-1123 labels
 * (lowercase letters, digits, '-', at most 63, starting with a letter for Services), so `my_db`
 * becomes `my-db`; address references use the same name, so they always match the Service.
 */

type Dict = Record<string, unknown>;

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';

/** A compose name as a DNS-1123 label. */
export function kubeName(name: string): string {
  let out = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '');
  if (!out) out = `x-${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}` || 'x';
  return out.slice(0, 63).replace(/-+$/, '');
}

/** Labels that select one compose service's pods. */
export function selectorLabels(project: string, service: string): Record<string, string> {
  return { [LABEL_NAME]: kubeName(service), [LABEL_PART_OF]: kubeName(project) };
}

/** Metadata of an object that belongs to the project (and, when given, to one service). */
export function objectMeta(project: string, name: string, service?: string): Dict {
  return {
    name,
    labels: { ...(service ? selectorLabels(project, service) : { [LABEL_PART_OF]: kubeName(project) }), [LABEL_MANAGED_BY]: 'mixcompose' },
  };
}
