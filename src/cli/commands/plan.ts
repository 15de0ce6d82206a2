/**
 * `mixcompose plan [up|down|...]`: what the command would do, as text. Nothing is changed.
 */
import { Command, Option } from 'commander';
import { apply } from '../../engine/apply.js';
import { fieldWarnings } from '../../plan/field-warnings.js';
import { formatPlan } from '../../plan/format-plan.js';
import type { PlanCommand } from '../../plan/reconcile-options.js';
import { withSession } from './session.js';
import { upImageFacts } from '../../api/on-daemons.js';

/** Secrets and configs given as content are copied into containers: never print them. */
function redactFileContent(this: unknown, key: string, value: unknown): unknown {
  return key === 'content' && typeof value === 'string' && value !== '' ? '<redacted>' : value;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('Print what `up` (or another command) would do on both daemons')
    .addOption(new Option('--for <command>', 'the command to plan').choices(['up', 'down', 'start', 'stop', 'restart']).default('up'))
    .argument('[services...]', 'services (default: all)')
    .option('--force-recreate', 'plan as with up --force-recreate')
    .option('--remove-orphans', 'plan as with --remove-orphans')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (services: string[], flags: { for: PlanCommand; forceRecreate?: boolean; removeOrphans?: boolean; format: string }, command: Command) => {
      let text = '';
      await withSession(command, async (session) => {
        if (flags.for === 'up') for (const w of fieldWarnings(session.project, session.daemons.facts.linux, process.platform)) session.reporter.sink(w);
        const { plan } = await apply(session.project, session.daemons, {
          reconcile: {
            command: flags.for,
            services,
            ...(flags.forceRecreate ? { forceRecreate: true } : {}),
            ...(flags.removeOrphans ? { removeOrphans: true } : {}),
            ...(session.env.MIXCOMPOSE_RESOLVER_IMAGE ? { resolverImage: session.env.MIXCOMPOSE_RESOLVER_IMAGE } : {}),
          },
          onEvent: session.reporter.sink,
          dryRun: true,
          // up: its pulls and builds too (facts only, no bytes move), so the plan refuses what up would refuse.
          ...(flags.for === 'up' ? { images: upImageFacts(session.project, { services }, { env: session.env, allowOsMismatch: session.global.allowOsMismatch }) } : {}),
        });
        text = flags.format === 'json' ? `${JSON.stringify(plan, redactFileContent, 2)}\n` : formatPlan(plan);
      }, { services });
      process.stdout.write(text);
    });
}
