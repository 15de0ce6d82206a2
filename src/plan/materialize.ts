/**
 * The last step of building a container, shared by the planner (to compare hashes of what would
 * be created with what runs) and the executor (to create it once runtime addresses are known):
 * fill in substitutions, then stamp the config hash.
 */
import type { EngineBody } from '../model/engine-api.js';
import { substitute, substituteText } from './addresses.js';
import { configHash, rewrittenConfigHash, withHashLabel } from './config-hash.js';
import { LABEL_TEMPLATE_HASH } from './labels.js';
import type { ContainerSpec, RuntimeIp } from './plan.js';

export interface MaterializedSpec {
  readonly body: EngineBody;
  readonly connect: ContainerSpec['connect'];
  readonly files: ContainerSpec['files'];
  readonly hash: string;
}

/**
 * Resolves every substitution; `runtimeIp` answers runtime values (undefined = not known).
 * Returns undefined when some value is not known yet.
 */
export function materializeSpec(
  spec: ContainerSpec,
  runtimeIp: (ref: RuntimeIp) => string | undefined,
): MaterializedSpec | undefined {
  const values = substitutionValues(spec, runtimeIp);
  if (!values) return undefined;
  const substituted = substitute(spec.body, values);
  // An own label: the config hash leaves it out, so adding it recreates nothing.
  const body = { ...substituted, Labels: { ...((substituted.Labels ?? {}) as Record<string, string>), [LABEL_TEMPLATE_HASH]: templateHash(spec) } };
  const connect = substitute(spec.connect, values);
  const files = substitute(spec.files, values);
  const extra = { connect, files };
  const hash = configHash(body, extra);
  return { body: withHashLabel(body, hash), connect, files, hash };
}

/**
 * The config hash materializeSpec stamps, without building the body it would create (the template
 * hash label is an own label, which the hash leaves out): what the planner compares with a running
 * container's. Undefined when some value is not known yet.
 */
export function materializedHash(spec: ContainerSpec, runtimeIp: (ref: RuntimeIp) => string | undefined): string | undefined {
  const values = substitutionValues(spec, runtimeIp);
  if (!values) return undefined;
  const extra = { connect: spec.connect, files: spec.files };
  // Substituted as each string is written: no substituted copy of the body is made.
  if (!values.size) return configHash(spec.body, extra);
  const pairs = [...values];
  return rewrittenConfigHash(spec.body, extra, (text) => substituteText(text, pairs));
}

/** Each substitution's text → its value; undefined when some value is not known yet. */
function substitutionValues(spec: ContainerSpec, runtimeIp: (ref: RuntimeIp) => string | undefined): Map<string, string> | undefined {
  const values = new Map<string, string>();
  for (const s of spec.substitutions) {
    const value = s.value ?? (s.runtime ? runtimeIp(s.runtime) : undefined);
    if (value === undefined) return undefined;
    values.set(s.text, value);
  }
  return values;
}

/**
 * The digest of the spec with every address reference left as written ({{ db.host }}): equal for
 * two specs that differ at most in the addresses filled in. The planner compares it with an old
 * container's LABEL_TEMPLATE_HASH when the addresses are known only at run time.
 */
export function templateHash(spec: Pick<ContainerSpec, 'body' | 'connect' | 'files'>): string {
  return configHash(spec.body, { connect: spec.connect, files: spec.files });
}
