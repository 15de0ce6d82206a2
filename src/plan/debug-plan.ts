/**
 * The Plan as plain, stable text for planner golden tests: every operation (topological order, ties
 * by id) with its kind, daemon, the fields that carry decisions, and what it waits for. Separate from
 * formatPlan (the user's wording): rewording a message does not touch a planner test, and a field the
 * planner sets shows up here even when the user never reads it.
 */
import type { ContainerRef, Operation, Plan, RuntimeIp, Substitution } from './plan.js';
import { topologicalOperations } from './format-plan.js';

/** Fields shown elsewhere on the line, or too large to print (the create body: see create-body tests). */
const SKIPPED = new Set(['id', 'kind', 'deps', 'daemon', 'spec', 'body', 'service', 'number']);

function runtimeText(r: RuntimeIp): string {
  return `<ip ${r.ipOf}${r.network ? ` ${r.network}` : ''}>`;
}

function refText(ref: ContainerRef): string {
  return 'id' in ref ? ref.id.slice(0, 12) : `<${ref.createdBy}>`;
}

function substitutionText(s: Substitution): string {
  return `${s.text}=${s.value ?? (s.runtime ? runtimeText(s.runtime) : '')}`;
}

function valueText(key: string, value: unknown): string {
  if (value === null || value === undefined) return String(value);
  // Ids and hashes: 12 characters say which one (as `docker ps` does).
  if (typeof value === 'string') return /^[0-9a-f]{64}$/.test(value) ? value.slice(0, 12) : value;
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => valueText(key, v)).join(' ')}]`;
  const record = value as Record<string, unknown>;
  if ('createdBy' in record || ('id' in record && Object.keys(record).length === 1)) return refText(record as ContainerRef);
  if ('ipOf' in record) return runtimeText(record as unknown as RuntimeIp);
  // The refusal's wording belongs to formatPlan's tests; here: which labels make it ours.
  if (key === 'ifExists') return `adopt-labelled(${valueText('', record.adoptWithLabels)})`;
  if (key === 'ip' || key === 'address') {
    if (record.value !== undefined) return String(record.value);
    if (record.gatewayOf) return `<gateway ${String(record.gatewayOf)}>`;
    return record.runtime ? runtimeText(record.runtime as RuntimeIp) : '?';
  }
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${k}=${valueText(k, record[k])}`)
    .join(' ')}}`;
}

/** The decision-carrying fields of one operation, `key=value`, keys sorted. */
function fieldsText(op: Operation): string {
  const record = op as unknown as Record<string, unknown>;
  const parts: string[] = [];
  if (op.kind === 'create-network' || op.kind === 'create-volume') parts.push(`driver=${String(op.body.Driver)}`);
  if (op.kind === 'create-container') {
    parts.push(`image=${String(op.spec.body.Image)}`);
    if (op.spec.substitutions.length) parts.push(`subs=[${op.spec.substitutions.map(substitutionText).join(', ')}]`);
  }
  for (const key of Object.keys(record).sort()) {
    if (SKIPPED.has(key) || record[key] === undefined) continue;
    parts.push(`${key}=${valueText(key, record[key])}`);
  }
  return parts.join(' ');
}

function operationLine(op: Operation): string {
  const fields = fieldsText(op);
  return `${op.id} ${op.kind} @${op.daemon}${fields ? ` ${fields}` : ''}${op.deps.length ? ` <- ${[...op.deps].sort().join(' ')}` : ''}`;
}

/** One line per operation; a by-reach operation adds one indented line per outcome (its variant, or "-"). */
function operationLines(op: Operation): string[] {
  if (op.kind === 'probe-reach') {
    const outcomes = Object.keys(op.outcomes).sort().map((key) => {
      const o = op.outcomes[key]!;
      return `  outcome ${key}${o.problems.length ? ` problems=[${o.problems.join(' | ')}]` : ''}${o.warnings.length ? ` warnings=[${o.warnings.join(' | ')}]` : ''}`;
    });
    const peerText = (k: 'linuxPeer' | 'windowsPeer') => (op[k] ? ` ${k}=<ip ${op[k].startedBy} ${op[k].network}${op[k].pingBy ? ` by ${op[k].pingBy}` : ''}>` : '');
    const peer = peerText('linuxPeer') + peerText('windowsPeer');
    const side = op.side ? ` side=${op.side}${op.network ? ` network=${op.network}` : ''}` : '';
    return [`${op.id} ${op.kind} @${op.daemon}${side} platforms=[${op.platforms.join(' ')}]${peer}${op.deps.length ? ` <- ${[...op.deps].sort().join(' ')}` : ''}`, ...outcomes];
  }
  if (op.kind !== 'by-reach') return [operationLine(op)];
  const variants = Object.keys(op.variants).sort().map((key) => {
    const variant = op.variants[key];
    return `  [${key}] ${variant ? operationLine(variant) : '-'}`;
  });
  return [`${op.id} by-reach @${op.daemon} <- ${[...op.deps].sort().join(' ')}`, ...variants];
}

export function debugPlan(plan: Plan): string {
  const lines = [`${plan.command} ${plan.project}`];
  lines.push(`placement ${(['linux', 'windows'] as const).map((p) => `${p}=${plan.placement[p]}`).join(' ')}`);
  const reach = (['linux', 'windows'] as const).flatMap((p) => (plan.reach[p] ? [`${p}=${plan.reach[p]!.reach} (${plan.reach[p]!.why})`] : []));
  if (reach.length) lines.push(`reach ${reach.join('; ')}`);
  if (plan.resolver) lines.push('resolver');
  for (const op of topologicalOperations(plan)) lines.push(...operationLines(op));
  for (const w of plan.warnings) lines.push(`warning ${w}`);
  return `${lines.join('\n')}\n`;
}
