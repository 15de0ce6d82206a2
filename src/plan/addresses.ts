/**
 * Cross-daemon addresses: what `{{ s.host }}`, `{{ s.port:N }}` and `{{ s.ip }}` become for one
 * consumer. Same daemon: the service name (Docker's DNS) and the container port. Another daemon
 * reached by `ip`: the provider container's IP and the container port. Reached by `published`:
 * the provider daemon's `address` and the published host port (PlanError if not published).
 */
import { PlanError } from '../errors.js';
import type { AddressReference, PlatformOs, Project, Service } from '../model/project.js';
import type { ReachDecision, RuntimeIp, Substitution } from './plan.js';
import type { Placement } from './placement.js';

/** Where the provider's IP comes from: known now (a running container kept as is) or after its start. */
export type ProviderIp = { readonly value: string } | { readonly runtime: RuntimeIp };

export interface AddressContext {
  readonly project: Project;
  readonly placement: Placement;
  /** Per provider daemon: how the other daemon reaches it. */
  readonly reach: Readonly<Partial<Record<PlatformOs, ReachDecision>>>;
  readonly providerIp: (service: string) => ProviderIp;
}

/** The host port a container port N is published on, when it is one fixed port. */
function publishedPort(provider: Service, port: number): number | undefined {
  for (const p of provider.ports) {
    if (p.target === port && p.published && /^\d+$/.test(p.published)) return Number(p.published);
  }
  return undefined;
}

function resolveOne(ctx: AddressContext, consumer: Service, ref: AddressReference): Substitution {
  const provider = ctx.project.services[ref.service];
  if (!provider) {
    throw new PlanError(`service ${consumer.name}: ${ref.text} names service ${ref.service}, which is not in the project`, consumer.name);
  }
  const from = ctx.placement[consumer.platform.os];
  const to = ctx.placement[provider.platform.os];
  const ipSubstitution = (): Substitution => {
    const ip = ctx.providerIp(provider.name);
    return 'value' in ip ? { text: ref.text, value: ip.value } : { text: ref.text, runtime: ip.runtime };
  };
  if (from === to) {
    if (ref.kind === 'host') return { text: ref.text, value: provider.name };
    if (ref.kind === 'port') return { text: ref.text, value: String(ref.port) };
    return ipSubstitution();
  }
  const reach = ctx.reach[to]?.reach ?? 'ip';
  if (reach === 'ip') {
    if (ref.kind === 'port') return { text: ref.text, value: String(ref.port) };
    return ipSubstitution();
  }
  // published
  const settings = ctx.project.extension.daemons[provider.platform.os];
  if (ref.kind === 'ip') {
    throw new PlanError(
      `service ${consumer.name}: ${ref.text}: ${provider.name}'s container IP is not reachable from the ${from} daemon (reach: published); use {{ ${provider.name}.host }}`,
      consumer.name,
    );
  }
  if (ref.kind === 'host') {
    if (!settings?.address) {
      throw new PlanError(
        `service ${consumer.name}: ${ref.text}: reach is published but x-mixcompose.daemons.${provider.platform.os}.address is not set (the host name at which the ${from} daemon's containers reach ${provider.platform.os} published ports)`,
        consumer.name,
      );
    }
    return { text: ref.text, value: settings.address };
  }
  const published = publishedPort(provider, ref.port!);
  if (published === undefined) {
    throw new PlanError(
      `service ${consumer.name}: ${ref.text}: port ${ref.port} of ${provider.name} is not published on a fixed host port, and the ${from} daemon reaches ${provider.platform.os} only through published ports; add "ports: ['${ref.port}:${ref.port}']" to ${provider.name}`,
      consumer.name,
    );
  }
  return { text: ref.text, value: String(published) };
}

/** One substitution per distinct reference text of the consumer. */
export function resolveAddresses(ctx: AddressContext, consumer: Service): Substitution[] {
  const seen = new Map<string, Substitution>();
  for (const ref of consumer.addressReferences ?? []) {
    if (!seen.has(ref.text)) seen.set(ref.text, resolveOne(ctx, consumer, ref));
  }
  return [...seen.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}

/** One string with every known value substituted, in the order of `values` (text → value pairs). */
export function substituteText(text: string, values: readonly (readonly [string, string])[]): string {
  let out = text;
  for (let i = 0; i < values.length; i++) {
    const [from, replacement] = values[i]!;
    if (out.includes(from)) out = out.split(from).join(replacement);
  }
  return out;
}

/** A copy of a JSON value with every string (object keys too) through `rewrite`. */
export function rewriteStrings<T>(value: T, rewrite: (text: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return rewrite(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [rewrite(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Substitutes known values in every string of a JSON value. */
export function substitute<T>(value: T, values: ReadonlyMap<string, string>): T {
  if (values.size === 0) return value;
  const pairs = [...values];
  return rewriteStrings(value, (text) => substituteText(text, pairs));
}
