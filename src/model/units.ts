/**
 * Compose units, one parser for the loader (which rejects what does not parse, at load time) and
 * the planner (which converts for the Engine API):
 *  - durations in Go's time.ParseDuration syntax, as docker compose v2 reads them ("1m30s",
 *    "500ms", "1.5h"; a bare "0" needs no unit, any other bare number does);
 *  - byte sizes in docker's RAMInBytes syntax ("512m", "1.5g", "1GiB", "100 kb"; a YAML integer
 *    is a number of bytes).
 * Pure: no I/O.
 */

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
// The micro signs as escapes: one non-ASCII character in a bundle makes node hold all its source as
// two-byte text (slower to decode and to scan at every start, issue 9).
const DURATION_PART = /^(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;

/** Go duration text → nanoseconds (may be negative); undefined when it does not parse. */
export function parseDuration(text: string): number | undefined {
  let rest = text.trim();
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION_PART.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/** A compose duration in nanoseconds; undefined when absent or unparseable. A JS number is seconds. */
export function durationNs(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number') return Math.round(value * 1e9);
  return parseDuration(value);
}

/** A compose duration in whole seconds (rounded up), or the fallback. */
export function durationSeconds(value: string | number | undefined, fallback: number): number {
  const ns = durationNs(value);
  return ns === undefined ? fallback : Math.ceil(ns / 1e9);
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp]?)i?b?$/i;

/** Size text ("512m", "1.5g", "1GiB", "100 kb", "1024") → bytes; undefined when it does not parse. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
}

/** A byte size ("512m", "1.5g", 1024) in bytes; undefined when absent or unparseable. */
export function bytes(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number') return value;
  return parseSize(value);
}
