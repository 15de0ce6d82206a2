/**
 * A minimal ustar writer for the few small files mixcompose copies into containers (hosts files
 * for the resolver, secrets/configs given as content). Directories leading to each file are
 * written as entries too, so the archive can be unpacked at "/".
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

/** The tar archive of the entries (with their parent directories). */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  for (const entry of entries) {
    const segments = entry.path.split('/').filter(Boolean);
    for (let i = 1; i < segments.length; i++) {
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
