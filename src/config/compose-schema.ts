/**
 * The JSON Schema of a mixcompose file: the Compose Specification plus `x-mixcompose`.
 * Written for mixcompose (draft-07, validated by ajv without type coercion; text that spells a
 * number or boolean is cast where one is wanted, so interpolated strings like "3" count as numbers:
 * castTypedText in schema.ts). schemas/mixcompose.schema.json is this object, written out
 * by `bash schemas/generate.sh` (a unit test checks they agree).
 */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const strOrNum: Schema = { type: ['string', 'number'] };
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  patternProperties: { '^x-': {} },
  additionalProperties: false,
  ...extra,
});
const strList: Schema = { type: 'array', items: str };
const stringOrList: Schema = { type: ['string', 'array'], items: str };
const mapOf = (value: Schema): Schema => ({ type: 'object', additionalProperties: value });

const serviceProperties: Record<string, Schema> = {
  annotations: ref('list_or_dict'),
  attach: bool,
  build: ref('build'),
  blkio_config: obj({
    device_read_bps: { type: 'array', items: ref('blkio_limit') },
    device_read_iops: { type: 'array', items: ref('blkio_limit') },
    device_write_bps: { type: 'array', items: ref('blkio_limit') },
    device_write_iops: { type: 'array', items: ref('blkio_limit') },
    weight: int,
    weight_device: { type: 'array', items: ref('blkio_weight') },
  }),
  cap_add: strList,
  cap_drop: strList,
  cgroup: { type: 'string', enum: ['host', 'private'] },
  cgroup_parent: str,
  command: ref('command'),
  configs: ref('service_file_refs'),
  container_name: str,
  cpu_count: int,
  cpu_percent: int,
  cpu_shares: strOrNum,
  cpu_quota: strOrNum,
  cpu_period: strOrNum,
  cpu_rt_period: strOrNum,
  cpu_rt_runtime: strOrNum,
  cpus: strOrNum,
  cpuset: str,
  credential_spec: obj({ config: str, file: str, registry: str }),
  depends_on: {
    oneOf: [
      ref('unique_strings'),
      {
        type: 'object',
        additionalProperties: obj(
          {
            condition: { type: 'string', enum: ['service_started', 'service_healthy', 'service_completed_successfully'] },
            required: bool,
            restart: bool,
          },
          { required: [] },
        ),
      },
    ],
  },
  deploy: { type: ['object', 'null'] },
  develop: { type: ['object', 'null'] },
  device_cgroup_rules: strList,
  devices: { type: 'array', items: { type: ['string', 'object'] } },
  dns: stringOrList,
  dns_opt: strList,
  dns_search: stringOrList,
  domainname: str,
  entrypoint: ref('command'),
  env_file: ref('env_file'),
  label_file: stringOrList,
  environment: ref('list_or_dict'),
  expose: { type: 'array', items: { type: ['string', 'number'] } },
  extends: {
    oneOf: [str, obj({ service: str, file: str }, { required: ['service'] })],
  },
  external_links: strList,
  extra_hosts: ref('extra_hosts'),
  gpus: { type: ['string', 'array'] },
  group_add: { type: 'array', items: strOrNum },
  healthcheck: ref('healthcheck'),
  hostname: str,
  image: str,
  init: bool,
  ipc: str,
  isolation: str,
  labels: ref('list_or_dict'),
  links: strList,
  logging: obj({ driver: str, options: mapOf({ type: ['string', 'number', 'null'] }) }),
  mac_address: str,
  mem_limit: strOrNum,
  mem_reservation: strOrNum,
  mem_swappiness: int,
  memswap_limit: strOrNum,
  models: { type: ['object', 'array'] },
  network_mode: str,
  networks: {
    oneOf: [
      ref('unique_strings'),
      {
        type: 'object',
        additionalProperties: {
          oneOf: [
            obj({
              aliases: strList,
              driver_opts: mapOf(strOrNum),
              gw_priority: num,
              interface_name: str,
              ipv4_address: str,
              ipv6_address: str,
              link_local_ips: strList,
              mac_address: str,
              priority: num,
            }),
            { type: 'null' },
          ],
        },
      },
    ],
  },
  oom_kill_disable: bool,
  oom_score_adj: { type: 'integer', minimum: -1000, maximum: 1000 },
  pid: { type: ['string', 'null'] },
  pids_limit: strOrNum,
  platform: str,
  ports: { type: 'array', items: ref('port') },
  post_start: { type: 'array', items: { type: 'object' } },
  pre_start: { type: 'array', items: { type: 'object' } },
  pre_stop: { type: 'array', items: { type: 'object' } },
  privileged: bool,
  profiles: strList,
  provider: { type: 'object' },
  pull_policy: { type: 'string', pattern: '^(always|never|missing|if_not_present|build|daily|weekly|every_([0-9]+(\\.[0-9]+)?(ms|s|m|h|d|w))+)$' },
  pull_refresh_after: str,
  read_only: bool,
  restart: { type: 'string', pattern: '^(no|always|unless-stopped|on-failure(:[0-9]+)?)$' },
  runtime: str,
  scale: int,
  security_opt: strList,
  shm_size: strOrNum,
  secrets: ref('service_file_refs'),
  sysctls: ref('list_or_dict'),
  stdin_open: bool,
  stop_grace_period: str,
  stop_signal: str,
  storage_opt: { type: 'object' },
  tmpfs: stringOrList,
  tty: bool,
  ulimits: {
    type: 'object',
    additionalProperties: {
      oneOf: [int, obj({ hard: int, soft: int }, { required: ['soft', 'hard'] })],
    },
  },
  use_api_socket: bool,
  user: str,
  uts: str,
  userns_mode: str,
  volumes: { type: 'array', items: ref('service_volume') },
  volumes_from: strList,
  working_dir: str,
  'x-mixcompose': obj({ lint: bool }),
};

