#!/usr/bin/env node
// Seeds the rig's loopback registry through its HTTP API (Docker Registry HTTP API v2), with no daemon:
//   <addr>/fake-windows:latest  busybox's layers under a config that says os "windows",
//                               os.version 10.0.20348.1 (a Linux daemon must refuse it)
//   <addr>/payload-N:latest     N = 1..4: busybox plus one layer of random bytes, distinct per N, so
//                               the pull benchmark has real bytes to move
// Expects <addr>/busybox:latest to be there already (rig.sh pushes it). Idempotent: an existing tag is
// left alone. Usage: node scripts/rig-registry.mjs 127.0.0.1:5555
// Size of each payload layer: MIXCOMPOSE_RIG_PAYLOAD_MB (default 8).
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const CONFIG_V1 = 'application/vnd.docker.container.image.v1+json';
const LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const PAYLOAD_COUNT = 4;

const addr = process.argv[2] ?? '127.0.0.1:5555';
const base = `http://${addr}`;
const payloadBytes = Math.round(Number(process.env.MIXCOMPOSE_RIG_PAYLOAD_MB ?? '8') * 1024 * 1024);

const sha256 = (buf) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

async function expectStatus(res, ok, what) {
  if (!ok.includes(res.status)) {
    throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  }
  return res;
}

async function tagExists(repo, tag) {
  const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_V2 },
  });
  return res.status === 200;
}

async function getManifest(repo, tag) {
  const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { headers: { accept: MANIFEST_V2 } });
  await expectStatus(res, [200], `GET manifest ${repo}:${tag}`);
  return res.json();
}

async function getBlob(repo, digest) {
  const res = await fetch(`${base}/v2/${repo}/blobs/${digest}`);
  await expectStatus(res, [200], `GET blob ${repo}@${digest}`);
  return Buffer.from(await res.arrayBuffer());
}

function resolveLocation(location) {
  return new URL(location, base);
}

/** Monolithic upload: POST to open an upload session, PUT the bytes with their digest. */
async function putBlob(repo, buf) {
  const digest = sha256(buf);
  const head = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return digest;
  const open = await expectStatus(
    await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' }),
    [202],
    `open upload ${repo}`,
  );
  const url = resolveLocation(open.headers.get('location'));
  url.searchParams.set('digest', digest);
  await expectStatus(
    await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(buf.length) },
      body: buf,
    }),
    [201],
    `upload blob ${repo}@${digest}`,
  );
  return digest;
}

/** Cross-repository mount: makes `from`'s blob part of `repo` without moving bytes. */
async function mountBlob(repo, digest, from) {
  const res = await fetch(
    `${base}/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
    { method: 'POST' },
  );
  if (res.status === 201) return;
  // 202 means the registry opened a plain upload instead; push the bytes ourselves.
  await res.arrayBuffer();
  await putBlob(repo, await getBlob(from, digest));
}

async function putManifest(repo, tag, manifest) {
  const body = JSON.stringify(manifest);
  await expectStatus(
    await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'content-type': MANIFEST_V2 },
      body,
    }),
    [201],
    `PUT manifest ${repo}:${tag}`,
  );
}

/** A ustar archive holding one regular file (enough for an image layer). */
function singleFileTar(name, data) {
  const header = Buffer.alloc(512, 0);
  const field = (offset, length, value) => header.write(value, offset, length, 'ascii');
  const octal = (value, digits) => value.toString(8).padStart(digits, '0') + '\0';
  field(0, 100, name);
  field(100, 8, octal(0o644, 7));
  field(108, 8, octal(0, 7));
  field(116, 8, octal(0, 7));
  field(124, 12, octal(data.length, 11));
  field(136, 12, octal(0, 11));
  field(148, 8, '        '); // checksum is computed with this field as spaces
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512, 0);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024, 0)]);
}

/** Copies busybox's layers into `repo` and pushes `repo:latest` with `config` (a modified copy). */
async function pushDerived(repo, base, baseConfig, changeConfig, extraLayers = []) {
  const config = structuredClone(baseConfig);
  changeConfig(config);
  for (const layer of base.layers) await mountBlob(repo, layer.digest, 'busybox');
  const layers = [...base.layers];
  for (const { gz, tar } of extraLayers) {
    const digest = await putBlob(repo, gz);
    layers.push({ mediaType: LAYER_GZIP, size: gz.length, digest });
    config.rootfs.diff_ids.push(sha256(tar));
  }
  const configBuf = Buffer.from(JSON.stringify(config));
  const configDigest = await putBlob(repo, configBuf);
  await putManifest(repo, 'latest', {
    schemaVersion: 2,
    mediaType: MANIFEST_V2,
    config: { mediaType: CONFIG_V1, size: configBuf.length, digest: configDigest },
    layers,
  });
}

async function main() {
  if (!(await tagExists('busybox', 'latest'))) {
    throw new Error(`${addr}/busybox:latest is missing (rig.sh pushes it before running this)`);
  }
  const busybox = await getManifest('busybox', 'latest');
  const busyboxConfig = JSON.parse((await getBlob('busybox', busybox.config.digest)).toString('utf8'));

  if (!(await tagExists('fake-windows', 'latest'))) {
    await pushDerived('fake-windows', busybox, busyboxConfig, (config) => {
      config.os = 'windows';
      config['os.version'] = '10.0.20348.1';
    });
    console.error(`rig: registry: pushed fake-windows:latest (os windows, os.version 10.0.20348.1)`);
  }

  for (let n = 1; n <= PAYLOAD_COUNT; n++) {
    const repo = `payload-${n}`;
    if (await tagExists(repo, 'latest')) continue;
    const tar = singleFileTar(`payload-${n}.bin`, randomBytes(payloadBytes));
    const gz = gzipSync(tar, { level: 1 });
    await pushDerived(
      repo,
      busybox,
      busyboxConfig,
      (config) => {
        config.created = new Date().toISOString();
        config.history = [
          ...(config.history ?? []),
          { created: config.created, created_by: `mixcompose rig: ${payloadBytes} random bytes` },
        ];
      },
      [{ gz, tar }],
    );
    console.error(`rig: registry: pushed ${repo}:latest (+${(gz.length / 1048576).toFixed(1)} MiB layer)`);
  }
}

main().catch((err) => {
  console.error(`rig: registry seeding failed: ${err.message}`);
  process.exit(1);
});
