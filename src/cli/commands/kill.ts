/** `mixcompose kill [-s SIGNAL] [services…]`: sends a signal to the running containers on both daemons. */
import type { Command } from 'commander';
import { onContainers } from './container-targets.js';

export function registerKill(program: Command): void {
  program
    .command('kill')
    .description("Kill the stack's running containers on both daemons (Windows containers are always terminated: they have no signals)")
    .argument('[services...]', 'only these services')
    .option('-s, --signal <signal>', 'signal to send', 'SIGKILL')
    .option('--dry-run', 'say what would be killed, kill nothing')
    .action(async (services: string[], flags: { signal: string; dryRun?: boolean }, command: Command) => {
      const killed = await onContainers(command, services, {}, { verb: 'kill', ...(flags.dryRun ? { dryRun: true } : {}) }, (t) => t.client.killContainer(t.container.id, flags.signal));
      for (const { target } of killed) process.stderr.write(`Container ${target.container.name}  Killed\n`);
    });
}
