/**
 * `mixcompose images`: the project's images on both daemons (service, platform, daemon, image,
 * id, size, created). `--format json` prints one JSON array.
 */
import { Command, Option } from 'commander';
import { formatBytes, listProjectImages, type ProjectImageRow } from '../../engine/images.js';
import { selectServices } from './pull.js';
import { withSession } from './session.js';

export function formatImagesTable(rows: readonly ProjectImageRow[]): string {
  const header = ['SERVICE', 'PLATFORM', 'IMAGE', 'ID', 'SIZE', 'DAEMON'];
  const body = rows.map((r) => [
    r.service,
    r.platform,
    r.image,
    r.id ? r.id.replace(/^sha256:/, '').slice(0, 12) : '(missing)',
    r.size === undefined ? '-' : formatBytes(r.size),
    r.daemon,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return [header, ...body].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

export function registerImages(program: Command): void {
  program
    .command('images')
    .description("List the project's images on both daemons")
    .argument('[services...]', 'only these services')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (services: string[], flags: { format: 'table' | 'json' }, command: Command) => {
      await withSession(
        command,
        async (session) => {
          const selected = selectServices(session.project, services, false);
          const rows = await listProjectImages(session.project, session.daemons.clients, session.daemons.facts, selected);
          await session.reporter.close();
          process.stdout.write(flags.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : formatImagesTable(rows));
        },
        { progress: 'quiet' },
      );
    });
}
