/**
 * What a load remembers of earlier schema checks: the digests of models the compiled schema found
 * valid. Validity is a pure function of the model the validator sees and of the validator, so a
 * model whose digest is known valid needs no check (and its ~300 KB validator need not be loaded).
 *
 * The digest covers exactly what is validated: every value the validator can tell apart gives
 * another text (null, NaN, ±Infinity, -0 and undefined included; JSON.stringify would merge some),
 * plus the schema and the ajv options it was compiled with (the validator's own identity, held
 * equal to it by schema.test.ts). A model holding anything but plain data gets no digest and is
 * always validated. Only models valid as they stand are recorded: one that passes after a cast
 * of text to a number (castTypedText) is changed by its check, so it is checked every time.
 */
import { createHash } from 'node:crypto';
import { composeSchema } from './compose-schema.js';
import { AJV_OPTIONS } from './ajv-options.js';

/** Digests of models known valid, kept by the caller (e.g. a file under the user's cache directory). */
export interface ValidityCache {
  has(digest: string): boolean;
  add(digest: string): void;
}

let validatorIdentity: string | undefined;

/** The schema and options the validator was compiled from (compose-schema-validator.ts holds the same). */
function identity(): string {
  return (validatorIdentity ??= `${JSON.stringify(composeSchema)}\n${JSON.stringify(AJV_OPTIONS)}\n`);
}

/** The digest of `model` as the validator sees it, or undefined when it holds more than plain data. */
export function modelDigest(model: unknown): string | undefined {
  const parts: string[] = [];
  if (!serialize(model, parts, 0)) return undefined;
  return createHash('sha256').update(identity()).update(parts.join('')).digest('hex');
}

const MAX_DEPTH = 1000;

/** Appends a text that differs for any two values the validator could tell apart; false for non-data. */
function serialize(value: unknown, out: string[], depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  switch (typeof value) {
    case 'string':
      out.push('s', JSON.stringify(value));
      return true;
    case 'number':
      // String() keeps NaN and Infinity apart; -0 is spelled out (String(-0) is "0").
      out.push('n', Object.is(value, -0) ? '-0' : String(value), ';');
      return true;
    case 'boolean':
      out.push(value ? 'T' : 'F');
      return true;
    case 'undefined':
      out.push('U');
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) {
    out.push('N');
    return true;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !serialize(value[i], out, depth + 1)) return false;
      out.push(',');
    }
    out.push(']');
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  out.push('{');
  // Own keys in their order, non-enumerable ones too (a validator walking `for … in` would not see
  // those, so such a model is refused rather than guessed at).
  for (const key of Reflect.ownKeys(value) as string[]) {
    const desc = Object.getOwnPropertyDescriptor(value, key)!;
    if (!desc.enumerable || !('value' in desc)) return false;
    out.push(JSON.stringify(key), ':');
    if (!serialize(desc.value, out, depth + 1)) return false;
    out.push(',');
  }
  out.push('}');
  return true;
}
