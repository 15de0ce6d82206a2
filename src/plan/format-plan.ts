/**
 * The plan as deterministic text (for `mixcompose plan`, `up --dry-run` and golden tests):
 * operations in a topological order (ties by id), each with its daemon and what it waits for.
 */
import type { Operation, Plan } from './plan.js';

/** Operations in an order that respects dependencies; ties broken by id. */
export function topologicalOperations(plan: Plan): Operation[] {
  const byId = new Map(plan.operations.map((op) => [op.id, op]));
  const remaining = new Map(plan.operations.map((op) => [op.id, op.deps.filter((d) => byId.has(d)).length]));
  const users = new Map<string, string[]>();
  for (const op of plan.operations) for (const d of op.deps) users.set(d, [...(users.get(d) ?? []), op.id]);
  const ready = [...remaining].filter(([, n]) => n === 0).map(([id]) => id).sort();
  const out: Operation[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    out.push(byId.get(id)!);
    for (const u of users.get(id) ?? []) {
      const n = remaining.get(u)! - 1;
      remaining.set(u, n);
      if (n === 0) {
        ready.push(u);
        ready.sort();
      }
    }
  }
  if (out.length !== plan.operations.length) throw new Error('internal: plan has a cycle');
  return out;
}

type HostsOp = Extract<Operation, { kind: 'register-hosts' | 'unregister-hosts' }>;

/**
 * For whom and why, " (for windows containers: reach published)"; empty when neither is known. Static
 * answers (published reach) and a container's own entry can name the same names: the askers tell them apart.
 */
function hostsWhy(op: HostsOp, reason = op.reason): string {
  const why = [op.askers && `for ${op.askers} containers`, reason].filter(Boolean).join(': ');
  return why ? ` (${why})` : '';
}

/**
 * The operation in a few words, for lists of what was and was not done after a failure: a
 * 20-service stack lists 40 operations there, so the address details of describeOperation stay out.
 */
export function briefOperation(op: Operation): string {
  switch (op.kind) {
    case 'create-container':
      return `${op.replaces || op.reason !== 'new' ? 'recreate' : 'create'} container ${op.name}`;
    case 'register-hosts':
      return `register ${op.names.join(' ')} in the resolver${hostsWhy(op, '')}`;
    case 'unregister-hosts':
      return `unregister ${op.names.join(' ')} from the resolver${hostsWhy(op, '')}`;
    case 'wait':
      return `wait until ${op.name} is ${op.condition}`;
    case 'stop-container':
      return `stop container ${op.name}`;
    case 'probe-reach':
      return op.side ? `start the ${op.side} end of the reach probe` : 'probe reach between the daemons';
    case 'by-reach': {
      const variant = Object.values(op.variants).find((v) => v !== undefined);
      return variant ? briefOperation(variant) : 'nothing';
    }
    default:
      return describeOperation(op);
  }
}

