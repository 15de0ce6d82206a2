/**
 * Env files as compose-go's dotenv package expects them to read (its godotenv, parser and
 * var-expansion tests), each expectation restated with our own inputs.
 */
import { describe, expect, it } from 'vitest';
import { EnvFileError, parseEnvFile } from '../../../src/config/env-file.js';

const read = (text: string, env: Record<string, string> = {}): Record<string, string | undefined> =>
  Object.fromEntries(parseEnvFile(text, (n) => env[n]).map((l) => [l.key, l.value]));

describe('dotenv: one statement → key and value (compose-go TestParsing)', () => {
  const cases: [string, string, string][] = [
    ['PORT=8080', 'PORT', '8080'],
    ['PORT =8080', 'PORT', '8080'],
    ['PORT= 8080', 'PORT', '8080'],
    ['NAME="web"', 'NAME', 'web'],
    ["NAME='web'", 'NAME', 'web'],
    ['MSG="say \\"hi\\""', 'MSG', 'say "hi"'],
    ['MSG="\\"all\\""', 'MSG', '"all"'],
    [`MSG="'inner'"`, 'MSG', "'inner'"],
    ['LEVEL: 3', 'LEVEL', '3'],
    ['DSN: user=me', 'DSN', 'user=me'],
    ['HOSTPORT=db:5432', 'HOSTPORT', 'db:5432'],
    ['export LEVEL=3', 'LEVEL', '3'],
    ["export RAW='\\n'", 'RAW', '\\n'],
    ['export exportName=1', 'exportName', '1'],
    ['exportNAME=1', 'exportNAME', '1'],
    ['export_NAME =1', 'export_NAME', '1'],
    ['export.NAME= 1', 'export.NAME', '1'],
    ['export\tTABBED=1', 'TABBED', '1'],
    ['   export INDENTED=1', 'INDENTED', '1'],
    ['\texport INDENTED=1', 'INDENTED', '1'],
    ['export SAID="export it"', 'SAID', 'export it'],
    ['TWO="one\\ntwo"', 'TWO', 'one\ntwo'],
    ['TAB=x\\ty', 'TAB', 'x\\ty'],
    ['TAB="x\\ty"', 'TAB', 'x\ty'],
    ['ESC="A\\aA\\bA\\fA\\nA\\rA\\tA\\vA\\\\A\\0101A"', 'ESC', 'A\x07A\bA\fA\nA\rA\tA\vA\\AAA'],
    ['DOTTED.NAME=v', 'DOTTED.NAME', 'v'],
    ['EQ=a=b=', 'EQ', 'a=b='],
    ['TRIM=value   ', 'TRIM', 'value'],
    ['C=value # note', 'C', 'value'],
    ['C=value #note', 'C', 'value'],
    ['C=value #', 'C', 'value'],
    ['C=42#not-a-comment', 'C', '42#not-a-comment'],
    ['Q="a#b"', 'Q', 'a#b'],
    ['Q="a#b"#', 'Q', 'a#b'],
    ['Q="a#b" # note', 'Q', 'a#b'],
    ["Q='a#b' # note", 'Q', 'a#b'],
    ['Q="a#b#c" # note', 'Q', 'a#b#c'],
    ['BS="x\\n\\ y\\az"', 'BS', 'x\n\\ y\x07z'],
    ['BS="x\\\\\\n\\ y"', 'BS', 'x\\\n\\ y'],
    ['BS="x\\\\r\\ y"', 'BS', 'x\\r\\ y'],
    ['BS="x\\nend\\\\"', 'BS', 'x\nend\\'],
    ['="only value"', '', 'only value'],
    [' LEAD =v', 'LEAD', 'v'],
    ['   LEAD=v', 'LEAD', 'v'],
    ['\tLEAD=v', 'LEAD', 'v'],
    ['OCT="\\0102"', 'OCT', 'B'],
    ['HEX="\\x41"', 'HEX', '\\x41'],
    ['UNI="\\u00e9"', 'UNI', '\\u00e9'],
    ['UNI="\\U0001F600"', 'UNI', '\\U0001F600'],
  ];
  it.each(cases)('%j', (line, key, value) => {
    expect(read(line)).toEqual({ [key]: value });
  });

  it('rejects a statement with a character that cannot be in a key', () => {
    expect(() => read('oops$x')).toThrow(EnvFileError);
    expect(() => read('%bad=1')).toThrow('unexpected character "%" in variable name "%bad=1"');
  });
});

