/**
 * The ajv options of the schema check (shared by the ahead-of-time compile in schemas/generate.sh).
 * allErrors: collect every problem; coerceTypes: an interpolated "3" is a number where one is
 * expected; verbose: errors carry their schema (for "did you mean" on unknown keys).
 */
export const AJV_OPTIONS = { allErrors: true, strict: false, coerceTypes: true, verbose: true } as const;