/** One line saying what an operation does: "create container shop-db-1 (new)". */
export function describeOperation(op: Operation): string {
  switch (op.kind) {
    case 'create-network':
      return `create network ${op.name} (${String(op.body.Driver)})`;
    case 'create-volume':
      return `create volume ${op.name}`;
    case 'ensure-helper-image':
      return `build the ${op.purpose} image ${op.image} (not on the daemon)`;
    case 'pull-image':
      return `pull image ${op.image} for ${op.services.join(', ')} (${op.reason})${op.onFailure.action === 'build' ? ', build it if the pull fails' : ''}`;
    case 'build-image':
      return `build image ${op.image} for ${op.service} (${op.reason})`;
    case 'create-container': {
      const subs = op.spec.substitutions
        .map((s) => `${s.text}=${s.value ?? `<ip of ${s.runtime!.ipOf.replace(/^start:/, '')}${s.runtime!.network ? ` on ${s.runtime!.network}` : ''}>`}`)
        .join(', ');
      if (op.replaces) {
        // The old container's hash covers addresses only known at run time: the executor decides.
        const pending = [...new Set(op.spec.substitutions.flatMap((s) => (s.runtime ? [s.runtime.ipOf.replace(/^start:/, '')] : [])))];
        const when = pending.length ? ` (decided once ${pending.join(' and ')} ${pending.length > 1 ? 'have addresses' : 'has an address'})` : '';
        const what = op.replaces.image ? (pending.length ? 'config or image' : 'image') : 'config';
        const imageWhen = op.replaces.image ? ` (decided once ${op.replaces.image.producedBy} is done)` : '';
        return `recreate container ${op.name} if its ${what} changed, else keep it${when}${imageWhen}${subs ? ` with ${subs}` : ''}`;
      }
      return `create container ${op.name} (${op.reason})${subs ? ` with ${subs}` : ''}`;
    }
    case 'start-container':
      return `start container ${op.name}`;
    case 'wait':
      return `wait until ${op.name} is ${op.condition}${op.waiter ? ` (for ${op.waiter})` : ''}, up to ${Math.round(op.timeoutMs / 1000)}s`;
    case 'stop-container':
      return `stop container ${op.name} (timeout ${op.timeoutSeconds}s${op.signal ? `, ${op.signal}` : ''})`;
    case 'remove-container':
      return `remove container ${op.name} (${op.reason})`;
    case 'restart-container':
      return `restart container ${op.name}`;
    case 'register-hosts':
      return `register ${op.names.join(' ')} → ${op.ip.value ?? (op.ip.gatewayOf ? `<gateway of ${op.ip.gatewayOf.replace(/^network:/, '')}>` : `<ip of ${op.ip.runtime!.ipOf.replace(/^start:/, '')}>`)} in the resolver${hostsWhy(op)}`;
    case 'unregister-hosts':
      return `unregister ${op.names.join(' ')} from the resolver${hostsWhy(op, op.reason ?? `${op.file}: no such container`)}`;
    case 'remove-network':
      return `remove network ${op.name}`;
    case 'remove-volume':
      return `remove volume ${op.name}`;
    case 'remove-image':
      return `remove image ${op.name}`;
    case 'probe-reach':
      if (op.side) return `start the ${op.side} end of the reach probe (a throw-away container on ${op.network ? `network ${op.network}` : 'a network of its own'})`;
      return `probe reach between the daemons (${op.platforms.join(' and ')} containers; removes what it makes)`;
    case 'by-reach': {
      // Outcomes with the same operation say it once: "ip: create … | published: create …".
      const texts = new Map<string, string[]>();
      for (const [outcome, variant] of Object.entries(op.variants).sort(([a], [b]) => (a < b ? -1 : 1))) {
        const text = variant ? describeOperation(variant) : 'nothing';
        texts.set(text, [...(texts.get(text) ?? []), outcome]);
      }
      return `once the probe answers: ${[...texts].map(([text, outcomes]) => `${outcomes.join(', ')}: ${text}`).join(' | ')}`;
    }
  }
}

/**
 * What a step printed while executing a conditional recreate says: "recreated (config changed) with
 * {{ db.host }}=10.201.0.3" or "unchanged: kept". `wired` lists the addresses wired in (may be empty).
 */
export function conditionalRecreateOutcome(recreated: boolean, wired: string, why: 'config changed' | 'image changed' = 'config changed'): string {
  if (recreated) return `recreated (${why})${wired ? ` with ${wired}` : ''}`;
  return wired ? `unchanged (${wired}): kept` : 'unchanged: kept';
}

/** Creates that may keep a running container: their start has nothing to do then. */
function mayKeepRunning(plan: Plan): Set<string> {
  return new Set(plan.operations.flatMap((op) => (op.kind === 'create-container' && op.replaces?.running ? [op.id] : [])));
}

export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  // Only the platforms the services use (a linux-only stack has no windows daemon to speak of).
  const used = plan.platforms.length ? plan.platforms : (['windows', 'linux'] as const);
  const placement =
    used.length > 1 && plan.placement.windows === plan.placement.linux
      ? `one daemon (${plan.placement.linux}) for both platforms`
      : [...used].sort().reverse().map((p) => `${p} → ${plan.placement[p]} daemon`).join(', ');
  lines.push(`${plan.command} project ${plan.project}: ${placement}`);
  for (const platform of ['linux', 'windows'] as const) {
    const r = plan.reach[platform];
    if (r) lines.push(`reach ${platform} containers from the other daemon: ${r.reach} (${r.why})`);
  }
  if (plan.command === 'up') lines.push(`names across daemons: ${plan.resolver ? 'project resolver' : 'not needed'}`);
  const ops = topologicalOperations(plan);
  if (ops.length === 0) lines.push('nothing to do');
  const index = new Map(ops.map((op, i) => [op.id, i + 1]));
  const keepsRunning = mayKeepRunning(plan);
  ops.forEach((op, i) => {
    const after = op.deps.map((d) => index.get(d)).filter((n): n is number => n !== undefined).sort((a, b) => a - b);
    const onlyIfRecreated =
      op.kind === 'start-container' && 'createdBy' in op.container && keepsRunning.has(op.container.createdBy) ? ' (if recreated; a kept one is running)' : '';
    lines.push(`${String(i + 1).padStart(3)}. [${op.daemon}] ${describeOperation(op)}${onlyIfRecreated}${after.length ? `  after ${after.join(',')}` : ''}`);
  });
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}
