/** `mixcompose top [services…]`: the processes of each running container, on both daemons. */
import type { Command } from 'commander';
import { onContainers } from './container-targets.js';
import { containerIo } from '../../engine/interactive.js';
import type { ContainerTop } from '../../engine/daemon-client.js';

/** One container's process table, columns padded. */
export function formatTop(title: string, top: ContainerTop): string {
  const rows = [top.Titles, ...top.Processes];
  const widths = top.Titles.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${title}\n${rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('   ')).join('\n')}\n`;
}

export function registerTop(program: Command): void {
  program
    .command('top')
    .description("Show the processes of the stack's running containers")
    .argument('[services...]', 'only these services')
    .action(async (services: string[], _flags: unknown, command: Command) => {
      const tops = await onContainers(command, services, {}, { verb: 'top', select: (t) => t.container.status === 'running' }, (t) => containerIo(t.client).topContainer(t.container.id));
      process.stdout.write(tops.map(({ target, result }) => formatTop(`${target.container.name} (${target.client.label})`, result)).join('\n'));
    });
}
