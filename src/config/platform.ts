/**
 * `platform:` parsing: OCI `os[/architecture[/variant]]`, where os is linux or windows.
 * `wasi` (WebAssembly, e.g. `wasi/wasm`) is run by a Linux engine's wasm runtime, so such a
 * service is placed on the linux daemon (`os: linux`) and `raw` keeps what was written.
 */
import type { PlatformOs, PlatformSpec } from '../model/project.js';

const PART = /^[A-Za-z0-9_.-]+$/;

/** Returns the parsed platform, or an error message. */
export function parsePlatform(raw: string): PlatformSpec | string {
  const parts = raw.trim().split('/');
  const written = parts[0]!.toLowerCase();
  const os = written === 'wasi' ? 'linux' : written;
  if (os !== 'linux' && os !== 'windows') {
    return `invalid platform "${raw}": the OS must be linux or windows (as in linux/amd64 or windows/amd64)`;
  }
  if (parts.length > 3 || parts.slice(1).some((p) => !PART.test(p))) {
    return `invalid platform "${raw}": expected os[/architecture[/variant]], e.g. linux/arm64/v8`;
  }
  return {
    os: os as PlatformOs,
    ...(parts[1] ? { architecture: parts[1].toLowerCase() } : {}),
    ...(parts[2] ? { variant: parts[2].toLowerCase() } : {}),
    raw: raw.trim(),
  };
}

export function defaultPlatform(os: PlatformOs): PlatformSpec {
  return { os, raw: os };
}
