/**
 * The ajv options of the schema check (shared by the ahead-of-time compile in schemas/generate.sh).
 * allErrors: collect every problem; verbose: errors carry their schema (for "did you mean" on
 * unknown keys). No coerceTypes: ajv would also turn numbers into text (`healthcheck.test: 42`
 * passing as "42") and null into "" / 0 / false. The casts docker compose makes (text to a number
 * or boolean, e.g. an interpolated "${PORT}") are done by castTypedText in schema.ts.
 */
export const AJV_OPTIONS = { allErrors: true, strict: false, coerceTypes: false, verbose: true } as const;
