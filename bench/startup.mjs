// Process start-up: `mixcompose --version`, `--help` and `config -q` of a small file, against bare
// `node -e 0` and Debian's docker-compose 1.29.2 `config -q` of the same file. Each is one whole
// process, timed from spawn to exit; round-robin, BENCH_STARTUP_RUNS times each (default 20).
// Needs a build (not the rig). Results: bench/results/startup.md. See bench/README.md.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MIXCOMPOSE_BIN, run } from './lib/common.mjs';
import { main, runWays, writeReport } from './lib/harness.mjs';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? '20');

/** A small stack: three services with the usual keys; docker-compose 1.29.2 needs `version: '2.4'`. */
function writeFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'mixcompose-bench-startup-'));
  const services = {
    db: { image: 'postgres:16', environment: { POSTGRES_PASSWORD: 'example' }, volumes: ['db-data:/var/lib/postgresql/data'] },
    api: { image: 'example/api:1.4', environment: { DB_HOST: 'db' }, depends_on: ['db'], ports: ['8081:8080'] },
    web: { image: 'nginx:1.27', ports: ['8080:80'], depends_on: ['api'], volumes: ['./site:/usr/share/nginx/html:ro'] },
  };
  const volumes = { 'db-data': {} };
  writeFileSync(join(dir, 'mixcompose.yml'), stringify({ services, volumes }));
  writeFileSync(join(dir, 'compose.yml'), stringify({ version: '2.4', services, volumes }));
  return dir;
}

const dir = writeFiles();

/** One whole process; the exit code must be 0. */
function timedProcess(cmd, args) {
  return async () => {
    const result = await run(cmd, args, { cwd: dir });
    if (result.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${result.code}):\n${result.output}`);
    return result.seconds;
  };
}

main(async () => {
  const ways = [
    { key: 'node', label: 'node -e 0 (bare Node start)', measure: timedProcess('node', ['-e', '0']) },
    { key: 'version', label: 'mixcompose --version', measure: timedProcess('node', [MIXCOMPOSE_BIN, '--version']) },
    { key: 'help', label: 'mixcompose --help (to a pipe)', measure: timedProcess('node', [MIXCOMPOSE_BIN, '--help']) },
    { key: 'config', label: 'mixcompose -f mixcompose.yml config -q (3 services)', measure: timedProcess('node', [MIXCOMPOSE_BIN, '-f', join(dir, 'mixcompose.yml'), 'config', '-q']) },
    { key: 'composeConfig', label: 'docker-compose 1.29.2 -f compose.yml config -q (the same 3 services)', measure: timedProcess('docker-compose', ['-f', join(dir, 'compose.yml'), 'config', '-q']) },
  ];
  const results = await runWays(ways, RUNS, 'benchstartup');
  await writeReport('startup.md', {
    title: 'start-up: --version, --help, config',
    description: `Each figure is one whole process, wall-clock seconds from spawn to exit, ${RUNS} runs round-robin.
The file is a small three-service stack (db, api, web: images, environment, ports, volumes,
depends_on); docker-compose reads the same services with \`version: '2.4'\`.`,
    ways,
    results,
    ratios: [
      ['version', 'node', '--version against bare node; target <= 1.5'],
      ['help', 'node', '--help against bare node; target <= 1.5'],
      ['config', 'composeConfig', 'config -q against docker-compose config -q; target <= 0.4'],
      ['config', 'node', 'config -q against bare node (what loading and checking the file costs)'],
    ],
  });
});
