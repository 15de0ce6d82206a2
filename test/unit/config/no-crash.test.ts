/**
 * No input may crash the loader: mutated real files (deleted, doubled and re-indented lines,
 * YAML punctuation dropped in, truncation) either load or fail with a ConfigError, never with
 * another exception.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../../src/config/load-project.js';
import { memoryFileSystem } from '../../../src/config/read-files.js';
import { ConfigError } from '../../../src/errors.js';
import { corpusDir } from '../../support/corpus.js';

const CORPUS = corpusDir();
const BAD = fileURLToPath(new URL('../../fixtures/config/bad/', import.meta.url));

function seeds(): string[] {
  const out = readdirSync(BAD).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(BAD + f, 'utf8'));
  for (const d of readdirSync(CORPUS)) {
    for (const f of ['compose.yaml', 'compose.yml']) if (existsSync(`${CORPUS}/${d}/${f}`)) out.push(readFileSync(`${CORPUS}/${d}/${f}`, 'utf8'));
  }
  return out;
}

/** A small deterministic PRNG (mulberry32), so a failure is reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PUNCTUATION = [':', '{', '}', '[', ']', '"', "'", '&a', '*a', '!reset', '!override', '|', '>', '-', '#', '$', '${', '{{', '}}', '<<: *a', '\t', '~', 'null', '0x1f', '1e9'];

function mutate(text: string, rnd: () => number): string {
  const lines = text.split('\n');
  const pick = () => Math.floor(rnd() * lines.length);
  const steps = 1 + Math.floor(rnd() * 3);
  for (let s = 0; s < steps; s++) {
    const i = pick();
    switch (Math.floor(rnd() * 6)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[pick()] ?? '');
        break;
      case 2:
        lines[i] = (rnd() < 0.5 ? '  ' : '') + (lines[i] ?? '').replace(/^ {2}/, rnd() < 0.5 ? '' : '    ');
        break;
      case 3: {
        const l = lines[i] ?? '';
        const at = Math.floor(rnd() * (l.length + 1));
        lines[i] = l.slice(0, at) + PUNCTUATION[Math.floor(rnd() * PUNCTUATION.length)] + l.slice(at);
        break;
      }
      case 4:
        lines.length = Math.max(1, i);
        break;
      default:
        lines[i] = (lines[i] ?? '').replace(/: .*/, `: ${PUNCTUATION[Math.floor(rnd() * PUNCTUATION.length)]}`);
    }
  }
  return lines.join('\n');
}

describe('no input crashes the loader', () => {
  it('mutated files load or fail with a ConfigError', async () => {
    const rnd = random(20261122);
    const inputs = seeds();
    let failures = 0;
    let loaded = 0;
    for (let n = 0; n < 600; n++) {
      const text = mutate(inputs[n % inputs.length]!, rnd);
      try {
        await loadProject({
          files: ['compose.yaml'],
          cwd: '/fuzz',
          envFiles: [],
          profiles: [],
          environment: {},
          fileSystem: memoryFileSystem({ '/fuzz/compose.yaml': text }),
        });
        loaded++;
      } catch (error) {
        if (!(error instanceof ConfigError)) {
          throw new Error(`crash on input #${n}:\n${text}\n---\n${error instanceof Error ? error.stack : String(error)}`);
        }
        expect(error.issues.length).toBeGreaterThan(0);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(100);
    expect(loaded).toBeGreaterThan(10);
  });
});
