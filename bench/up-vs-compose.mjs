// `up` of 20 busybox services in 4 dependency chains of 5, split over the rig's two daemons (chains a, b
// on linux; c, d on windows). Six ways, round-robin, BENCH_RUNS times each, everything removed
// between runs:
//   critical   the longest chain's 5 create+start calls, one after the other, straight to the Engine
//              API (dockerode) on an existing network: no tool can beat this by much
//   floor      the whole stack straight to the Engine API: all four chains at once on both daemons,
//              networks made beforehand (untimed): the machine's own floor for this stack
//   infra      the whole-stack floor timed together with the infrastructure wiring names across two
//              daemons cannot do without: both networks, and one more container (a stand-in for the
//              resolver) started first, its address in every container's DNS list
//   compose    Debian docker-compose 1.29.2 once per daemon, one after the other (two files): up,
//              then down (-t 1), each timed
//   mixcompose `mixcompose up -d` of the equivalent single file (reach configured), then a second
//              `up -d` with nothing changed, then `down -t 1`, each timed
//   probe      `mixcompose up -d` with reach auto, where each run's first up probes reach
// The floor, docker-compose's up and the probing up also report the machine's busy CPU-seconds while
// they ran (daemons, runc and iptables included): on the rig's two CPUs an up is CPU-bound, so its
// wall time follows the work it asks for.
// Results: bench/results/up.md. See bench/README.md.
import { BUSYBOX_IMAGE, HOSTS, RUNS, assertRig, directInfrastructureStart, directStackStart, docker, removeProject, run, timed, toolEnv } from './lib/common.mjs';
import { composeSerialDown, main, mixcompose, mixcomposeUp, runWays, writeReport } from './lib/harness.mjs';
import { chainServices, writeStack } from './lib/stacks.mjs';

const CHAIN_LENGTH = 5;
const services = chainServices({ chains: 4, length: CHAIN_LENGTH, image: BUSYBOX_IMAGE });
const files = writeStack(services);

/** Every service must be running after `up`, or the time means nothing. */
async function allRunning(project, tool) {
  let count = 0;
  for (const daemon of ['linux', 'windows']) {
    const list = await docker(daemon).listContainers({
      filters: JSON.stringify({ label: [`com.docker.compose.project=${project}`], status: ['running'] }),
    });
    count += list.filter((c) => c.Labels['com.docker.compose.service'] !== undefined).length;
  }
  if (count < services.length) throw new Error(`${tool} left ${count} of ${services.length} services running`);
}

/** 5 create+start calls in sequence on one daemon: the dependency chain's floor. */
async function criticalPath(project) {
  const d = docker('linux');
  const labels = { 'com.docker.compose.project': project };
  const network = `${project}_default`;
  await d.createNetwork({ Name: network, Labels: labels });
  try {
    return await timed(async () => {
      for (let i = 1; i <= CHAIN_LENGTH; i++) {
        const container = await d.createContainer({
          Image: BUSYBOX_IMAGE,
          name: `${project}-a${i}-1`,
          Cmd: ['sleep', '3600'],
          Labels: labels,
          HostConfig: { NetworkMode: network },
        });
        await container.start();
      }
    });
  } finally {
    await removeProject(project);
  }
}

/** docker-compose up per daemon (timed, summed), the check, then down per daemon (timed, summed). */
async function composeUpDown(project) {
  try {
    let up = 0;
    let upCpu = 0;
    for (const daemon of ['linux', 'windows']) {
      const result = await run('docker-compose', ['-p', project, '-f', files[daemon], 'up', '-d'], {
        env: toolEnv({ DOCKER_HOST: HOSTS[daemon], COMPOSE_INTERACTIVE_NO_CLI: '1' }),
        cwd: files.dir,
      });
      if (result.code !== 0) throw new Error(`docker-compose up on ${daemon} failed:\n${result.output}`);
      up += result.seconds;
      upCpu += result.cpuSeconds;
    }
    await allRunning(project, 'docker-compose');
    return { composeUp: up, composeUpCpu: upCpu, composeDown: await composeSerialDown(files, project) };
  } finally {
    await removeProject(project);
  }
}

/** mixcompose up (timed), the check, a second up with nothing changed (timed), down -t 1 (timed). */
async function mixcomposeUpAgainDown(project) {
  try {
    const up = await mixcompose(files, project, ['up', '-d']);
    await allRunning(project, 'mixcompose');
    const again = await mixcompose(files, project, ['up', '-d']);
    const down = await mixcompose(files, project, ['down', '-t', '1']);
    return { mixcompose: up.seconds, again: again.seconds, down: down.seconds };
  } finally {
    await removeProject(project);
  }
}

