/**
 * I/O: the image facts the planner needs (plan/image-facts.ts), gathered beside the rest of
 * observe: each service's local image on its daemon (GET /images/{name}/json: id, OS, architecture,
 * when last tagged) and, only for images the pull policy would pull, the registry's platform list
 * (GET /distribution/{name}/json), so a wrong-platform image is refused while planning, before a
 * byte moves. Lookups are made once per daemon and reference.
 */
import { DaemonError } from '../errors.js';
import type { PlatformOs, Project } from '../model/project.js';
import { serviceImage } from '../plan/create-body.js';
import { imageDecision, policyServices, type ImagePolicy, type LocalImageFact, type RegistryFact, type ServiceImageFact } from '../plan/image-facts.js';
import type { ImagePlatform } from '../plan/image-platform.js';
import type { DaemonFacts } from '../plan/observed-state.js';
import { placeServices } from '../plan/placement.js';
import type { DaemonClient, EngineBody } from './daemon-client.js';
import type { Env } from './daemon-endpoints.js';
import { RegistryAuthResolver } from './registry-auth.js';

export interface ImageFactOptions {
  readonly policy: ImagePolicy;
  /** Process environment (DOCKER_CONFIG for registry credentials). */
  readonly env: Env;
  /** Registry credentials; default reads $DOCKER_CONFIG/config.json. */
  readonly auth?: RegistryAuthResolver;
}

/** Parses a time the Engine API gives ("0001-01-01T00:00:00Z" = never) into ms. */
function engineTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The facts of a local image inspect body. */
export function localImageFact(body: EngineBody): LocalImageFact | undefined {
  if (typeof body.Id !== 'string') return undefined;
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  const metadata = body.Metadata as { LastTagTime?: string } | undefined;
  const refreshedAt = engineTime(metadata?.LastTagTime) ?? engineTime(body.Created);
  const os = text('Os');
  const architecture = text('Architecture');
  const variant = text('Variant');
  const osVersion = text('OsVersion');
  return {
    id: body.Id,
    ...(os !== undefined ? { os } : {}),
    ...(architecture !== undefined ? { architecture } : {}),
    ...(variant !== undefined ? { variant } : {}),
    ...(osVersion !== undefined ? { osVersion } : {}),
    ...(refreshedAt !== undefined ? { refreshedAt } : {}),
  };
}

function failureText(error: unknown): string {
  return error instanceof DaemonError && error.cause instanceof Error ? error.cause.message : (error as Error).message;
}

/** Every covered service's image facts (services whose daemon is not connected are left out). */
export async function gatherImageFacts(
  project: Project,
  clients: Readonly<Partial<Record<PlatformOs, DaemonClient>>>,
  facts: Readonly<Partial<Record<PlatformOs, DaemonFacts>>>,
  options: ImageFactOptions,
): Promise<ServiceImageFact[]> {
  const auth = options.auth ?? new RegistryAuthResolver({ env: options.env });
  const placement = placeServices(facts);
  const lookups = new Map<string, Promise<RegistryFact>>();
  const lookup = (client: DaemonClient, image: string): Promise<RegistryFact> => {
    const key = `${client.label}|${image}`;
    let found = lookups.get(key);
    if (!found) {
      found = auth
        .forImage(image)
        .then((credentials) => client.distributionInspect(image, credentials))
        .then(
          (d): RegistryFact => ({
            platforms: d.Platforms as readonly ImagePlatform[],
            ...(typeof d.Descriptor?.digest === 'string' ? { digest: d.Descriptor.digest } : {}),
          }),
          (error: unknown): RegistryFact => ({ error: failureText(error) }),
        );
      lookups.set(key, found);
    }
    return found;
  };
  const gathered = await Promise.all(
    policyServices(project, options.policy).map(async (service): Promise<ServiceImageFact | undefined> => {
      const client = clients[service.platform.os];
      if (!client) return undefined;
      const image = serviceImage(project.name, service);
      const inspected = await client.inspectImage(image);
      const local = inspected ? localImageFact(inspected) : undefined;
      const fact: ServiceImageFact = { service: service.name, daemon: placement[service.platform.os], image, ...(local ? { local } : {}) };
      if (imageDecision(project.name, service, local, options.policy).action !== 'pull') return fact;
      return { ...fact, registry: await lookup(client, image) };
    }),
  );
  return gathered.filter((f): f is ServiceImageFact => f !== undefined);
}
