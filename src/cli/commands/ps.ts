/**
 * `mixcompose ps`: the project's containers on both daemons: service, platform, daemon, state,
 * health, IPs, ports, image size. `--format json`, `-q`, `--services`, `-a`.
 */
import { Command, Option } from 'commander';
import { psReportOn, withReach, type PsRow } from '../../api/ps-report.js';
import type { ConnectedDaemons } from '../../engine/connect-daemons.js';
import { endpointSourceLines } from '../../engine/endpoint-discovery.js';
import type { PlatformOs, Project } from '../../model/project.js';
import type { ObservedState } from '../../plan/observed-state.js';
import type { SourcedReach } from '../../plan/reach.js';
import { describeResolverDns, type ResolverDnsCheck } from '../../plan/resolver-dns.js';
import { describeNameEntry, describeResolverOutage, resolverOutage, type NameEntryCheck } from '../../plan/resolver-entries.js';
import { withSession } from './session.js';
import { addClusterOptions, psOnSwarm, type ClusterFlags } from './deploy.js';

// The data of ps is the library's (api/ps-report.ts); this file formats it.
export { psRows, withReach, type PsRow } from '../../api/ps-report.js';

/**
 * Rows with a per-container check under `field` (json), and the table's line for each check of a
 * listed container that `describe` has something to say about.
 */
function withChecks<C extends { readonly container: string }, K extends 'nameEntry' | 'resolverDns'>(
  rows: readonly PsRow[],
  checks: readonly C[],
  field: K,
  entryOf: (check: C) => NonNullable<PsRow[K]>,
  describe: (check: C) => string | undefined,
): { rows: PsRow[]; lines: string } {
  const byContainer = new Map(checks.map((c) => [c.container, entryOf(c)]));
  const withEntries = rows.map((r) => (byContainer.has(r.name) ? { ...r, [field]: byContainer.get(r.name)! } : r));
  const lines = checks
    .filter((c) => rows.some((r) => r.name === c.container))
    .flatMap((c) => describe(c) ?? [])
    .map((line) => `${line}\n`)
    .join('');
  return { rows: withEntries, lines };
}

/** Rows with their resolver entry (json), and a line per entry that is not fresh (table). */
export function withNameEntries(rows: readonly PsRow[], checks: readonly NameEntryCheck[]): { rows: PsRow[]; lines: string } {
  return withChecks(rows, checks, 'nameEntry', ({ container: _container, ...entry }) => entry, describeNameEntry);
}

/** Rows with their DNS check (json), and a line per container that asks an old resolver address (table). */
export function withResolverDns(rows: readonly PsRow[], checks: readonly ResolverDnsCheck[]): { rows: PsRow[]; lines: string } {
  return withChecks(rows, checks, 'resolverDns', (c) => ({ state: c.state, dnsServer: c.dnsServer, resolverAt: c.resolverAt }), describeResolverDns);
}

function sizeText(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)}${units[i]}`;
}

export function formatPsTable(rows: readonly PsRow[]): string {
  const header = ['NAME', 'SERVICE', 'PLATFORM', 'DAEMON', 'STATE', 'HEALTH', 'IPS', 'PORTS', 'IMAGE SIZE'];
  const lines = rows.map((r) => [
    r.name,
    r.service,
    r.platform,
    r.daemon,
    r.state === 'exited' && r.exitCode !== undefined ? `exited (${r.exitCode})` : r.state,
    r.health,
    Object.values(r.ips).sort().join(','),
    r.ports.join(', '),
    sizeText(r.imageSize),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((l) => l.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n';
}

/** The table's lines for `projectReach`. */
function reachLines(reach: Partial<Record<PlatformOs, SourcedReach>>): string {
  return (['linux', 'windows'] as const)
    .filter((p) => reach[p])
    .map((p) => `reach ${p} containers from the other daemon: ${reach[p]!.reach} (${reach[p]!.why})\n`)
    .join('');
}

/** The table's line when names across daemons are broken because the project resolver does not run. */
export function resolverOutageLine(project: Project, observed: ObservedState): string {
  const outage = resolverOutage(project, observed);
  return outage ? `${describeResolverOutage(outage)}\n` : '';
}

export function registerPs(program: Command): void {
  addClusterOptions(program.command('ps'), false)
    .description("List the project's containers on both daemons")
    .option('-a, --all', 'include stopped containers')
    .option('-q, --quiet', 'only container IDs')
    .option('--services', 'only service names')
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .argument('[services...]', 'only these services')
    .action(async (services: string[], flags: ClusterFlags & { all?: boolean; quiet?: boolean; services?: boolean; format: string }, command: Command) => {
      if (flags.to) return psOnSwarm(command, flags);
      let out = '';
      await withSession(
        command,
        async (session) => {
          const report = await psReportOn(session.project, session.daemons, { all: Boolean(flags.all), services, checks: !flags.quiet && !flags.services });
          const { rows: named, lines: staleNames } = withNameEntries(report.rows, report.nameEntries);
          if (flags.quiet) out = named.map((r) => `${r.id}\n`).join('');
          else if (flags.services) out = [...new Set(named.map((r) => r.service))].sort().map((s) => `${s}\n`).join('');
          else {
            const { rows, lines: staleDns } = withResolverDns(named, report.resolverDns);
            if (flags.format === 'json') out = `${JSON.stringify(withReach(rows, report.reach), null, 2)}\n`;
            else out = formatPsTable(rows) + endpointSourceLines((session.daemons as Partial<Pick<ConnectedDaemons, 'endpoints'>>).endpoints ?? {}) + reachLines(report.reach) + staleNames + staleDns + resolverOutageLine(session.project, report.observed);
          }
        },
        { progress: 'quiet', services },
      );
      process.stdout.write(out);
    });
}
