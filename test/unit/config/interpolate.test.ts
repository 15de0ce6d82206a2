import { describe, expect, it } from 'vitest';
import { InterpolationError, interpolateString } from '../../../src/config/interpolate.js';
import { EnvFileError, parseEnvFile } from '../../../src/config/env-file.js';

const env: Record<string, string> = { A: 'a', EMPTY: '', B: 'b' };
const run = (s: string, e: Record<string, string> = env) => interpolateString(s, (n) => e[n]);

describe('interpolateString', () => {
  it('substitutes $VAR and ${VAR}', () => {
    expect(run('x$A-${B}y')).toBe('xa-by');
    expect(run('$Ab')).toBe('');
    expect(run('${A}b')).toBe('ab');
  });

  it('turns $$ into a literal $ and leaves a lone $ alone', () => {
    expect(run('$$A $${A} cost: 5$')).toBe('$A ${A} cost: 5$');
    expect(run('a $ b')).toBe('a $ b');
  });

  it('applies :- and - defaults (empty vs unset)', () => {
    expect(run('${EMPTY:-d}')).toBe('d');
    expect(run('${EMPTY-d}')).toBe('');
    expect(run('${NOPE-d}')).toBe('d');
    expect(run('${A:-d}')).toBe('a');
  });

  it('nests defaults: ${A:-${B:-x}}', () => {
    expect(run('${NOPE:-${B:-x}}')).toBe('b');
    expect(run('${NOPE:-${NADA:-x}}')).toBe('x');
    expect(run('${NOPE:-pre-${B}-post}')).toBe('pre-b-post');
    expect(run('${A:-${NOPE:?never evaluated}}')).toBe('a');
  });

  it('applies :+ and + alternatives', () => {
    expect(run('${A:+yes}')).toBe('yes');
    expect(run('${EMPTY:+yes}')).toBe('');
    expect(run('${EMPTY+yes}')).toBe('yes');
    expect(run('${NOPE+yes}')).toBe('');
  });

  it('fails on :? and ? with the message', () => {
    expect(() => run('${NOPE:?set NOPE please}')).toThrow('required variable NOPE is missing a value: set NOPE please');
    expect(() => run('${EMPTY:?}')).toThrow('required variable EMPTY is missing a value: empty or unset');
    expect(run('${EMPTY?must be set}')).toBe('');
    expect(() => run('${NOPE?}')).toThrow(InterpolationError);
  });

  it('reports unset variables and substitutes a blank', () => {
    const unset: string[] = [];
    expect(interpolateString('${X}:$Y:${A}', (n) => env[n], (n) => unset.push(n))).toBe('::a');
    expect(unset).toEqual(['X', 'Y']);
  });

  it('rejects malformed expressions', () => {
    expect(() => run('${')).toThrow('expected a variable name');
    expect(() => run('${A')).toThrow('missing closing "}"');
    expect(() => run('${A!x}')).toThrow('unexpected "!"');
    expect(() => run('${1A}')).toThrow(InterpolationError);
  });
});

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines with quotes, comments, export and bare keys', () => {
    const lines = parseEnvFile(
      [
        '# comment',
        'export A=1',
        'B = two words # trailing comment',
        "C='single $A # kept'",
        'D="double\\nline $A"',
        'E',
        'F=',
        'G=${A}-${B}',
      ].join('\n'),
    );
    expect(Object.fromEntries(lines.map((l) => [l.key, l.value]))).toEqual({
      A: '1',
      B: 'two words',
      C: 'single $A # kept',
      D: 'double\nline 1',
      E: undefined,
      F: '',
      G: '1-two words',
    });
  });

  it('names the line of a bad entry', () => {
    expect(() => parseEnvFile('A=1\nX$Y=2\n')).toThrow('unexpected character "$" in variable name "X$Y=2"');
    try {
      parseEnvFile('A=1\n\nB C=2\n');
    } catch (error) {
      expect((error as EnvFileError).line).toBe(3);
      expect((error as Error).message).toContain('key cannot contain a space');
    }
    expect.assertions(3);
  });
});
