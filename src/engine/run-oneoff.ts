/**
 * `run`: a one-off container of a service, on the service's daemon, wired as the service is. The
 * planner builds it: the one-off is planned as a copy of the service under its own key (so nothing of
 * the service's own containers is touched) with `up --no-deps --no-start`, which gives it the
 * service's networks, volumes, DNS (the project resolver across daemons) and address references
 * resolved exactly as for the service. Its create call then gets the one-off's labels and stdio.
 */
import { randomBytes } from 'node:crypto';
import type { EventSink } from '../model/events.js';
import type { PlatformOs, PortConfig, Project, Service, ServiceVolume } from '../model/project.js';
import { serviceImage } from '../plan/create-body.js';
import { serviceDependencies } from '../plan/dependencies.js';
import { LABEL_NUMBER, LABEL_ONEOFF, LABEL_SERVICE } from '../plan/labels.js';
import type { EngineBody } from '../model/engine-api.js';
import type { DaemonClient } from './daemon-client.js';
import { apply, type Daemons } from './apply.js';
import { ensureImages, planImages, type ImageOptions } from './images.js';
import { placeServices } from '../plan/placement.js';
import { PlanError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import { containerIo, pumpStream, type TerminalIo } from './interactive.js';

/** compose's label for the one-off's short id (its name ends with it). */
export const LABEL_SLUG = 'com.docker.compose.slug';

/** What `run` changes of the service for its one-off container (parsed from the flags). */
export interface OneOffOverrides {
  /** Replaces the service's command (empty: keep it). */
  readonly command?: readonly string[];
  /** Replaces the entrypoint ([] clears it). */
  readonly entrypoint?: readonly string[];
  /** KEY=VALUE added to the environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly user?: string;
  readonly workdir?: string;
  /** Extra mounts (-v), already parsed. */
  readonly volumes?: readonly ServiceVolume[];
  /** Published ports (-p), already parsed. */
  readonly ports?: readonly PortConfig[];
  /** Keep the service's own published ports (--service-ports); by default a one-off publishes none. */
  readonly servicePorts?: boolean;
  readonly tty: boolean;
  /** Attach stdin (compose's default -i). */
  readonly interactive: boolean;
  /** Container name (--name); default `<project>-<service>-run-<slug>`. */
  readonly name?: string;
}

/** The slug compose puts in a one-off's name: 12 hex characters. */
export function newSlug(random: (bytes: number) => Buffer = randomBytes): string {
  return random(6).toString('hex');
}

/** The key the one-off is planned under (never a service name: `-run-` plus the slug). */
export function oneOffKey(service: string, slug: string): string {
  return `${service}-run-${slug}`;
}

/** The service as its one-off runs it: the flags applied, no replicas, no restart, no build. */
export function oneOffService(project: Project, service: Service, overrides: OneOffOverrides, key: string, name: string): Service {
  const { build: _build, deploy, ...rest } = service;
  const { replicas: _replicas, ...deployRest } = (deploy ?? {}) as Record<string, unknown>;
  return {
    ...rest,
    name: key,
    image: serviceImage(project.name, service),
    container_name: name,
    ...(Object.keys(deployRest).length ? { deploy: deployRest } : {}),
    scale: 1,
    restart: 'no',
    ...(overrides.command?.length ? { command: [...overrides.command] } : {}),
    ...(overrides.entrypoint ? { entrypoint: [...overrides.entrypoint] } : {}),
    environment: { ...service.environment, ...(overrides.env ?? {}) },
    ...(overrides.user ? { user: overrides.user } : {}),
    ...(overrides.workdir ? { working_dir: overrides.workdir } : {}),
    ports: [...(overrides.servicePorts ? service.ports : []), ...(overrides.ports ?? [])],
    volumes: [...service.volumes, ...(overrides.volumes ?? [])],
    tty: overrides.tty,
    stdin_open: overrides.interactive,
  };
}

/** The create body the planner made, as a one-off's: compose's one-off labels and attachable stdio. */
export function oneOffBody(body: EngineBody, service: string, slug: string, overrides: Pick<OneOffOverrides, 'tty' | 'interactive'>): EngineBody {
  const host = { ...((body.HostConfig as Record<string, unknown> | undefined) ?? {}) };
  delete host.RestartPolicy;
  return {
    ...body,
    Labels: { ...((body.Labels as Record<string, string> | undefined) ?? {}), [LABEL_SERVICE]: service, [LABEL_ONEOFF]: 'True', [LABEL_NUMBER]: '1', [LABEL_SLUG]: slug },
    Tty: overrides.tty,
    OpenStdin: overrides.interactive,
    StdinOnce: overrides.interactive,
    AttachStdin: overrides.interactive,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: host,
  };
}

/** Each distinct client, its createContainer for `name` passing the body through `patch`. */
function patchingCreate(clients: Daemons['clients'], name: string, patch: (body: EngineBody) => EngineBody): Daemons['clients'] {
  const wrapped = new Map<DaemonClient, DaemonClient>();
  const wrap = (client: DaemonClient): DaemonClient => {
    if (!wrapped.has(client)) {
      wrapped.set(
        client,
        new Proxy(client, {
          get(target, prop) {
            if (prop === 'createContainer') {
              return (n: string, body: EngineBody, platform?: string) => target.createContainer(n, n === name ? patch(body) : body, platform);
            }
            const value: unknown = Reflect.get(target, prop, target);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
      );
    }
    return wrapped.get(client)!;
  };
  return Object.fromEntries(Object.entries(clients).map(([p, c]) => [p, wrap(c!)]));
}

export interface CreateOneOffOptions {
  readonly service: string;
  readonly overrides: OneOffOverrides;
  /** Do not start the services it depends on (--no-deps). */
  readonly noDeps?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly allowOsMismatch?: boolean;
  readonly onEvent?: EventSink;
  readonly slug?: string;
}

export interface OneOffContainer {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly daemon: PlatformOs;
  readonly client: DaemonClient;
}

/** The one-off as the planner sees it: the project with the one-off as a service of its own key. */
function oneOffProject(project: Project, daemons: Daemons, options: CreateOneOffOptions) {
  const service = project.services[options.service];
  if (!service) throw new PlanError(`no such service: ${options.service}`);
  const slug = options.slug ?? newSlug();
  const key = oneOffKey(service.name, slug);
  const name = options.overrides.name ?? `${project.name}-${service.name}-run-${slug}`;
  const oneOff: Project = { ...project, services: { ...project.services, [key]: oneOffService(project, service, options.overrides, key, name) } };
  const deps = options.noDeps ? [] : serviceDependencies(project, service);
  const clients = patchingCreate(daemons.clients, name, (body) => oneOffBody(body, service.name, slug, options.overrides));
  return { service, key, name, oneOff, deps, daemons: { clients, facts: daemons.facts } };
}

/** The image step of a one-off: the images of the service and of what it depends on, as `up` decides them. */
function oneOffImages(services: readonly string[], options: CreateOneOffOptions): ImageOptions {
  return { env: options.env, services, ...(options.allowOsMismatch ? { allowOsMismatch: true } : {}) };
}

/**
 * `run --dry-run`: the plan of the pulls and builds it would do (when any), the plan that would start
 * what the service depends on, and the one-off's own (its create); nothing is pulled, created or started.
 */
export async function planOneOff(project: Project, daemons: Daemons, options: CreateOneOffOptions): Promise<{ plans: Plan[]; name: string; daemon: PlatformOs }> {
  const one = oneOffProject(project, daemons, options);
  const images = await planImages(project, daemons.clients, daemons.facts, oneOffImages([...one.deps, one.service.name], options));
  const plans: Plan[] = images.plan.operations.length ? [images.plan] : [];
  if (one.deps.length) plans.push((await apply(project, daemons, { reconcile: { command: 'up', services: one.deps }, dryRun: true })).plan);
  plans.push((await apply(one.oneOff, one.daemons, { reconcile: { command: 'up', services: [one.key], noDeps: true, noStart: true }, dryRun: true })).plan);
  return { plans, name: one.name, daemon: placeServices(daemons.facts)[one.service.platform.os] };
}

/**
 * Brings the images of the service and of what it depends on (a plan of image operations,
 * engine/images.ts), starts what it depends on (unless noDeps), and creates the one-off container
 * (not started: the caller attaches first).
 */
export async function createOneOff(project: Project, daemons: Daemons, options: CreateOneOffOptions): Promise<OneOffContainer> {
  const one = oneOffProject(project, daemons, options);
  const { service, key, name, deps } = one;
  const sink = options.onEvent ?? (() => undefined);
  // The images of the service and of what it depends on: one plan of pulls and builds (as `up`
  // decides them), run before the plans below observe the stack.
  await ensureImages(project, daemons.clients, daemons.facts, oneOffImages([...deps, service.name], options), sink);
  if (deps.length) await apply(project, daemons, { reconcile: { command: 'up', services: deps }, onEvent: sink });
  // The containers of the stack it leaves as they are are not news here.
  const quiet: EventSink = (e) => (e.type === 'step' && e.id.startsWith('running:') ? undefined : sink(e));
  const { result } = await apply(one.oneOff, one.daemons, { reconcile: { command: 'up', services: [key], noDeps: true, noStart: true }, onEvent: quiet });
  const daemon = placeServices(daemons.facts)[service.platform.os];
  const client = daemons.clients[daemon]!;
  const id = result?.created.get(`create:${key}:1`) ?? (await client.inspectContainer(name)).Id;
  return { id: String(id), name, service: service.name, daemon, client };
}

/**
 * Attaches to the one-off, starts it, joins it with the user's terminal or pipes until it ends,
 * removes it with `rm`; resolves with its exit code.
 */
export async function attachOneOff(container: OneOffContainer, io: TerminalIo, options: { tty: boolean; interactive: boolean; rm?: boolean }): Promise<number> {
  const calls = containerIo(container.client);
  try {
    const socket = await calls.attachContainer(container.id);
    await container.client.startContainer(container.id);
    await pumpStream(socket, io, { tty: options.tty, attachStdin: options.interactive, resize: (rows, cols) => calls.resizeContainer(container.id, rows, cols) });
    return await container.client.waitContainer(container.id, 'not-running');
  } finally {
    if (options.rm) await container.client.removeContainer(container.id, { force: true, volumes: true });
  }
}
