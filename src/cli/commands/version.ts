/** `mixcompose version`: the client, and each daemon of the current file (engine, API, OS). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { readFileSync } from 'node:fs';
import { distinctDaemons } from '../../engine/observe.js';
import { withSession } from './session.js';

/** This package's version (package.json beside dist/ and src/). */
export function clientVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export interface VersionReport {
  readonly client: { readonly version: string; readonly node: string };
  readonly daemons: readonly { platform: string; endpoint: string; engine?: string; api?: string; os: string }[];
}

export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('Show the mixcompose version and the versions of both daemons')
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .option('--short', 'only the mixcompose version')
    .action(async (flags: { format: string; short?: boolean }, command: Command) => {
      const client = { version: clientVersion(), node: process.versions.node };
      if (flags.short) return void process.stdout.write(`${client.version}\n`);
      const daemons = await withSession(
        command,
        async (session) =>
          distinctDaemons(session.daemons.clients, session.daemons.facts).map(([platform, c]) => {
            const f = session.daemons.facts[platform];
            return { platform, endpoint: c.label, ...(f?.serverVersion ? { engine: f.serverVersion } : {}), ...(f?.apiVersion ? { api: f.apiVersion } : {}), os: `${f?.osType ?? '?'}${f?.operatingSystem ? ` (${f.operatingSystem})` : ''}` };
          }),
        { progress: 'quiet' },
      );
      const report: VersionReport = { client, daemons };
      if (flags.format === 'json') return void process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      const lines = [`mixcompose ${client.version} (node ${client.node})`, ...daemons.map((d) => `${d.platform} daemon: ${d.endpoint}: engine ${d.engine ?? '?'}, API ${d.api ?? '?'}, ${d.os}`)];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
