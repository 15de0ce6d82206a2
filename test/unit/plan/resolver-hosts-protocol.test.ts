/**
 * The project resolver's hosts files go in as lines on its stdin (plan/resolver-hosts-protocol.ts):
 * the encoder refuses what would leave the hostsdirs or break a line, the answer parser matches
 * only its own batch, and the sh loop itself (run here under dash and busybox sh, as in the
 * resolver image) writes what the encoder sent, atomically, and refuses what it must.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PlanError } from '../../../src/errors.js';
import {
  DAEMON_REDIRECTS,
  HOSTS_READER_START,
  decodeHostsBatch,
  encodeHostsBatch,
  encodePingRecord,
  hostsBatchAnswer,
  hostsReaderFunction,
  type HostsFileWrite,
} from '../../../src/plan/resolver-hosts-protocol.js';
import { RESOLVER_DIRS, RESOLVER_HOSTS_DIR, RESOLVER_STATIC_DIRS, hostsFileContent, resolverBody, resolverLayout } from '../../../src/plan/resolver.js';
import { project, service } from './builders.js';

const web: HostsFileWrite = { dir: RESOLVER_HOSTS_DIR, file: 'web-1', content: '10.202.0.9 web\n10.202.0.9 shop-web-1\n' };
const gone: HostsFileWrite = { dir: RESOLVER_HOSTS_DIR, file: 'api-1', content: '' };

describe('encodeHostsBatch', () => {
  it('is begin, each file as file/line/write records, then the ack with the token', () => {
    expect(encodeHostsBatch([web, gone], 'abc123', RESOLVER_DIRS)).toBe(
      [
        'begin',
        'file\t/etc/mixcompose-hosts\tweb-1',
        'line\t10.202.0.9 web',
        'line\t10.202.0.9 shop-web-1',
        'write',
        'file\t/etc/mixcompose-hosts\tapi-1',
        'write',
        'ack\tabc123',
        '',
      ].join('\n'),
    );
  });

  it('decodes back to the same files (the record of a run and the in-memory daemons rely on it)', () => {
    const statics: HostsFileWrite = { dir: RESOLVER_STATIC_DIRS.linux, file: 'db', content: '192.0.2.10 db\n' };
    expect(decodeHostsBatch(encodeHostsBatch([web, gone, statics], 't', RESOLVER_DIRS))).toEqual([web, gone, statics]);
  });

  it('refuses a directory that is not a hostsdir, naming the file', () => {
    expect(() => encodeHostsBatch([{ ...web, dir: '/etc' }], 't', RESOLVER_DIRS)).toThrow(PlanError);
    expect(() => encodeHostsBatch([{ ...web, dir: '/etc' }], 't', RESOLVER_DIRS)).toThrow(/\/etc\/web-1 is outside its hostsdirs/);
    expect(() => encodeHostsBatch([{ ...web, dir: `${RESOLVER_HOSTS_DIR}/..` }], 't', RESOLVER_DIRS)).toThrow(/outside its hostsdirs/);
  });

  it.each([['../passwd'], ['a/b'], ['.hidden'], [''], ['web\t1'], ['web\n1']])('refuses the file name %j', (file) => {
    expect(() => encodeHostsBatch([{ ...web, file }], 't', RESOLVER_DIRS)).toThrow(/a hosts file name is letters/);
  });

  it('refuses an entry with a tab, carriage return or other control character, saying which', () => {
    expect(() => encodeHostsBatch([{ ...web, content: '10.0.0.1 a\tb\n' }], 't', RESOLVER_DIRS)).toThrow(/holds a tab/);
    expect(() => encodeHostsBatch([{ ...web, content: '10.0.0.1 a\r\n' }], 't', RESOLVER_DIRS)).toThrow(/holds a carriage return/);
    expect(() => encodeHostsBatch([{ ...web, content: '10.0.0.1 a\u0000\n' }], 't', RESOLVER_DIRS)).toThrow(/U\+0000/);
  });

  it('hostsFileContent refuses a name with a space or line break (it would make another entry)', () => {
    expect(() => hostsFileContent('10.0.0.1', ['web', 'evil\n10.6.6.6 bank'])).toThrow(PlanError);
    expect(() => hostsFileContent('10.0.0.1', ['a b'])).toThrow(/"a b" cannot be a name/);
    expect(hostsFileContent('10.0.0.1', ['web', 'shop-web-1'])).toBe('10.0.0.1 web\n10.0.0.1 shop-web-1\n');
  });
});

describe('hostsBatchAnswer', () => {
  it('takes only its own batch\'s answer', () => {
    expect(hostsBatchAnswer('ok abc', 'abc')).toEqual({ ok: true });
    expect(hostsBatchAnswer('failed abc not a hostsdir: /etc', 'abc')).toEqual({ ok: false, reason: 'not a hostsdir: /etc' });
    expect(hostsBatchAnswer('ok abcd', 'abc')).toBeUndefined();
    expect(hostsBatchAnswer('ok other', 'abc')).toBeUndefined();
    expect(hostsBatchAnswer('dnsmasq[1]: read /etc/mixcompose-hosts/web-1 - 2 names', 'abc')).toBeUndefined();
  });
});

describe('resolverBody', () => {
  it('keeps stdin open for the reader and runs dnsmasq as PID 1 without it', () => {
    const body = resolverBody(project([service('db')]), 'img', 'shop_default');
    expect(body).toMatchObject({ OpenStdin: true, StdinOnce: false, Tty: false });
    const script = (body.Cmd as string[])[0]!;
    expect(script).toContain(HOSTS_READER_START);
    // The reach probe's ping record is part of the script, so of the resolver's config hash: a resolver
    // made by an older version (without it) is made again by the next up.
    expect(script).toContain('ping) mixcompose_ping "$arg" & ;;');
    expect(script.split('\n').at(-1)).toMatch(new RegExp(`^exec /usr/sbin/dnsmasq .* ${DAEMON_REDIRECTS}$`));
  });

  it('under published reach the loop may write the static dirs the two dnsmasq read', () => {
    const stack = project([service('db')], {}, { linux: { reach: 'published', address: '192.0.2.10' }, windows: { reach: 'published', address: '192.0.2.20' } });
    const layout = resolverLayout(stack, { linux: 'published', windows: 'published' });
    const script = (resolverBody(stack, 'img', 'shop_default', layout).Cmd as string[])[0]!;
    expect(script).toContain(`case $dir in ${RESOLVER_STATIC_DIRS.linux}|${RESOLVER_HOSTS_DIR}|${RESOLVER_STATIC_DIRS.windows})`);
  });
});

/** The shells the resolver's bases have: busybox ash (alpine) and dash (Debian). */
const shells = [
  ['dash', ['dash']],
  ['busybox sh', ['busybox', 'sh']],
].filter(([, argv]) => spawnSync(argv![0]!, [...argv!.slice(1), '-c', 'true']).status === 0) as [string, string[]][];

