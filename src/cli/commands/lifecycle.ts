/**
 * `start`, `stop`, `restart`: the same pipeline as up/down over existing containers (the library's
 * lifecycleOn); this file only parses and prints.
 */
import { Command, Option } from 'commander';
import { lifecycleOn } from '../../api/on-daemons.js';
import type { PlanCommand } from '../../plan/reconcile-options.js';
import { printPlans } from './dry-run.js';
import { givenArgs, resumeCommand, seconds, withSession } from './session.js';

function registerLifecycle(program: Command, name: Exclude<PlanCommand, 'up' | 'down'>, description: string): void {
  const command = program
    .command(name)
    .description(description)
    .argument('[services...]', 'services (default: all)');
  if (name !== 'start') command.addOption(new Option('-t, --timeout <seconds>', 'stop timeout').argParser(seconds));
  if (name === 'restart') command.option('--no-deps', 'do not restart the services depending on these with restart: true');
  command.option('--dry-run', 'print the plan, change nothing');
  command.action(async (services: string[], flags: { timeout?: number; deps?: boolean; dryRun?: boolean }, cmd: Command) => {
    await withSession(cmd, async (session) => {
      const { plan } = await lifecycleOn(session.project, session.daemons, name, {
        services,
        ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
        ...(flags.deps === false ? { noDeps: true } : {}),
        onEvent: session.reporter.sink,
        ...(flags.dryRun ? { dryRun: true } : {}),
        resume: resumeCommand(session, name, givenArgs(cmd)),
      });
      if (flags.dryRun) await printPlans(session, [plan]);
    }, { services });
  });
}

export function registerStart(program: Command): void {
  registerLifecycle(program, 'start', 'Start existing containers in dependency order');
}

export function registerStop(program: Command): void {
  registerLifecycle(program, 'stop', 'Stop running containers in reverse dependency order');
}

export function registerRestart(program: Command): void {
  registerLifecycle(program, 'restart', 'Restart containers in dependency order');
}
