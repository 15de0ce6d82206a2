/**
 * Prefixes for merged log output: "db-1     | text", coloured per service like docker compose.
 * Colour is chosen from the service name so it is stable between runs.
 */
const COLOURS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94] as const;

function colourIndex(name: string): number {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % COLOURS.length;
}

/** Pads every prefix to the widest so the `|` columns line up. */
export function logPrefix(name: string, width: number, colour: boolean): string {
  const padded = `${name.padEnd(width)} | `;
  return colour ? `\u001b[${COLOURS[colourIndex(name)]}m${padded}\u001b[0m` : padded;
}