describe('dotenv: files (compose-go fixtures, restated)', () => {
  it('reads plain statements, empty values and inline comments', () => {
    expect(read('A=1\nB= 2\nC =3\nD = 4\nE = \nF=\nG = two words # note\n')).toEqual({ A: '1', B: '2', C: '3', D: '4', E: '', F: '', G: 'two words' });
  });

  it('keeps a key that starts with a digit (compose reads .env with GetEnvFromFile, which keeps it)', () => {
    expect(read('123 = abc\n')).toEqual({ '123': 'abc' });
  });

  it('reads quoted values, multi-line single quotes and an escaped single quote', () => {
    const text = ["A='1'", "B=''", "C='\\n'", 'D=""', 'E="\\n"', `F = "run 'x'" # note`, "G = 'one", 'two', "three'", "H='It\\'s fine'", 'Z = "end"'].join('\n');
    expect(read(text)).toEqual({ A: '1', B: '', C: '\\n', D: '', E: '\n', F: "run 'x'", G: 'one\ntwo\nthree', H: "It's fine", Z: 'end' });
  });

  it('reads unquoted phrases with spaces and non-ASCII letters', () => {
    expect(read('A = "a phrase"\nB=two words\nC = with è accent\n')).toEqual({ A: 'a phrase', B: 'two words', C: 'with è accent' });
  });

  it('reads keys with dots, dashes, brackets and letters of any script', () => {
    expect(read('a.b=1\na[0]=2\nx-y=3\nárvíz-TÜKÖR=ű\n')).toEqual({ 'a.b': '1', 'a[0]': '2', 'x-y': '3', 'árvíz-TÜKÖR': 'ű' });
  });

  it('skips a UTF-8 byte order mark, blank lines, CRLF and indented comments', () => {
    expect(read('\uFEFFA=1\r\n\r\n\t\t \n\t # note\nB=2\r\n')).toEqual({ A: '1', B: '2' });
  });

  it('reads a double-quoted value holding a newline', () => {
    expect(read('URLS="tcp://a:1\ntcp://b:2"')).toEqual({ URLS: 'tcp://a:1\ntcp://b:2' });
  });

  it('reports a key with a space inside, with its line', () => {
    let caught: unknown;
    try {
      read('# note\nM="\n  multi\n  line\n"\nBAD KEY\nok=1');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvFileError);
    expect((caught as EnvFileError).message).toContain('key cannot contain a space');
    expect((caught as EnvFileError).line).toBe(6);
  });

  const unterminated = ['K="', 'K="value', 'K="value\\"', `K="value'`, "K='", "K='value", "K='value\\'", `K='value"`];
  it.each(unterminated)('rejects the unterminated quote %j', (text) => {
    expect(() => read(text)).toThrow('unterminated quoted value');
  });
});

describe('dotenv: variables (compose-go substitution and expansion tests)', () => {
  it('expands earlier keys, braces and unset variables', () => {
    expect(read('A=1\nB=${A}\nC=$B\nD=${A}_${B}\nE=${NOPE}')).toEqual({ A: '1', B: '1', C: '1', D: '1_1', E: '' });
  });

  it('prefers the environment over an earlier key of the file', () => {
    expect(read('A=1\nB=${A}\nC=$B\nD=${A}_${B}\nE=${NOPE}', { A: '5' })).toEqual({ A: '1', B: '5', C: '5', D: '5_5', E: '' });
  });

  it('uses defaults against the environment', () => {
    const text = 'A=${A:-1}\nB=${A}\nC=$B\nD=${A}_${B}';
    expect(read(text, { A: '5' })).toEqual({ A: '5', B: '5', C: '5', D: '5_5' });
    expect(read(text)).toEqual({ A: '1', B: '1', C: '1', D: '1_1' });
  });

  it('expands in double quotes, not in single quotes, and not after a backslash', () => {
    expect(read('A=x\nB="q $A"')).toEqual({ A: 'x', B: 'q x' });
    expect(read("B='q $A'")).toEqual({ B: 'q $A' });
    expect(read('B="q\\$A"')).toEqual({ B: 'q$A' });
    expect(read('B="q\\${A}"')).toEqual({ B: 'q${A}' });
    expect(read('A=x\nB="q\\${A} ${A}"')).toEqual({ A: 'x', B: 'q${A} x' });
  });

  it('takes a bare key from the environment, or leaves it out', () => {
    const lines = parseEnvFile('a=b\nFROM_ENV\nc=d', (n) => (n === 'FROM_ENV' ? 'env value' : undefined));
    expect(lines.map((l) => [l.key, l.value])).toEqual([
      ['a', 'b'],
      ['FROM_ENV', undefined],
      ['c', 'd'],
    ]);
  });

  it('reads a value from the lookup (ParseWithLookup)', () => {
    expect(read('T=$ME', { ME: 'YES' })).toEqual({ T: 'YES' });
  });

  const expansions: [string, Record<string, string>, string][] = [
    ['R=${UNSET:-Default Value}', {}, 'Default Value'],
    ['R=${EMPTY:-Default Value}', { EMPTY: '' }, 'Default Value'],
    ['R=${SET:-Default Value}', { SET: 'v' }, 'v'],
    ['R=${UNSET-Default Value}', {}, 'Default Value'],
    ['R=${EMPTY-Default Value}', { EMPTY: '' }, ''],
    ['R=${SET-Default Value}', { SET: 'v' }, 'v'],
    ['R=${SET:?err}', { SET: 'v' }, 'v'],
    ['R=${EMPTY?err}', { EMPTY: '' }, ''],
    ['R=${SET?err}', { SET: 'v' }, 'v'],
  ];
  it.each(expansions)('%s with %j', (text, env, value) => {
    expect(read(text, env)).toEqual({ R: value });
  });

  const required: [string, Record<string, string>][] = [
    ['R=${UNSET:?Test error}', {}],
    ['R=${EMPTY:?Test error}', { EMPTY: '' }],
    ['R=${UNSET?Test error}', {}],
  ];
  it.each(required)('%s with %j is an error', (text, env) => {
    expect(() => read(text, env)).toThrow('required variable');
  });

  it('reads many statements', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `KEY${i}=VALUE${i}`).join('\n');
    expect(Object.keys(read(text))).toHaveLength(1000);
  });
});
