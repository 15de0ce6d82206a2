/** Plain renderings of converter output for golden files: YAML documents, then the problems as comments. */
import { stringify } from 'yaml';
import { formatProblem, type ConvertProblem } from '../../../src/convert/problems.js';

export function renderOutput(documents: readonly unknown[], problems: readonly ConvertProblem[]): string {
  const yaml = documents.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
  const lines = problems.map((p) => `# ${p.severity}: ${formatProblem(p)}\n`).join('');
  return `${yaml}${lines ? `---\n${lines}` : ''}`;
}