describe.each(shells)('the hosts reader loop under %s', (_name, argv) => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });
  const setup = () => {
    const root = mkdtempSync(join(tmpdir(), 'hosts-reader-'));
    roots.push(root);
    const dirs = [join(root, 'hosts'), join(root, 'static')];
    for (const d of dirs) mkdirSync(d);
    // As in the resolver: the function, the start line (stdin kept on fd 3), then the main process.
    const script = [`mkdir -p ${dirs.join(' ')} || exit 1`, hostsReaderFunction(dirs), HOSTS_READER_START, 'wait'].join('\n');
    const run = (input: string) => {
      const result = spawnSync(argv[0]!, [...argv.slice(1), '-c', script], { input, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      return result.stdout.split('\n').filter(Boolean);
    };
    return { root, dirs, run };
  };

  it('writes each file whole, empties one, and answers ok with the token', () => {
    const { dirs, run } = setup();
    writeFileSync(join(dirs[0]!, 'api-1'), '10.0.0.5 api\n');
    const files: HostsFileWrite[] = [
      { dir: dirs[0]!, file: 'web-1', content: '10.202.0.9 web\n10.202.0.9 shop-web-1\n' },
      { dir: dirs[0]!, file: 'api-1', content: '' },
      { dir: dirs[1]!, file: 'db', content: '192.0.2.10 db  # spaces\\and backslash\\n kept\n' },
    ];
    expect(run(encodeHostsBatch(files, 'tok1', dirs))).toEqual(['ok tok1']);
    for (const f of files) expect(readFileSync(join(f.dir, f.file), 'utf8')).toBe(f.content);
    // The temp files were renamed over the hosts files: none left behind.
    expect(readdirSync(dirs[0]!).sort()).toEqual(['api-1', 'web-1']);
  });

  it('refuses a directory it was not given and a file name with a slash or a dot first, writing the rest', () => {
    const { root, dirs, run } = setup();
    const input = [
      'begin',
      `file\t${root}\tescaped`,
      'line\t1.2.3.4 x',
      'write',
      `file\t${dirs[0]}\t../escaped2`,
      'write',
      `file\t${dirs[0]}\t.hidden`,
      'write',
      `file\t${dirs[0]}\tok-1`,
      'line\t1.2.3.4 ok',
      'write',
      'ack\ttok2',
      // The next batch starts clean.
      'begin',
      'ack\ttok3',
      '',
    ].join('\n');
    expect(run(input)).toEqual([`failed tok2 not a hostsdir: ${root}`, 'ok tok3']);
    expect(existsSync(join(root, 'escaped'))).toBe(false);
    expect(existsSync(join(root, 'escaped2'))).toBe(false);
    expect(readdirSync(dirs[0]!)).toEqual(['ok-1']);
  });

  it('pings in the background for the reach probe: ok on a reply, failed with ping\'s last line, refuses a malformed record', () => {
    const { root, run } = setup();
    // A `ping` of its own on PATH (the host's may need privileges): answers 127.0.0.1 only.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ping'), '#!/bin/sh\nfor a; do ip=$a; done\n[ "$ip" = 127.0.0.1 ] && { echo "64 bytes from $ip: seq=0 ttl=64"; exit 0; }\necho "1 packets transmitted, 0 packets received, 100% packet loss"; exit 1\n', { mode: 0o755 });
    const input = [encodePingRecord('p1', '127.0.0.1', 1, 3), encodePingRecord('p2', '192.0.2.7', 1, 2), 'ping\tp3\t1.2.3.4;id\t1\t1\n', 'ack\tb1\n'].join('');
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      expect(run(input).sort()).toEqual(['failed p2 1 packets transmitted, 0 packets received, 100% packet loss', 'failed p3 not an IPv4 address', 'ok b1', 'ok p1']);
    } finally {
      process.env.PATH = saved;
    }
    expect(() => encodePingRecord('p4', '1.2.3.4;id', 1, 1)).toThrow(/IPv4/);
  });

  it('takes fields literally: no expansion, globbing or command substitution', () => {
    const { dirs, run } = setup();
    const content = '1.2.3.4 $(touch pwned) `touch pwned2` $HOME * ;rm -rf /\n';
    expect(run(encodeHostsBatch([{ dir: dirs[0]!, file: 'x-1', content }], 't', dirs))).toEqual(['ok t']);
    expect(readFileSync(join(dirs[0]!, 'x-1'), 'utf8')).toBe(content);
    expect(readdirSync(dirs[0]!)).toEqual(['x-1']);
  });
});
