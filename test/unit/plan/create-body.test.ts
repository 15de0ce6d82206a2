/**
 * Service → Engine API create body: every attribute, for a linux and a windows-declared service.
 */
import { describe, expect, it } from 'vitest';
import { createBody } from '../../../src/plan/create-body.js';
import { project, service } from './builders.js';

const full = (platform: 'linux' | 'windows') =>
  service('api', {
    platform,
    image: 'example/api:1',
    command: ['serve', '--port', '80'],
    entrypoint: ['/entry.sh'],
    environment: { B: '2', A: '1', UNSET: null },
    ports: [
      { target: 80, published: '8080', protocol: 'tcp' },
      { target: 53, protocol: 'udp', host_ip: '127.0.0.1', published: '5353' },
    ],
    expose: ['9000'],
    volumes: [
      { type: 'bind', source: '/srv/data', target: '/data', read_only: true },
      { type: 'volume', source: 'cache', target: '/cache', volume: { nocopy: true } },
      { type: 'tmpfs', target: '/scratch', tmpfs: { size: '64m' } },
    ],
    tmpfs: ['/run:size=1m'],
    healthcheck: { test: ['CMD-SHELL', 'curl -f localhost'], interval: '1m30s', timeout: '500ms', retries: 3, start_period: '2s' },
    restart: 'on-failure:3',
    deploy: { resources: { limits: { memory: '512m', cpus: '0.5', pids: 100 }, reservations: { memory: '128m' } } },
    user: '1000:1000',
    working_dir: '/app',
    init: true,
    logging: { driver: 'json-file', options: { 'max-size': '10m' } },
    labels: { team: 'shop' },
    extra_hosts: ['gateway=10.0.0.1'],
    dns: ['1.1.1.1'],
    dns_search: ['example.com'],
    hostname: 'api-host',
    domainname: 'example.com',
    cap_add: ['NET_ADMIN'],
    cap_drop: ['MKNOD'],
    devices: ['/dev/fuse:/dev/fuse:rwm'],
    sysctls: { 'net.core.somaxconn': '1024' },
    ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 512 },
    stop_signal: 'SIGQUIT',
    stop_grace_period: '1m',
    networks: { front: { aliases: ['api.local'], ipv4_address: '172.30.0.10' }, back: null },
    secrets: [{ source: 'token' }],
    configs: [{ source: 'conf', target: '/etc/app.conf' }],
  });

const p = (platform: 'linux' | 'windows') =>
  project([full(platform)], {
    volumes: { cache: { name: 'shop_cache' } },
    networks: { front: { name: 'shop_front' }, back: { name: 'shop_back' } },
    secrets: { token: { name: 'shop_token', file: '/src/shop/token.txt' } },
    configs: { conf: { name: 'shop_conf', content: 'debug=true\n' } },
  });

