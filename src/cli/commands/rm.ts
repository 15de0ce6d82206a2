/**
 * `mixcompose rm [-f] [-s] [-v] [services…]`: removes the stack's stopped containers on both daemons;
 * `rm --to swarm` removes the project's stack from a cluster instead.
 */
import { addClusterOptions, removeFromSwarm, type ClusterFlags } from './deploy.js';
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../../errors.js';
import { onContainers } from './container-targets.js';
import { projectContainers } from '../../engine/project-containers.js';
import { withSession } from './session.js';

interface RmFlags {
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
  dryRun?: boolean;
}

/** Asks on the terminal; anything but y/yes is no. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerRm(program: Command): void {
  const rm = program
    .command('rm')
    .description("Remove the stack's stopped containers on both daemons")
    .argument('[services...]', 'only these services')
    .option('-f, --force', 'do not ask')
    .option('-s, --stop', 'stop the containers first')
    .option('-v, --volumes', 'remove their anonymous volumes too')
    .option('--dry-run', 'say what would be removed, remove nothing');
  addClusterOptions(rm, false).action(async (services: string[], flags: RmFlags & ClusterFlags, command: Command) => {
      if (flags.to) return removeFromSwarm(command, flags);
      const query = { all: true } as const;
      const removable = (status: string) => flags.stop || (status !== 'running' && status !== 'paused' && status !== 'restarting');
      if (!flags.force && !flags.dryRun) {
        const names = await withSession(command, async (s) => (await projectContainers(s.project.name, s.daemons, { ...query, services })).filter((t) => removable(t.container.status)).map((t) => t.container.name), { progress: 'quiet', services });
        if (!names.length) return void process.stderr.write('No stopped containers\n');
        if (!process.stdin.isTTY) throw new UsageError(`rm would remove ${names.join(', ')}: confirm with -f (stdin is not a terminal to ask)`);
        if (!(await confirm(`Going to remove ${names.join(', ')}\nAre you sure? [yN] `))) return;
      }
      const removed = await onContainers(
        command,
        services,
        query,
        { verb: 'remove', select: (t) => removable(t.container.status), ...(flags.dryRun ? { dryRun: true } : {}) },
        async (t) => {
          if (flags.stop && t.container.status !== 'exited' && t.container.status !== 'created') await t.client.stopContainer(t.container.id, 10);
          await t.client.removeContainer(t.container.id, { force: true, ...(flags.volumes ? { volumes: true } : {}) });
        },
      );
      for (const { target } of removed) process.stderr.write(`Container ${target.container.name}  Removed\n`);
    });
}
