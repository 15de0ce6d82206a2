/**
 * What `ps` shows, as data: the stack's containers on both daemons with their platform, daemon,
 * state, health, IPs, ports and image size, and the checks beside them (resolver entries of names
 * across daemons, the DNS server each container asks, how each daemon's containers are reached,
 * a resolver that does not run). The CLI's ps only formats this.
 */
import type { Daemons } from '../engine/apply.js';
import { readContainerDns } from '../engine/container-dns.js';
import { lookupDaemonAddresses } from '../engine/daemon-addresses.js';
import type { DaemonClient } from '../engine/daemon-client.js';
import { observe } from '../engine/observe.js';
import type { PlatformOs, Project } from '../model/project.js';
import { LABEL_PLATFORM, LABEL_ROLE } from '../plan/labels.js';
import type { DaemonFacts, ObservedContainer, ObservedState } from '../plan/observed-state.js';
import { placeServices, spansTwoDaemons } from '../plan/placement.js';
import { PlanContext } from '../plan/plan-context.js';
import { decideReach, type SourcedReach } from '../plan/reach.js';
import { projectUsesResolver, resolverDnsChecks, resolverDnsNow, type ResolverDnsCheck } from '../plan/resolver-dns.js';
import { nameEntryChecks, resolverOutage, type NameEntryCheck } from '../plan/resolver-entries.js';

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

/** How each daemon's containers are reached from the other (none unless the services span two daemons). */
export function projectReach(project: Project, observed: ObservedState): Partial<Record<PlatformOs, SourcedReach>> {
  const ctx = new PlanContext(project, observed, {});
  const platforms = new Set(Object.values(project.services).map((s) => s.platform.os));
  return spansTwoDaemons(ctx.placement, platforms) ? decideReach(ctx) : {};
}

export interface PsReport {
  readonly observed: ObservedState;
  /** The listed containers (no one-offs, no resolver), by name. */
  readonly rows: readonly PsRow[];
  readonly nameEntries: readonly NameEntryCheck[];
  /** Only with `checks`: an inspect per listed container. */
  readonly resolverDns: readonly ResolverDnsCheck[];
  readonly reach: Partial<Record<PlatformOs, SourcedReach>>;
  readonly resolverOutage: ReturnType<typeof resolverOutage>;
}

/** `ps` on connected daemons: one observe, the rows of `services` (all when empty), and the checks. */
export async function psReportOn(
  project: Project,
  daemons: Daemons,
  options: { readonly all?: boolean; readonly services?: readonly string[]; readonly checks?: boolean } = {},
): Promise<PsReport> {
  const observed = await observe(project, daemons.clients, daemons.facts);
  const label = (p: string) => daemons.clients[p as PlatformOs]?.label ?? p;
  const services = options.services ?? [];
  const rows = psRows(observed, label, Boolean(options.all)).filter((r) => !services.length || services.includes(r.service));
  return {
    observed,
    rows,
    nameEntries: nameEntryChecks(project, observed),
    resolverDns: options.checks ? await listedResolverDns(project, observed, rows, daemons.clients, daemons.facts) : [],
    reach: projectReach(project, observed),
    resolverOutage: resolverOutage(project, observed),
  };
}
