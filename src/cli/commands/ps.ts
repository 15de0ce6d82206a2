/**
 * `mixcompose ps`: the project's containers on both daemons: service, platform, daemon, state,
 * health, IPs, ports, image size. `--format json`, `-q`, `--services`, `-a`.
 */
import { Command, Option } from 'commander';
import { observe } from '../../engine/observe.js';
import { LABEL_PLATFORM, LABEL_ROLE } from '../../plan/labels.js';
import type { ObservedContainer, ObservedState } from '../../plan/observed-state.js';
import { withSession } from './session.js';
import { PlanContext } from '../../plan/plan-context.js';
import { decideReach, type SourcedReach } from '../../plan/reach.js';
import type { PlatformOs, Project } from '../../model/project.js';
import { placeServices, spansTwoDaemons } from '../../plan/placement.js';
import { describeNameEntry, describeResolverOutage, nameEntryChecks, resolverOutage, type NameEntryCheck } from '../../plan/resolver-entries.js';
import { describeResolverDns, projectUsesResolver, resolverDnsChecks, resolverDnsNow, type ResolverDnsCheck } from '../../plan/resolver-dns.js';
import { readContainerDns } from '../../engine/container-dns.js';
import { lookupDaemonAddresses } from '../../engine/daemon-addresses.js';
import type { ConnectedDaemons } from '../../engine/connect-daemons.js';
import { endpointSourceLines } from '../../engine/endpoint-discovery.js';
import type { DaemonClient } from '../../engine/daemon-client.js';
import type { DaemonFacts } from '../../plan/observed-state.js';
import { addClusterOptions, psOnSwarm, type ClusterFlags } from './deploy.js';

export interface PsRow {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly platform: string;
  readonly daemon: string;
  readonly state: string;
  readonly health: string;
  readonly exitCode?: number;
  readonly ips: Readonly<Record<string, string>>;
  readonly ports: string[];
  readonly image: string;
  readonly imageSize?: number;
  /** Away from the resolver's daemon: whether the resolver answers its names with its address. */
  readonly nameEntry?: Omit<NameEntryCheck, 'container'>;
  /** Created to ask the project resolver: whether its DNS server is where the resolver is now. */
  readonly resolverDns?: Omit<ResolverDnsCheck, 'container' | 'replica'>;
  /**
   * How containers of this row's platform are reached from the other daemon, as `reach.<platform>`
   * of `plan --format json` (only when the services span two daemons).
   */
  readonly reach?: SourcedReach;
}

/** Each row with the reach of its platform (json): the rows stay a plain list, as docker compose's. */
export function withReach(rows: readonly PsRow[], reach: Partial<Record<PlatformOs, SourcedReach>>): PsRow[] {
  return rows.map((r) => {
    const decided = reach[r.platform as PlatformOs];
    return decided ? { ...r, reach: decided } : r;
  });
}

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

/**
 * The DNS checks of the listed containers: an inspect each (in parallel), only when the project's
 * resolver runs and its address is known (a stopped one is resolverOutage's line, not one per container).
 */
async function listedResolverDns(
  project: Project,
  observed: ObservedState,
  rows: readonly PsRow[],
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>,
): Promise<ResolverDnsCheck[]> {
  if (!rows.length || !projectUsesResolver(project, placeServices(observed.daemons))) return [];
  const addressIps = await lookupDaemonAddresses(project);
  if (!resolverDnsNow(project, observed, addressIps)) return [];
  const listed = new Set(rows.map((r) => r.id));
  const dns = await readContainerDns(clients, facts, observed.containers.filter((c) => listed.has(c.id)));
  return resolverDnsChecks(project, observed, dns, addressIps);
}

function portText(p: ObservedContainer['ports'][number]): string {
  return p.published ? `${p.hostIp ?? '0.0.0.0'}:${p.published}->${p.target}/${p.protocol}` : `${p.target}/${p.protocol}`;
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

export function psRows(observed: ObservedState, daemonLabel: (platform: string) => string, all: boolean): PsRow[] {
  return observed.containers
    .filter((c) => !c.oneoff && c.labels[LABEL_ROLE] !== 'resolver')
    .filter((c) => all || c.status === 'running' || c.status === 'restarting' || c.status === 'paused')
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((c) => {
      const size = observed.images.find((i) => i.platform === c.platform && i.reference === c.image)?.size;
      return {
        id: c.id,
        name: c.name,
        service: c.service,
        platform: c.labels[LABEL_PLATFORM] ?? c.platform,
        daemon: daemonLabel(c.platform),
        state: c.status,
        health: c.health ?? '',
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        ips: c.ips,
        ports: [...new Set(c.ports.map(portText))].sort(),
        image: c.image,
        ...(size !== undefined ? { imageSize: size } : {}),
      };
    });
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

/** How each daemon's containers are reached from the other (none unless the services span two daemons). */
function projectReach(project: Project, observed: ObservedState): Partial<Record<PlatformOs, SourcedReach>> {
  const ctx = new PlanContext(project, observed, {});
  const platforms = new Set(Object.values(project.services).map((s) => s.platform.os));
  return spansTwoDaemons(ctx.placement, platforms) ? decideReach(ctx) : {};
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
          const observed = await observe(session.project, session.daemons.clients, session.daemons.facts);
          const label = (p: string) => session.daemons.clients[p as 'linux' | 'windows']?.label ?? p;
          const listed = psRows(observed, label, Boolean(flags.all)).filter((r) => !services.length || services.includes(r.service));
          const { rows: named, lines: staleNames } = withNameEntries(listed, nameEntryChecks(session.project, observed));
          if (flags.quiet) out = named.map((r) => `${r.id}\n`).join('');
          else if (flags.services) out = [...new Set(named.map((r) => r.service))].sort().map((s) => `${s}\n`).join('');
          else {
            const dnsChecks = await listedResolverDns(session.project, observed, named, session.daemons.clients, session.daemons.facts);
            const { rows, lines: staleDns } = withResolverDns(named, dnsChecks);
            if (flags.format === 'json') out = `${JSON.stringify(withReach(rows, projectReach(session.project, observed)), null, 2)}\n`;
            else out = formatPsTable(rows) + endpointSourceLines((session.daemons as Partial<Pick<ConnectedDaemons, 'endpoints'>>).endpoints ?? {}) + reachLines(projectReach(session.project, observed)) + staleNames + staleDns + resolverOutageLine(session.project, observed);
          }
        },
        { progress: 'quiet', services },
      );
      process.stdout.write(out);
    });
}
