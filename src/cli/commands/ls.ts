/**
 * `mixcompose ls`: the compose projects on the daemons of the current file (both platforms'),
 * each with its state per daemon, so a stack split over two daemons shows as one project with
 * its two platforms.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { distinctDaemons, observedContainer } from '../../engine/observe.js';
import { LABEL_CONFIG_FILES, LABEL_PROJECT, LABEL_ROLE, ROLE_REACH_RECORD } from '../../plan/labels.js';
import { withSession } from './session.js';
import type { PlatformOs } from '../../model/project.js';
import type { ObservedContainer } from '../../plan/observed-state.js';

export interface ProjectRow {
  readonly name: string;
  /** "running(2)" / "exited(1)" per daemon platform. */
  readonly status: string;
  readonly platforms: readonly PlatformOs[];
  readonly configFiles: string;
}

/** Projects from the containers of each daemon: name, platforms, "running(n), exited(m)". */
export function projectRows(containers: readonly ObservedContainer[], all: boolean): ProjectRow[] {
  const byProject = new Map<string, ObservedContainer[]>();
  for (const c of containers) {
    // The reach probe's record (never started) is no part of a project's status.
    if (c.labels[LABEL_ROLE] === ROLE_REACH_RECORD) continue;
    const name = c.labels[LABEL_PROJECT];
    if (name) byProject.set(name, [...(byProject.get(name) ?? []), c]);
  }
  return [...byProject]
    .map(([name, cs]) => {
      const counts = new Map<string, number>();
      for (const c of cs) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
      return {
        name,
        status: [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${s}(${n})`).join(', '),
        platforms: [...new Set(cs.map((c) => c.platform))].sort(),
        configFiles: cs.find((c) => c.labels[LABEL_CONFIG_FILES])?.labels[LABEL_CONFIG_FILES] ?? '',
      };
    })
    .filter((p) => all || p.status.includes('running'))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

export function registerLs(program: Command): void {
  program
    .command('ls')
    .description('List the compose projects on both daemons, with their platforms')
    .option('-a, --all', 'also projects with no running container')
    .option('-q, --quiet', 'only names')
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .action(async (flags: { all?: boolean; quiet?: boolean; format: string }, command: Command) => {
      const rows = await withSession(
        command,
        async (session) => {
          const lists = await Promise.all(
            distinctDaemons(session.daemons.clients, session.daemons.facts).map(async ([daemon, client]) =>
              (await client.listContainers({ label: [LABEL_PROJECT] }, true)).map((c) => observedContainer(c, daemon)),
            ),
          );
          return projectRows(lists.flat(), Boolean(flags.all));
        },
        { progress: 'quiet' },
      );
      if (flags.quiet) return void process.stdout.write(rows.map((r) => `${r.name}\n`).join(''));
      if (flags.format === 'json') return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      const table = [['NAME', 'STATUS', 'PLATFORMS', 'CONFIG FILES'], ...rows.map((r) => [r.name, r.status, r.platforms.join(','), r.configFiles])];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
      process.stdout.write(table.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n');
    });
}
