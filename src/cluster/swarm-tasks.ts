/**
 * The tasks of a stack with the node each one landed on and that node's OS (`ps --to swarm`), and
 * a bounded wait for a fresh deploy to settle (`deploy --wait`). A task the scheduler cannot place
 * stays `pending` with the scheduler's reason in Status.Err ("no suitable node (scheduling
 * constraints not satisfied on 1 node)"): it is reported with that reason, never waited on forever.
 */
import type { EngineBody } from '../model/engine-api.js';
import type { SwarmApi } from './swarm-api.js';
import { LABEL_NAMESPACE } from './swarm-spec.js';
import { realSleep, type Sleep } from './swarm-deploy.js';

type Dict = Record<string, any>;

export interface TaskRow {
  /** `<stack>_<service>.<slot>` as docker stack ps names it. */
  readonly name: string;
  readonly service: string;
  readonly node: string;
  /** The OS of the node the task runs on (node.platform.os); "" while not placed. */
  readonly os: string;
  readonly desired: string;
  readonly state: string;
  /** The scheduler's or the daemon's reason when the task is not running (Status.Err), else its message. */
  readonly message: string;
  readonly error: boolean;
}

/** The rows of `ps --to swarm`, sorted by name, newest task first per slot. */
export function taskRows(stack: string, services: readonly EngineBody[], tasks: readonly EngineBody[], nodes: readonly EngineBody[]): TaskRow[] {
  const serviceName = new Map(services.map((s: Dict) => [s.ID, String(s.Spec?.Name ?? s.ID)]));
  const nodeOf = new Map(nodes.map((n: Dict) => [n.ID, { host: String(n.Description?.Hostname ?? n.ID), os: String(n.Description?.Platform?.OS ?? '') }]));
  return (tasks as Dict[])
    .filter((t) => serviceName.has(t.ServiceID))
    .sort((a, b) => String(b.CreatedAt ?? '').localeCompare(String(a.CreatedAt ?? '')))
    .map((t) => {
      const full = serviceName.get(t.ServiceID)!;
      const node = t.NodeID ? nodeOf.get(t.NodeID) : undefined;
      const err = t.Status?.Err ? String(t.Status.Err) : '';
      return {
        name: `${full}.${t.Slot ?? t.NodeID ?? ''}`,
        service: full.startsWith(`${stack}_`) ? full.slice(stack.length + 1) : full,
        node: node?.host ?? '',
        os: node?.os ?? '',
        desired: String(t.DesiredState ?? ''),
        state: String(t.Status?.State ?? ''),
        message: err || String(t.Status?.Message ?? ''),
        error: Boolean(err),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function listStackTasks(api: SwarmApi, stack: string): Promise<TaskRow[]> {
  const services = await api.listServices({ label: [`${LABEL_NAMESPACE}=${stack}`] });
  const [tasks, nodes] = await Promise.all([api.listTasks({ label: [`${LABEL_NAMESPACE}=${stack}`] }), api.listNodes()]);
  return taskRows(stack, services as unknown as EngineBody[], tasks, nodes);
}

export function formatTaskTable(rows: readonly TaskRow[]): string {
  const header = ['NAME', 'SERVICE', 'NODE', 'OS', 'DESIRED', 'STATE', 'MESSAGE'];
  const lines = rows.map((r) => [r.name, r.service, r.node, r.os, r.desired, r.state, r.message]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n';
}

/** Per service: settled (a task running, or one the scheduler refused with a reason) or not yet. */
export interface ServiceSettlement {
  readonly service: string;
  readonly running: boolean;
  /** The scheduler's reason when the service cannot be placed. */
  readonly unplaced?: string;
}

export function settlement(services: readonly string[], rows: readonly TaskRow[]): ServiceSettlement[] {
  return services.map((service) => {
    const own = rows.filter((r) => r.service === service && r.desired === 'running');
    const running = own.some((r) => r.state === 'running');
    const refused = own.find((r) => r.error && (r.state === 'pending' || r.state === 'rejected'));
    return { service, running, ...(refused && !running ? { unplaced: refused.message } : {}) };
  });
}

/**
 * Asks every `intervalMs` until each service runs or was refused by the scheduler, or until
 * `attempts` are spent; returns the last settlement either way.
 */
export async function waitForStack(api: SwarmApi, stack: string, services: readonly string[], options: { attempts?: number; intervalMs?: number; sleep?: Sleep } = {}): Promise<ServiceSettlement[]> {
  const sleep = options.sleep ?? realSleep;
  const attempts = options.attempts ?? 120;
  let last: ServiceSettlement[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    last = settlement(services, await listStackTasks(api, stack));
    if (last.every((s) => s.running || s.unplaced)) return last;
    await sleep(options.intervalMs ?? 500);
  }
  return last;
}
