/**
 * The config hash is written straight from the body (no copies without the own labels, the
 * substitutions applied while writing): on any body, label set and substitutions it must be the
 * digest the copying implementation made, else an upgrade would recreate every container (or keep
 * a changed one). The reference below is that implementation, as it was.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configHash, stableJson } from '../../../src/plan/config-hash.js';
import { isOwnLabel } from '../../../src/plan/labels.js';
import { materializedHash, materializeSpec } from '../../../src/plan/materialize.js';
import type { ContainerSpec, Substitution } from '../../../src/plan/plan.js';

function referenceStableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(referenceStableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  let out = '';
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${out ? ',' : ''}${JSON.stringify(key)}:${referenceStableJson(v)}`;
  }
  return `{${out}}`;
}

function referenceConfigHash(body: Record<string, unknown>, extra?: unknown): string {
  const labels = (body.Labels ?? {}) as Record<string, string>;
  const userLabels = Object.fromEntries(Object.entries(labels).filter(([k]) => !isOwnLabel(k)));
  return createHash('sha256')
    .update(referenceStableJson({ body: { ...body, Labels: userLabels }, extra }))
    .digest('hex');
}

function referenceSubstitute<T>(value: T, values: ReadonlyMap<string, string>): T {
  if (values.size === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let out = v;
      for (const [text, replacement] of values) if (out.includes(text)) out = out.split(text).join(replacement);
      return out;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [walk(k) as string, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

function referenceMaterializedHash(spec: ContainerSpec): string {
  const values = new Map(spec.substitutions.map((s) => [s.text, s.value!]));
  return referenceConfigHash(referenceSubstitute(spec.body, values), {
    connect: referenceSubstitute(spec.connect, values),
    files: referenceSubstitute(spec.files, values),
  });
}

// Strings from a small alphabet, so substitution texts, own-label prefixes and integer-like keys
// (which objects order first) turn up in keys and values, and rewritten keys collide.
const texts = ['{{ a.ip }}', '{{ b.host }}', 'x', 'Labels', '9', '10'];
const piece = fc.oneof(fc.constantFrom(...texts, 'com.docker.compose.', 'io.mixcompose.', 'é', '"', '\\'), fc.string({ maxLength: 3 }));
const text = fc.array(piece, { maxLength: 4 }).map((parts) => parts.join(''));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const labels = fc.oneof(fc.dictionary(text, fc.oneof(text, fc.constant(undefined)), { maxKeys: 6 }), json);
const body = fc.record({ Labels: labels }, { requiredKeys: [] }).chain((l) => fc.dictionary(text, json, { maxKeys: 5 }).map((rest) => ({ ...rest, ...l })));
const substitution = fc.record({ text: fc.constantFrom(...texts), value: text });
const spec = fc.record({
  body,
  substitutions: fc.uniqueArray(substitution, { selector: (s) => s.text, maxLength: 3 }),
  connect: fc.array(fc.record({ network: text, endpoint: fc.dictionary(text, json, { maxKeys: 3 }) }), { maxLength: 2 }),
  files: fc.array(fc.record({ path: text, content: text, mode: fc.integer({ min: 0, max: 0o777 }) }), { maxLength: 2 }),
}) as fc.Arbitrary<ContainerSpec & { substitutions: Substitution[] }>;

describe('config hash written from the body', () => {
  it('stableJson is the copying implementation\'s JSON', () => {
    fc.assert(fc.property(json, (value) => stableJson(value) === referenceStableJson(value)), { numRuns: 500 });
  });

  it('configHash is the copying implementation\'s digest', () => {
    fc.assert(
      fc.property(body, fc.option(json, { nil: undefined }), (b, extra) => configHash(b, extra) === referenceConfigHash(b, extra)),
      { numRuns: 500 },
    );
  });

  it('materializedHash (substituted while written) is the digest of the substituted copies, and what materializeSpec stamps', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const hash = materializedHash(s, () => undefined);
        expect(hash).toBe(referenceMaterializedHash(s));
        expect(materializeSpec(s, () => undefined)?.hash).toBe(hash);
      }),
      { numRuns: 500 },
    );
  });
});
