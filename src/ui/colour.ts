/**
 * Whether output may carry ANSI colour: `--ansi never|always|auto` as docker compose has it, and
 * NO_COLOR (https://no-color.org): set to a non-empty value it turns colour off, unless
 * `--ansi always` asks for it.
 */
export type AnsiMode = 'never' | 'always' | 'auto';

export function useColour(mode: AnsiMode, isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}
