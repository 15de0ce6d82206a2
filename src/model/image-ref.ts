/**
 * Image references, the one parser: the grammar of the docker CLI / distribution ("reference"
 * package), pure.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path          path := component ( "/" component )*
 *   domain    := host [ ":" port ]            host := DNS name | "[" IPv6 "]"
 *
 * The first slash-separated part of a name is a registry domain when it contains a "." or a ":",
 * is "localhost", or has an upper-case letter (a path never does); otherwise the image is on
 * Docker Hub: domain "docker.io", and a one-part path is an official image, "library/<path>".
 * A ":" is a tag separator only after the last "/", so a registry port is never mistaken for a tag.
 */

/** Docker Hub, as references name it after normalisation. */
export const DOCKER_HUB_DOMAIN = 'docker.io';
/** The tag an untagged, undigested reference means. */
export const DEFAULT_TAG = 'latest';

/** A reference cut at its separators, as written: nothing added, nothing checked. */
export interface ImageRefParts {
  /** Everything before the tag and digest, as written: "127.0.0.1:5555/busybox", "nginx". */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** A checked reference in normalised form. */
export interface ImageRef {
  /** Registry host with optional port: "docker.io", "127.0.0.1:5555", "mcr.microsoft.com". */
  readonly domain: string;
  /** Repository path in the registry: "library/nginx", "mssql/server". */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]{32,})$/;
const NAME_MAX = 255;

/** Cuts `reference` into name, tag and digest, without checking them (never throws). */
export function splitImageRef(reference: string): ImageRefParts {
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Whether the first part of a name (before its first "/") is a registry domain. */
function isDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first;
}

/**
 * A name's registry domain and its path as written ("nginx" → docker.io, "nginx"; no "library/"
 * added). Never throws.
 */
export function splitDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0 || !isDomain(name.slice(0, slash))) return { domain: DOCKER_HUB_DOMAIN, remainder: name };
  const domain = name.slice(0, slash);
  return { domain: domain === 'index.docker.io' ? DOCKER_HUB_DOMAIN : domain, remainder: name.slice(slash + 1) };
}

/** The registry host (with port) of a reference: where its pulls go and whose credentials apply. */
export function registryOf(reference: string): string {
  return splitDomain(splitImageRef(reference).name).domain;
}

/** The repository path as written, lower-cased, without registry, tag or digest ("mcr.microsoft.com/mssql/server:2022" → "mssql/server"). */
export function repositoryOf(reference: string): string {
  return splitDomain(splitImageRef(reference).name).remainder.toLowerCase();
}

/** Why `reference` is not a valid image reference, or undefined when it is. */
export function imageRefProblem(reference: string): string | undefined {
  if (reference === '') return 'the image reference is empty';
  const { name, tag, digest } = splitImageRef(reference);
  if (name === '') return `"${reference}" has no repository name`;
  if (name.length > NAME_MAX) return `the repository name of "${reference}" is longer than ${NAME_MAX} characters`;
  const slash = name.indexOf('/');
  if (slash >= 0 && isDomain(name.slice(0, slash)) && !DOMAIN.test(name.slice(0, slash))) {
    return `"${name.slice(0, slash)}" in "${reference}" is not a valid registry host[:port]`;
  }
  const { remainder } = splitDomain(name);
  const bad = remainder.split('/').find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined) {
    return `"${bad}" in "${reference}" is not a valid repository name part (lower-case letters, digits and single . _ __ or - between them)`;
  }
  if (tag !== undefined && !TAG.test(tag)) return `"${tag}" in "${reference}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`;
  if (reference.endsWith(':') || (reference.includes('@') && digest === undefined)) return `"${reference}" ends without its tag or digest`;
  if (digest !== undefined) {
    const match = DIGEST.exec(digest);
    if (!match) return `"${digest}" in "${reference}" is not a valid digest (algorithm:hex)`;
    if (match[1] === 'sha256' && match[2]!.length !== 64) return `"${digest}" in "${reference}" is not a sha256 digest (64 hex digits)`;
  }
  return undefined;
}

/** An invalid image reference. */
export class ImageRefError extends Error {
  override readonly name = 'ImageRefError';
}

/** Checks and normalises `reference`; throws ImageRefError naming what is wrong. */
export function parseImageRef(reference: string): ImageRef {
  const problem = imageRefProblem(reference);
  if (problem) throw new ImageRefError(problem);
  const { name, tag, digest } = splitImageRef(reference);
  const { domain, remainder } = splitDomain(name);
  const path = domain === DOCKER_HUB_DOMAIN && !remainder.includes('/') ? `library/${remainder}` : remainder;
  return { domain, path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The full normalised form: "docker.io/library/nginx:latest" (the default tag added when neither tag nor digest). */
export function formatImageRef(ref: ImageRef): string {
  const tag = ref.tag ?? (ref.digest ? undefined : DEFAULT_TAG);
  return `${ref.domain}/${ref.path}${tag ? `:${tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The short form docker shows: Docker Hub's domain and "library/" dropped ("nginx:1.27", "grafana/grafana"). */
export function familiarImageRef(ref: ImageRef): string {
  const name = ref.domain === DOCKER_HUB_DOMAIN ? ref.path.replace(/^library\/(?=[^/]+$)/, '') : `${ref.domain}/${ref.path}`;
  return `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** `reference` as written with ":latest" added when it has neither tag nor digest (how the daemon lists it). */
export function withDefaultTag(reference: string): string {
  const { tag, digest } = splitImageRef(reference);
  return tag || digest ? reference : `${reference}:${DEFAULT_TAG}`;
}