const daemon: Schema = obj({
  host: { type: 'string', pattern: '^(unix|npipe|tcp|ssh|https)://.' },
  context: str,
  tls: obj({ ca: str, cert: str, key: str, verify: bool }),
  address: str,
  reach: { type: 'string', enum: ['auto', 'ip', 'published'] },
  probe_image: str,
  stop_grace_period: str,
  path_prefix: str,
});

export const composeSchema: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://mixcompose.dev/schemas/mixcompose.schema.json',
  title: 'mixcompose file',
  description: 'A Compose Specification file, plus the x-mixcompose extension (one stack across a Windows and a Linux Docker daemon).',
  type: 'object',
  properties: {
    version: str,
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
    include: {
      type: 'array',
      items: {
        oneOf: [
          str,
          obj({ path: stringOrList, env_file: stringOrList, project_directory: str }, { required: ['path'] }),
        ],
      },
    },
    services: { type: 'object', propertyNames: { pattern: '^[a-zA-Z0-9._-]+$' }, additionalProperties: ref('service') },
    networks: { type: 'object', additionalProperties: { oneOf: [ref('network'), { type: 'null' }] } },
    volumes: { type: 'object', additionalProperties: { oneOf: [ref('volume'), { type: 'null' }] } },
    secrets: { type: 'object', additionalProperties: ref('file_object') },
    configs: { type: 'object', additionalProperties: ref('file_object') },
    models: { type: 'object' },
    'x-mixcompose': obj({
      default_platform: { type: 'string', enum: ['linux', 'windows'] },
      daemons: obj({ windows: daemon, linux: daemon }),
      resolver: obj({ image: str, base: str, enabled: bool }),
      // convert/deploy to a cluster (src/convert): settings the CLI flags of `convert` override.
      swarm: obj({ windows_routing_mesh: bool }),
      kubernetes: obj({
        windows_tolerations: {
          type: 'array',
          items: obj({ key: str, operator: { type: 'string', enum: ['Equal', 'Exists'] }, value: str, effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] } }),
        },
        windows_runtime_class: str,
        windows_os_versions: mapOf(str),
        storage_size: str,
      }),
    }),
  },
  patternProperties: { '^x-': {} },
  additionalProperties: false,
  definitions: {
    service: obj(serviceProperties),
    command: { type: ['null', 'string', 'array'], items: str },
    unique_strings: { type: 'array', items: str, uniqueItems: true },
    list_or_dict: {
      oneOf: [
        { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
        { type: 'array', items: str, uniqueItems: true },
      ],
    },
    extra_hosts: {
      oneOf: [
        { type: 'object', additionalProperties: { type: ['string', 'array'], items: str } },
        { type: 'array', items: str, uniqueItems: true },
      ],
    },
    env_file: {
      oneOf: [
        str,
        {
          type: 'array',
          items: { oneOf: [str, obj({ path: str, required: bool, format: str }, { required: ['path'] })] },
        },
      ],
    },
    blkio_limit: obj({ path: str, rate: strOrNum }),
    blkio_weight: obj({ path: str, weight: int }),
    build: {
      oneOf: [
        str,
        obj({
          context: str,
          dockerfile: str,
          dockerfile_inline: str,
          entitlements: strList,
          args: ref('list_or_dict'),
          ssh: ref('list_or_dict'),
          labels: ref('list_or_dict'),
          cache_from: strList,
          cache_to: strList,
          no_cache: bool,
          no_cache_filter: stringOrList,
          additional_contexts: ref('list_or_dict'),
          network: str,
          provenance: { type: ['string', 'boolean'] },
          sbom: { type: ['string', 'boolean'] },
          pull: bool,
          target: str,
          shm_size: strOrNum,
          extra_hosts: ref('extra_hosts'),
          isolation: str,
          privileged: bool,
          secrets: ref('service_file_refs'),
          tags: strList,
          ulimits: { type: 'object' },
          platforms: strList,
        }),
      ],
    },
    healthcheck: obj({
      disable: bool,
      interval: str,
      retries: num,
      test: { type: ['string', 'array'], items: str },
      timeout: str,
      start_period: str,
      start_interval: str,
    }),
    port: {
      oneOf: [
        num,
        str,
        obj({
          name: str,
          mode: str,
          host_ip: str,
          target: { type: ['integer', 'string'] },
          published: { type: ['string', 'integer'] },
          protocol: str,
          app_protocol: str,
        }),
      ],
    },
    service_volume: {
      oneOf: [
        str,
        obj(
          {
            type: { type: 'string', enum: ['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image'] },
            source: str,
            target: str,
            read_only: bool,
            consistency: str,
            bind: obj({ propagation: str, create_host_path: bool, recursive: str, selinux: { type: 'string', enum: ['z', 'Z'] } }),
            volume: obj({ labels: ref('list_or_dict'), nocopy: bool, subpath: str }),
            tmpfs: obj({ size: { type: ['integer', 'string'] }, mode: num }),
            image: obj({ subpath: str }),
          },
          { required: ['type'] },
        ),
      ],
    },
    service_file_refs: {
      type: 'array',
      items: { oneOf: [str, obj({ source: str, target: str, uid: str, gid: str, mode: num })] },
    },
    network: obj({
      name: str,
      driver: str,
      driver_opts: mapOf(strOrNum),
      ipam: obj({
        driver: str,
        config: { type: 'array', items: obj({ subnet: str, ip_range: str, gateway: str, aux_addresses: mapOf(str) }) },
        options: mapOf(str),
      }),
      external: { type: ['boolean', 'object'] },
      internal: bool,
      enable_ipv4: bool,
      enable_ipv6: bool,
      attachable: bool,
      labels: ref('list_or_dict'),
    }),
    volume: obj({
      name: str,
      driver: str,
      driver_opts: mapOf(strOrNum),
      external: { type: ['boolean', 'object'] },
      labels: ref('list_or_dict'),
    }),
    file_object: obj({
      name: str,
      content: str,
      environment: str,
      file: str,
      external: { type: ['boolean', 'object'] },
      labels: ref('list_or_dict'),
      driver: str,
      driver_opts: mapOf(strOrNum),
      template_driver: str,
    }),
  },
};
