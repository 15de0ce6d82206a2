/**
 * `deploy --to swarm` and `rm --to swarm`, through the Engine API of a swarm manager.
 *
 * deploy: networks → secrets and configs → services (created, updated when their spec hash changed,
 * left alone otherwise) → prune what carries the stack's namespace label but left the file. A second
 * deploy of the same file changes nothing. rm removes services, then (once their tasks let go of
 * them) networks, secrets and configs; volumes stay, as with `docker stack rm`.
 */
import { PlanError } from '../errors.js';
import type { EngineBody } from '../model/engine-api.js';
import type { FileObject, Project } from '../model/project.js';
import type { SwarmApi, SwarmObject } from './swarm-api.js';
import { fileObjectSpec, LABEL_NAMESPACE, LABEL_SPEC_HASH, networkBody, resourceName, serviceSpec } from './swarm-spec.js';

type Dict = Record<string, any>;

/** What one step did, for the user: "created service shop_web". */
export type DeployEvent = { readonly action: 'created' | 'updated' | 'unchanged' | 'removed'; readonly kind: 'network' | 'secret' | 'config' | 'service'; readonly name: string };

/** Waits between attempts (injected: tests pass one that does not sleep). */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface DeployInput {
  readonly api: SwarmApi;
  readonly project: Project;
  /** The stack document of convertToSwarm (its errors already refused). */
  readonly document: Dict;
  /** The bytes of a secret or config (file, environment or content), read by the caller. */
  readonly dataOf: (kind: 'secrets' | 'configs', key: string, object: FileObject) => Buffer;
  readonly onEvent?: (event: DeployEvent) => void;
  readonly sleep?: Sleep;
}

const namespace = (stack: string) => ({ label: [`${LABEL_NAMESPACE}=${stack}`] });

/** The swarm is there and this daemon manages it; else a PlanError that says what to do. */
export async function requireManager(api: SwarmApi): Promise<void> {
  const state = await api.swarmState();
  if (state.localNodeState !== 'active') throw new PlanError(`${api.label} is not part of a swarm (state: ${state.localNodeState}); run docker swarm init on it, or name a manager with --host/--context`);
  if (!state.controlAvailable) throw new PlanError(`${api.label} is a swarm worker; deploy through a manager (--host/--context)`);
}

async function ensureNetworks(input: DeployInput, stack: string, emit: (e: DeployEvent) => void): Promise<Set<string>> {
  const desired = new Set<string>();
  const existing = await input.api.listNetworks(namespace(stack));
  for (const [key, definition] of Object.entries((input.document.networks ?? {}) as Dict)) {
    const name = resourceName(stack, key, definition);
    if (definition.external) {
      const found = await input.api.listNetworks({ name: [name] });
      if (!found.some((n) => n.Name === name)) throw new PlanError(`network ${key} is external, but ${name} does not exist on the swarm; create it first (docker network create -d overlay ${name})`);
      continue;
    }
    desired.add(name);
    if (existing.some((n) => n.Name === name)) emit({ action: 'unchanged', kind: 'network', name });
    else {
      await input.api.createNetwork(networkBody(stack, key, definition));
      emit({ action: 'created', kind: 'network', name });
    }
  }
  return desired;
}

async function ensureFileObjects(input: DeployInput, stack: string, kind: 'secrets' | 'configs', emit: (e: DeployEvent) => void): Promise<{ ids: Map<string, { id: string; name: string }>; desired: Set<string> }> {
  const api = input.api;
  const list = (filters: Dict) => (kind === 'secrets' ? api.listSecrets(filters) : api.listConfigs(filters));
  const single = kind === 'secrets' ? 'secret' : 'config';
  const ids = new Map<string, { id: string; name: string }>();
  const desired = new Set<string>();
  const existing = await list(namespace(stack));
  for (const [key, object] of Object.entries(input.project[kind]).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (object.external) {
      const found = (await list({ name: [object.name] })).find((o) => o.Spec.Name === object.name);
      if (!found) throw new PlanError(`${single} ${key} is external, but ${object.name} does not exist on the swarm; create it first (docker ${single} create ${object.name} FILE)`);
      ids.set(key, { id: found.ID, name: object.name });
      continue;
    }
    const spec = fileObjectSpec(stack, key, input.dataOf(kind, key, object));
    const name = String(spec.Name);
    desired.add(name);
    const found = existing.find((o) => o.Spec.Name === name);
    if (found) {
      ids.set(key, { id: found.ID, name });
      emit({ action: 'unchanged', kind: single, name });
    } else {
      const id = kind === 'secrets' ? await api.createSecret(spec) : await api.createConfig(spec);
      ids.set(key, { id, name });
      emit({ action: 'created', kind: single, name });
    }
  }
  return { ids, desired };
}

