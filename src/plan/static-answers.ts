/**
 * Static answers under published reach (plan/resolver.ts resolverLayout): per service a hosts file
 * named after it in the askers' static hostsdir, answering the names of its replicas with its
 * daemon's address. Planned when the resolver is (re)made or started (every service), when the plan
 * creates or starts the service's containers (new names), and when the kept resolver's file, read
 * back by observe for `up`, is missing or answers otherwise: a write that failed or was interrupted
 * (Ctrl-C after the resolver started) is made by the next `up`. Consumers on the other daemon start
 * after it (hostsOp).
 */
import type { PlatformOs, Service } from '../model/project.js';
import { containerName } from './create-body.js';
import type { ResolverHostsFile } from './observed-state.js';
import type { ContainerRef } from './plan.js';
import type { PlanContext } from './plan-context.js';
import type { ResolverLayout, StaticAnswers } from './resolver.js';
import { entryState, hostsFilesOf, hostsNames, registrationReason } from './resolver-entries.js';
import { HOST_GATEWAY_FILE } from './host-gateway-entry.js';
import { LABEL_ROLE } from './labels.js';
import { byName } from '../graph/dependency-graph.js';

/** The project resolver as its static answers need it (reconcile-up.ts planResolver). */
export interface StaticAnswersResolver {
  readonly layout: ResolverLayout | undefined;
  readonly daemon: PlatformOs;
  readonly ref: ContainerRef | undefined;
  /** (Re)made or started by the plan: every service's answers are written. */
  readonly changed: boolean;
  /** What a registration waits for (the resolver's start). */
  readonly deps: readonly string[];
}

/** A replica as the plan leaves it: whether it is created or started, and the registration its consumers wait for. */
export interface StaticAnswersReplica {
  readonly createOp?: string;
  readonly startOp?: string;
  hostsOp?: string;
}

/** Plans a service's static answers when due; sets `hostsOp` of its replicas when there is one. */
export type RegisterStaticNames = (service: Service, results?: StaticAnswersReplica[]) => void;

/** Every name of a service's replicas (service, container names, aliases), each once. */
function staticNames(ctx: PlanContext, service: Service): string[] {
  const containers = Array.from({ length: ctx.scaleOf(service) }, (_, i) => containerName(ctx.project.name, service, i + 1));
  return [...new Set(containers.flatMap((n) => hostsNames(service, service.name, n)))];
}

/** Why the kept resolver's file for a service is written again (missing, stale); undefined when it answers right. */
function repairReason(files: ReadonlyMap<string, ResolverHostsFile>, service: string, answers: StaticAnswers, names: readonly string[]): string | undefined {
  const entry = files.get(service);
  return entryState(entry, answers.address, names) === 'fresh' ? undefined : registrationReason(entry, answers.address);
}

/** The planner of static answers for one plan (see the file's comment). */
export function staticAnswersPlanner(ctx: PlanContext, resolver: StaticAnswersResolver): RegisterStaticNames {
  const { layout, ref, changed } = resolver;
  // The kept resolver's static files as observed (unknown: not read, or a resolver the plan changes).
  const observedDirs = new Map<string, ReturnType<typeof hostsFilesOf>>();
  const observedFiles = (dir: string) => {
    if (!observedDirs.has(dir)) observedDirs.set(dir, !changed && ref && 'id' in ref ? hostsFilesOf(ctx.observed, ref.id, dir) : undefined);
    return observedDirs.get(dir);
  };
  return (service, results) => {
    const answers = layout?.static.find((a) => a.platform === service.platform.os);
    if (!answers || !ref) return;
    const id = `names:${service.name}`;
    if (!ctx.has(id)) {
      const started = changed || Boolean(results?.some((r) => r.createOp || r.startOp));
      const files = started ? undefined : observedFiles(answers.dir);
      const names = started || files ? staticNames(ctx, service) : [];
      const repair = files && repairReason(files, service.name, answers, names);
      if (started || repair) {
        ctx.add({
          kind: 'register-hosts',
          id,
          deps: [...resolver.deps],
          daemon: resolver.daemon,
          resolver: ref,
          dir: answers.dir,
          file: service.name,
          names,
          ip: { value: answers.address },
          service: service.name,
          askers: answers.askers,
          reason: `reach published${repair ? `; ${repair}` : ''}`,
          ifNoAddress: 'fail',
        });
      }
    }
    if (ctx.has(id)) for (const r of results ?? []) r.hostsOp = id;
  };
}

/**
 * After the services are planned: a static file of the kept resolver (read back by observe) whose
 * service is no longer one of its platform's in the project (removed from the file, platform changed)
 * is emptied, so its name stops answering, as a removed service's does with docker compose. Not while
 * a container of it is left on that platform's daemon (an orphan kept running still answers there);
 * after the plan's removal of the last ones. host.docker.internal's file is planHostGateway's.
 */
export function planStaticAnswersCleanup(ctx: PlanContext, resolver: StaticAnswersResolver): void {
  const { layout, ref, changed } = resolver;
  if (!layout || changed || !ref || !('id' in ref)) return;
  const services = Object.values(ctx.project.services);
  for (const answers of layout.static) {
    const files = hostsFilesOf(ctx.observed, ref.id, answers.dir);
    if (!files) continue;
    const daemon = ctx.placement[answers.platform];
    const current = new Set(services.filter((s) => s.platform.os === answers.platform).map((s) => s.name));
    const left = new Set(
      ctx.observed.containers.filter((c) => !c.oneoff && c.labels[LABEL_ROLE] !== 'resolver' && c.platform === daemon && !ctx.removed.has(c.id)).map((c) => c.service),
    );
    for (const entry of [...files.values()].sort((a, b) => byName(a.file, b.file))) {
      if (entry.names.length === 0 || entry.file.startsWith('.') || entry.file === HOST_GATEWAY_FILE || current.has(entry.file) || left.has(entry.file)) continue;
      const removals = ctx.operations.filter((op) => op.kind === 'remove-container' && op.daemon === daemon && op.service === entry.file).map((op) => op.id);
      ctx.add({
        kind: 'unregister-hosts',
        id: `unnames:${answers.platform}:${entry.file}`,
        deps: [...new Set([...removals, ...resolver.deps])].sort(byName),
        daemon: resolver.daemon,
        resolver: ref,
        dir: answers.dir,
        file: entry.file,
        names: entry.names,
        service: entry.file,
        askers: answers.askers,
        reason: 'service no longer in the project',
      });
    }
  }
}