describe('createBody', () => {
  it('maps every attribute of a linux service', () => {
    const result = createBody({
      project: p('linux'),
      service: full('linux'),
      number: 1,
      labels: { 'com.docker.compose.service': 'api' },
      image: 'example/api:1',
      dnsFirst: ['{{ mixcompose.resolver.ip }}'],
      containerNameOf: (s) => `shop-${s}-1`,
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.connect).toEqual([{ network: 'shop_front', endpoint: { Aliases: ['api', 'api.local'], IPAMConfig: { IPv4Address: '172.30.0.10' } } }]);
    expect(result.files).toEqual([{ path: '/etc/app.conf', content: 'debug=true\n', mode: 0o444 }]);
    expect(result.body).toMatchInlineSnapshot(`
      {
        "Cmd": [
          "serve",
          "--port",
          "80",
        ],
        "Domainname": "example.com",
        "Entrypoint": [
          "/entry.sh",
        ],
        "Env": [
          "A=1",
          "B=2",
        ],
        "ExposedPorts": {
          "53/udp": {},
          "80/tcp": {},
          "9000/tcp": {},
        },
        "Healthcheck": {
          "Interval": 90000000000,
          "Retries": 3,
          "StartPeriod": 2000000000,
          "Test": [
            "CMD-SHELL",
            "curl -f localhost",
          ],
          "Timeout": 500000000,
        },
        "HostConfig": {
          "Binds": [
            "/srv/data:/data:ro",
            "/src/shop/token.txt:/run/secrets/token:ro",
          ],
          "CapAdd": [
            "NET_ADMIN",
          ],
          "CapDrop": [
            "MKNOD",
          ],
          "Devices": [
            {
              "CgroupPermissions": "rwm",
              "PathInContainer": "/dev/fuse",
              "PathOnHost": "/dev/fuse",
            },
          ],
          "Dns": [
            "{{ mixcompose.resolver.ip }}",
            "1.1.1.1",
          ],
          "DnsSearch": [
            "example.com",
          ],
          "ExtraHosts": [
            "gateway:10.0.0.1",
          ],
          "Init": true,
          "LogConfig": {
            "Config": {
              "max-size": "10m",
            },
            "Type": "json-file",
          },
          "Memory": 536870912,
          "MemoryReservation": 134217728,
          "Mounts": [
            {
              "ReadOnly": false,
              "Source": "shop_cache",
              "Target": "/cache",
              "Type": "volume",
              "VolumeOptions": {
                "NoCopy": true,
              },
            },
            {
              "Target": "/scratch",
              "TmpfsOptions": {
                "SizeBytes": 67108864,
              },
              "Type": "tmpfs",
            },
          ],
          "NanoCpus": 500000000,
          "NetworkMode": "shop_back",
          "PidsLimit": 100,
          "PortBindings": {
            "53/udp": [
              {
                "HostIp": "127.0.0.1",
                "HostPort": "5353",
              },
            ],
            "80/tcp": [
              {
                "HostIp": "",
                "HostPort": "8080",
              },
            ],
          },
          "RestartPolicy": {
            "MaximumRetryCount": 3,
            "Name": "on-failure",
          },
          "Sysctls": {
            "net.core.somaxconn": "1024",
          },
          "Tmpfs": {
            "/run": "size=1m",
          },
          "Ulimits": [
            {
              "Hard": 2048,
              "Name": "nofile",
              "Soft": 1024,
            },
            {
              "Hard": 512,
              "Name": "nproc",
              "Soft": 512,
            },
          ],
        },
        "Hostname": "api-host",
        "Image": "example/api:1",
        "Labels": {
          "com.docker.compose.service": "api",
          "team": "shop",
        },
        "NetworkingConfig": {
          "EndpointsConfig": {
            "shop_back": {
              "Aliases": [
                "api",
              ],
            },
          },
        },
        "StopSignal": "SIGQUIT",
        "StopTimeout": 60,
        "User": "1000:1000",
        "WorkingDir": "/app",
      }
    `);
  });

  it('drops ExtraHosts and StopSignal for a windows service; on a Windows daemon secrets are copied under ProgramData', () => {
    const result = createBody({
      project: p('windows'),
      service: full('windows'),
      number: 1,
      labels: {},
      image: 'example/api:1',
      containerNameOf: (s) => s,
      bindTarget: { kind: 'windows' },
      sourceKind: () => 'directory',
    });
    const host = result.body.HostConfig as Record<string, unknown>;
    expect(host.ExtraHosts).toBeUndefined();
    expect(result.body.StopSignal).toBeUndefined();
    expect(result.body.StopTimeout).toBe(60);
    expect(result.warnings.join('\n')).toContain('extra_hosts dropped: Windows containers ignore them');
    expect(host.Binds).toBeUndefined();
    expect(result.files).toContainEqual({ path: 'C:\\ProgramData\\Docker\\secrets\\token', content: '', hostFile: '/src/shop/token.txt', mode: 0o444 });
    expect(host.Mounts).toContainEqual({ Type: 'bind', Source: '/srv/data', Target: '/data', ReadOnly: true });
  });

  it('passes HostConfig keys that map one to one', () => {
    const svc = service('x', { group_add: ['audio'], security_opt: ['no-new-privileges:true'], cpuset: '0-1', oom_score_adj: 100, userns_mode: 'host' });
    const host = createBody({ project: project([svc]), service: svc, number: 1, labels: {}, image: 'x', containerNameOf: (s) => s }).body.HostConfig as Record<string, unknown>;
    expect(host).toMatchObject({ GroupAdd: ['audio'], SecurityOpt: ['no-new-privileges:true'], CpusetCpus: '0-1', OomScoreAdj: 100, UsernsMode: 'host' });
  });

  it('turns ipc / pid / network_mode `service:x` into `container:<x\'s container>` (as docker compose does), other modes as written', () => {
    const svc = service('x', { ipc: 'service:db', pid: 'service:db', network_mode: 'service:db' });
    const host = createBody({ project: project([svc]), service: svc, number: 1, labels: {}, image: 'x', containerNameOf: (s) => `shop-${s}-1` }).body
      .HostConfig as Record<string, unknown>;
    expect(host).toMatchObject({ IpcMode: 'container:shop-db-1', PidMode: 'container:shop-db-1', NetworkMode: 'container:shop-db-1' });
    const plain = service('y', { ipc: 'shareable', pid: 'host' });
    const plainHost = createBody({ project: project([plain]), service: plain, number: 1, labels: {}, image: 'x', containerNameOf: (s) => s }).body
      .HostConfig as Record<string, unknown>;
    expect(plainHost).toMatchObject({ IpcMode: 'shareable', PidMode: 'host' });
  });

  it('reports a Windows bind source that is a file as an error', () => {
    const svc = service('w', { platform: 'windows', volumes: [{ type: 'bind', source: '/srv/file.txt', target: 'C:\\f' }] });
    const result = createBody({
      project: project([svc]),
      service: svc,
      number: 1,
      labels: {},
      image: 'x',
      containerNameOf: (s) => s,
      bindTarget: { kind: 'windows' },
      sourceKind: () => 'file',
    });
    expect(result.errors.join('\n')).toContain('is not a directory');
  });
});