async function ensureServices(input: DeployInput, stack: string, specs: readonly EngineBody[], emit: (e: DeployEvent) => void): Promise<void> {
  const existing = await input.api.listServices(namespace(stack));
  for (const spec of specs) {
    const name = String(spec.Name);
    const found = existing.find((s) => s.Spec.Name === name);
    const hash = (spec.Labels as Record<string, string>)[LABEL_SPEC_HASH];
    if (!found) {
      await input.api.createService(spec);
      emit({ action: 'created', kind: 'service', name });
    } else if (found.Spec.Labels?.[LABEL_SPEC_HASH] === hash) {
      emit({ action: 'unchanged', kind: 'service', name });
    } else {
      await input.api.updateService(found.ID, found.Version?.Index ?? 0, spec);
      emit({ action: 'updated', kind: 'service', name });
    }
  }
  const keep = new Set(specs.map((s) => String(s.Name)));
  for (const s of existing.filter((s) => !keep.has(s.Spec.Name))) {
    await input.api.removeService(s.ID);
    emit({ action: 'removed', kind: 'service', name: s.Spec.Name });
  }
}

/** A network still holds endpoints of tasks that are shutting down: asking again later succeeds. */
const isBusy = (error: unknown) => /active endpoints|in use|is being used/i.test(error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause)}` : String(error));

async function removeWhenFree(remove: () => Promise<void>, sleep: Sleep, attempts = 60): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await remove();
    } catch (error) {
      if (!isBusy(error) || attempt >= attempts) throw error;
      await sleep(500);
    }
  }
}

/** Removes the stack's networks, secrets and configs whose names are not in `keep`. */
async function prune(input: { api: SwarmApi; sleep?: Sleep; onEvent?: (e: DeployEvent) => void }, stack: string, keep: ReadonlySet<string>): Promise<void> {
  const { api } = input;
  const sleep = input.sleep ?? realSleep;
  const emit = input.onEvent ?? (() => {});
  const objects: [SwarmObject[], 'secret' | 'config', (id: string) => Promise<void>][] = [
    [await api.listSecrets(namespace(stack)), 'secret', (id) => api.removeSecret(id)],
    [await api.listConfigs(namespace(stack)), 'config', (id) => api.removeConfig(id)],
  ];
  for (const [list, kind, remove] of objects) {
    for (const o of list.filter((o) => !keep.has(o.Spec.Name))) {
      await removeWhenFree(() => remove(o.ID), sleep);
      emit({ action: 'removed', kind, name: o.Spec.Name });
    }
  }
  for (const n of (await api.listNetworks(namespace(stack))).filter((n) => !keep.has(String(n.Name)))) {
    await removeWhenFree(() => api.removeNetwork(String(n.Id)), sleep);
    emit({ action: 'removed', kind: 'network', name: String(n.Name) });
  }
}

/** Deploys (or re-deploys) the stack named after the project. */
export async function deployStack(input: DeployInput): Promise<void> {
  const stack = input.project.name;
  const emit = input.onEvent ?? (() => {});
  await requireManager(input.api);
  const networks = await ensureNetworks(input, stack, emit);
  const secrets = await ensureFileObjects(input, stack, 'secrets', emit);
  const configs = await ensureFileObjects(input, stack, 'configs', emit);
  const keys = Object.keys(input.document.services ?? {}).sort();
  const specs = keys.map((key) => serviceSpec({ stack, document: input.document, secrets: secrets.ids, configs: configs.ids }, key));
  await ensureServices(input, stack, specs, emit);
  await prune(input, stack, new Set([...networks, ...secrets.desired, ...configs.desired]));
}

/** Removes every service, network, secret and config of the stack (volumes stay). */
export async function removeStack(input: { api: SwarmApi; stack: string; sleep?: Sleep; onEvent?: (e: DeployEvent) => void }): Promise<void> {
  await requireManager(input.api);
  for (const s of await input.api.listServices(namespace(input.stack))) {
    await input.api.removeService(s.ID);
    input.onEvent?.({ action: 'removed', kind: 'service', name: s.Spec.Name });
  }
  // As `docker stack rm` (CLI 26+): networks go once the tasks let go of them, so wait (bounded) for the tasks.
  const sleep = input.sleep ?? realSleep;
  for (let attempt = 1; attempt <= 120 && (await input.api.listTasks(namespace(input.stack))).length > 0; attempt++) await sleep(500);
  await prune(input, input.stack, new Set());
}
