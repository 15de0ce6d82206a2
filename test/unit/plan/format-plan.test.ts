/**
 * The user's wording of a plan (`mixcompose plan`, `up --dry-run`). Planner decisions are tested on
 * debugPlan; this holds the wording of each kind of line in one place.
 */
import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../../src/plan/format-plan.js';
import { observed, project, service, planOf } from './builders.js';

const db = service('db', {
  command: ['httpd', '-f', '-p', '8080'],
  ports: [{ target: 8080, published: '18080', protocol: 'tcp' }],
  healthcheck: { test: ['CMD', 'true'], interval: '1s', retries: 3 },
});
const web = service('web', {
  platform: 'windows',
  environment: { DB_HOST: '{{ db.host }}', DB_PORT: '{{ db.port:8080 }}' },
  depends_on: { db: { condition: 'service_healthy', required: true, restart: false } },
});

describe('formatPlan', () => {
  it('words a fresh mixed stack: header, reach, names, numbered operations with what they wait for', () => {
    expect(formatPlan(planOf(project([db, web]), observed()))).toMatchInlineSnapshot(`
      "up project shop: windows → windows daemon, linux → linux daemon
      reach linux containers from the other daemon: ip (configured)
      reach windows containers from the other daemon: ip (configured)
      names across daemons: project resolver
        1. [linux] create network shop_default (bridge)
        2. [linux] create container shop-mixcompose-resolver (new)  after 1
        3. [windows] create network shop_default (bridge)
        4. [linux] start container shop-mixcompose-resolver  after 2
        5. [linux] create container shop-db-1 (new) with {{ mixcompose.resolver.ip }}=<ip of mixcompose-resolver:1 on shop_default>  after 1,4
        6. [linux] register host.docker.internal → <gateway of windows:default> in the resolver (for windows containers: the windows daemon's gateway on shop_default)  after 3,4
        7. [linux] start container shop-db-1  after 5
        8. [windows] create container shop-web-1 (new) with {{ mixcompose.resolver.ip }}=<ip of mixcompose-resolver:1 on shop_default>, {{ db.host }}=<ip of db:1 on shop_default>, {{ db.port:8080 }}=8080  after 3,4,7
        9. [linux] wait until shop-db-1 is healthy (for web), up to 300s  after 7
       10. [windows] start container shop-web-1  after 7,8,9
       11. [linux] register web shop-web-1 → <ip of web:1> in the resolver  after 4,10
      "
    `);
  });
});
