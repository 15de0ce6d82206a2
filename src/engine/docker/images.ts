/** /images, /distribution, /build: list, inspect, look up in the registry, pull, build, remove, tag. */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { DaemonClient, EngineBody } from '../daemon-client.js';
import { splitImageRef } from '../../model/image-ref.js';
import { isNotFound } from './errors.js';
import type { Transport } from './transport.js';

/** Image names keep their slashes in the path (/images/127.0.0.1:5555/busybox:latest/json). */
function encodeImageName(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/').replace(/%3A/gi, ':').replace(/%40/g, '@');
}

/** A build query as the classic builder's query string (arrays and maps as JSON). */
function buildQueryString(query: EngineBody): Record<string, string | number | boolean | undefined> {
  const q: Record<string, string | number | boolean | undefined> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    q[key] = typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);
  }
  return q;
}

/** The built image's ID: the aux message, else the classic "Successfully built 0123abcd" line. */
function builtImageId(output: readonly { aux?: unknown; stream?: string }[]): string | undefined {
  let imageId: string | undefined;
  for (const message of output) {
    const aux = message.aux as { ID?: string } | undefined;
    if (aux && typeof aux === 'object' && typeof aux.ID === 'string') imageId = aux.ID;
  }
  if (imageId) return imageId;
  for (const message of output) {
    const match = /(?:Successfully built|Built image:) (\S+)/.exec(message.stream ?? '');
    if (match) imageId = match[1];
  }
  return imageId;
}

export type ImageCalls = Required<Pick<DaemonClient, 'listImages' | 'inspectImage' | 'distributionInspect' | 'pullImage' | 'buildImage' | 'removeImage' | 'tagImage'>>;

/**
 * Joins identical calls that are in flight at the same time: the first asks the daemon, and every
 * caller gets its own copy of the answer (one caller changing it cannot change another's). Nothing is kept once the call settles, so an answer is never older than
 * the call that asked. (A 20-service `up` of one image asked /images/busybox/json 20 times at once.)
 */
export function joinInFlight<T>(ask: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const inFlight = new Map<string, Promise<T>>();
  return (key) => {
    let pending = inFlight.get(key);
    if (!pending) {
      pending = ask(key).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending.then((answer) => structuredClone(answer));
  };
}

export function imageCalls(t: Transport): ImageCalls {
  const inspectImage = joinInFlight(async (name: string): Promise<EngineBody | undefined> => {
    try {
      return await t.request<EngineBody>({ method: 'GET', path: `/images/${encodeImageName(name)}/json` });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw t.wrap(`inspect image ${name}`, error);
    }
  });
  return {
    listImages: (filters) =>
      t.call('list images', () => t.request<EngineBody[]>({ method: 'GET', path: '/images/json', query: { filters: JSON.stringify(filters) } })),
    inspectImage,
    distributionInspect: (name, auth) =>
      t.call(`look up image ${name} in its registry`, async () => {
        const result = await t.request<{ Descriptor: EngineBody; Platforms?: EngineBody[] | null }>({
          method: 'GET',
          path: `/distribution/${encodeImageName(name)}/json`,
          ...(auth ? { auth } : {}),
        });
        return { Descriptor: result.Descriptor, Platforms: result.Platforms ?? [] };
      }),
    pullImage: (name, options, onProgress) =>
      t.call(`pull image ${name}`, async () => {
        const { name: repository, tag, digest } = splitImageRef(name);
        const res = await t.request<IncomingMessage>({
          method: 'POST',
          path: '/images/create',
          query: { fromImage: digest ? `${repository}@${digest}` : repository, tag: digest ? undefined : (tag ?? 'latest'), platform: options.platform },
          stream: true,
          ...(options.auth ? { auth: options.auth } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        await t.followProgress(res, onProgress, false);
      }),
    buildImage: (context, query, onProgress, options = {}) => {
      const tag = Array.isArray(query.t) ? query.t[0] : query.t;
      return t.call(`build image${tag ? ` ${String(tag)}` : ''}`, async () => {
        const buildKit = String(query.version ?? '1') === '2';
        const res: Readable = buildKit
          ? await t.buildWithSession(context, query, options.auth, options.signal)
          : await t.request<IncomingMessage>({
              method: 'POST',
              path: '/build',
              query: buildQueryString(query),
              file: context,
              stream: true,
              ...(options.auth ? { registryConfig: options.auth } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
            });
        return builtImageId(await t.followProgress(res, onProgress, buildKit));
      });
    },
    removeImage: (name, force) =>
      t.call(`remove image ${name}`, async () => {
        await t.request({ method: 'DELETE', path: `/images/${encodeImageName(name)}`, query: { force: force ? true : undefined } });
      }),
    tagImage: (source, repo, tag) =>
      t.call(`tag image ${source} as ${repo}:${tag}`, async () => {
        await t.request({ method: 'POST', path: `/images/${encodeImageName(source)}/tag`, query: { repo, tag } });
      }),
  };
}