main(async () => {
  await assertRig();
  const ways = [
    { key: 'critical', label: 'critical path: 5 create+start calls in sequence, dockerode', measure: criticalPath },
    {
      key: 'floor',
      label: 'whole-stack floor: all 4 chains at once through the Engine API, networks made beforehand',
      measure: (p) => directStackStart(services, p, { cpu: true }),
      figures: [
        { key: 'floor', label: 'whole-stack floor: all 4 chains at once through the Engine API, networks made beforehand', unit: 's' },
        { key: 'floorCpu', label: 'whole-stack floor: the machine\'s busy CPU meanwhile', unit: 'CPU-s' },
      ],
    },
    {
      key: 'infra',
      label: 'infrastructure floor: the whole-stack floor timed with both networks and a stand-in resolver started first',
      measure: (p) => directInfrastructureStart(services, p),
      figures: [
        { key: 'infra', label: 'infrastructure floor: both networks, one more container first (its address in every DNS list), then the whole stack, through the Engine API', unit: 's' },
        { key: 'infraCpu', label: 'infrastructure floor: the machine\'s busy CPU meanwhile', unit: 'CPU-s' },
      ],
    },
    {
      key: 'compose',
      label: 'docker-compose 1.29.2, once per daemon, one after the other',
      measure: composeUpDown,
      figures: [
        { key: 'composeUp', label: 'docker-compose 1.29.2 up -d, once per daemon, one after the other', unit: 's' },
        { key: 'composeUpCpu', label: 'docker-compose 1.29.2 up -d: the machine\'s busy CPU meanwhile', unit: 'CPU-s' },
        { key: 'composeDown', label: 'docker-compose 1.29.2 down -t 1, once per daemon, one after the other', unit: 's' },
      ],
    },
    {
      key: 'mixcompose',
      label: 'mixcompose up -d, second up -d, down -t 1',
      needs: 'up',
      measure: mixcomposeUpAgainDown,
      figures: [
        { key: 'mixcompose', label: 'mixcompose up -d (reach ip)', unit: 's' },
        { key: 'again', label: 'mixcompose up -d again, nothing changed (whole process)', unit: 's' },
        { key: 'down', label: 'mixcompose down -t 1', unit: 's' },
      ],
    },
    {
      key: 'mixcomposeprobe',
      label: 'mixcompose up -d, reach auto: a first up that probes reach',
      needs: 'up',
      measure: (p) => mixcomposeUp({ ...files, mixcompose: files.mixcomposeAuto }, p, { check: allRunning, cpu: ['mixcomposeprobe', 'probeCpu'] }),
      figures: [
        { key: 'mixcomposeprobe', label: 'mixcompose up -d, reach auto: a first up that probes reach', unit: 's' },
        { key: 'probeCpu', label: 'mixcompose up -d, reach auto: the machine\'s busy CPU meanwhile', unit: 'CPU-s' },
      ],
    },
  ];
  const results = await runWays(ways, RUNS, `benchup${process.pid}`);
  await writeReport('up.md', {
    title: 'up: 20 services over two daemons',
    description: `Stack: 4 dependency chains of 5 busybox services (\`${BUSYBOX_IMAGE}\`, \`sleep 3600\`), chains a
and b on the linux daemon, c and d on the windows stand-in. Each way runs ${RUNS} times (round-robin),
with everything removed between runs. Times are wall-clock seconds until the command returns. The
docker-compose and mixcompose ways each time up, then (mixcompose) a second up with nothing changed,
then down \`-t 1\` (busybox's \`sleep\` as PID 1 ignores SIGTERM, so every stop waits the 1 s for both).`,
    ways,
    results,
    ratios: [
      ['mixcompose', 'critical', 'how far above the single-chain floor (1.0 = at the floor)'],
      ['mixcompose', 'floor', 'how far above the whole-stack floor (reach ip)'],
      ['mixcomposeprobe', 'floor', 'first up (probes reach) against the whole-stack floor; target <= 1.05'],
      ['mixcomposeprobe', 'composeUp', 'first up (probes reach) against docker-compose once per daemon; target <= 0.90'],
      ['infra', 'floor', 'what the name wiring\'s own infrastructure (two networks, one more container first) costs over the whole-stack floor'],
      ['mixcomposeprobe', 'infra', 'first up (probes reach) against that infrastructure floor: mixcompose\'s own work'],
      ['infraCpu', 'floorCpu', 'the infrastructure floor\'s busy CPU against the whole-stack floor\'s'],
      ['probeCpu', 'floorCpu', 'the work a first up (probes reach) asks of the machine against the floor\'s (busy CPU-seconds, daemons included)'],
      ['composeUpCpu', 'floorCpu', 'the same for docker-compose once per daemon'],
      ['composeUp', 'mixcompose', 'speed-up over what people do by hand (> 1 = mixcompose faster)'],
      ['composeUp', 'mixcomposeprobe', 'the same for a first up that probes reach (once per stack, until down)'],
      ['again', 0.3, 'second up with nothing changed against its 0.3 s target (<= 1 meets it)'],
      ['down', 'composeDown', 'down against docker-compose down once per daemon; target <= 0.6'],
    ],
  });
});
