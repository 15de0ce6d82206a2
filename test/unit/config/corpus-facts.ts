/** The facts the corpus test compares: one line per port and volume, as in corpus-expected.json. */
import type { Project } from '../../../src/model/project.js';

export interface ServiceFacts {
  image: string | null;
  ports: string[];
  environment: Record<string, string | null>;
  volumes: string[];
  depends_on: Record<string, string>;
}

export function factsOf(project: Project): Record<string, ServiceFacts> {
  const out: Record<string, ServiceFacts> = {};
  for (const [name, s] of Object.entries(project.services)) {
    out[name] = {
      image: s.image ?? null,
      ports: s.ports.map((p) => `${p.host_ip ?? ''}:${p.published ?? ''}->${p.target}/${p.protocol}`),
      environment: { ...s.environment },
      volumes: s.volumes.map((v) => `${v.type}:${v.source ?? ''}:${v.target}${v.read_only ? ':ro' : ''}`),
      depends_on: Object.fromEntries(Object.entries(s.depends_on).map(([d, c]) => [d, c.condition])),
    };
  }
  return out;
}
