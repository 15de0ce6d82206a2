/**
 * A minimal ustar writer for the few small files mixcompose sends the daemon (secrets/configs given
 * as content, the project lock's renewal time, a helper image's Dockerfile). Directories leading to
 * each file are written as entries too by default, so the archive can be unpacked at "/" with their
 * mode.
 *
 * Docker's untar (moby pkg/archive Unpack) sets each directory entry's mtime from its header once
 * the files are in; a file replaces an existing one by removing and re-creating it, so without a
 * header for its directory the kernel gives the directory the time of the write (`directories:
 * false`), as a hand `docker cp` of a file does (the hosts-cache tests copy a file into the resolver
 * this way: the client-side cache of its files checks that mtime, engine/resolver-hosts-cache.ts).
 * Docker creates a missing parent directory itself (0755), so leaving them out is always safe.
 */

export interface TarEntry {
  /** Relative path inside the archive, "/"-separated. */
  readonly path: string;
  readonly content: string | Buffer;
  readonly mode?: number;
}

function header(name: string, size: number, mode: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512, 0);
  const write = (text: string, offset: number, length: number) => h.write(text.slice(0, length), offset, length, 'utf8');
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 154);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  write(base, 0, 100);
  write(`${(mode & 0o7777).toString(8).padStart(7, '0')}\0`, 100, 8);
  write('0000000\0', 108, 8); // uid
  write('0000000\0', 116, 8); // gid
  write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12);
  write(`${Math.floor(Date.UTC(2020, 0, 1) / 1000).toString(8).padStart(11, '0')}\0`, 136, 12);
  write('        ', 148, 8); // checksum placeholder
  write(type, 156, 1);
  write('ustar\0', 257, 6);
  write('00', 263, 2);
  write(prefix, 345, 155);
  let sum = 0;
  for (const byte of h) sum += byte;
  write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** The tar archive of the entries (with their parent directories unless `directories: false`). */
export function tarArchive(entries: readonly TarEntry[], options: { readonly directories?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  for (const entry of entries) {
    const segments = entry.path.split('/').filter(Boolean);
    for (let i = 1; options.directories !== false && i < segments.length; i++) {
      const dir = `${segments.slice(0, i).join('/')}/`;
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      parts.push(header(dir, 0, 0o755, '5'));
    }
    const data = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content, 'utf8');
    parts.push(header(segments.join('/'), data.length, entry.mode ?? 0o644, '0'));
    parts.push(data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}

/** A regular file read back from an archive (getArchive answers). */
export interface TarFile {
  readonly path: string;
  readonly content: Buffer;
}

/** PAX extended header records (`<len> key=value\n`) → their `path`, if any. */
function paxPath(data: Buffer): string | undefined {
  let rest = data.toString('utf8');
  while (rest.length) {
    const space = rest.indexOf(' ');
    const length = Number(rest.slice(0, space));
    if (space < 0 || !Number.isInteger(length) || length <= space) return undefined;
    const record = rest.slice(space + 1, length - 1);
    rest = rest.slice(length);
    if (record.startsWith('path=')) return record.slice('path='.length);
  }
  return undefined;
}

/**
 * The regular files of a tar archive (ustar, with GNU long names and PAX paths as Docker's Go
 * archive/tar writes them). Directories, links and other entries are skipped.
 */
export function tarFiles(archive: Buffer): TarFile[] {
  const files: TarFile[] = [];
  const text = (h: Buffer, offset: number, length: number) => {
    const field = h.subarray(offset, offset + length);
    const end = field.indexOf(0);
    return field.subarray(0, end < 0 ? length : end).toString('utf8');
  };
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= archive.length) {
    const h = archive.subarray(offset, offset + 512);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(text(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156]!);
    const data = archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    const prefix = text(h, 257, 6).startsWith('ustar') ? text(h, 345, 155) : '';
    const path = longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    longName = undefined;
    if (type === '0' || type === '\0') files.push({ path, content: Buffer.from(data) });
  }
  return files;
}
