/**
 * Loads one compose file in a child process and prints what happened as one JSON line:
 * `{ "kind": "model" | "problems" | "crash", "message"?, "cpuMs" }`. For inputs that keep the CPU
 * busy for seconds (the alias bomb): in the test worker they would block vitest's own messages.
 * Run with vite-node: `vite-node test/unit/property/load-in-child.ts -- <dir>`.
 */
import { loadProject } from '../../../src/config/load-project.js';
import { ConfigError } from '../../../src/errors.js';

const dir = process.argv.at(-1)!;
const before = process.cpuUsage();
let result: { kind: string; message?: string };
try {
  await loadProject({ files: ['compose.yaml'], cwd: dir, envFiles: [], profiles: [], environment: {} });
  result = { kind: 'model' };
} catch (error) {
  result = error instanceof ConfigError ? { kind: 'problems', message: error.message } : { kind: 'crash', message: String((error as Error).stack ?? error) };
}
const used = process.cpuUsage(before);
process.stdout.write(`${JSON.stringify({ ...result, cpuMs: (used.user + used.system) / 1000 })}\n`);
