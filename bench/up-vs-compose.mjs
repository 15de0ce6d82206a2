// `up` of 20 busybox services in 4 dependency chains of 5, split over the rig's two daemons (chains a, b
// on linux; c, d on windows). Four ways, round-robin, BENCH_RUNS times each, everything removed
// between runs:
//   critical   the longest chain's 5 create+start calls, one after the other, straight to the Engine
//              API (dockerode) on an existing network: no tool can beat this by much
//   compose    Debian docker-compose 1.29.2 once per daemon, one after the other (two files)
//   mixcompose `mixcompose up -d` of the equivalent single file (reach configured), and again with
//              reach auto, where each run's first up probes reach
// Results: bench/results/up.md. See bench/README.md.
import { BUSYBOX_IMAGE, RUNS, assertRig, docker, removeProject, timed } from './lib/common.mjs';
import { composeSerialUp, main, mixcomposeUp, runWays, writeReport } from './lib/harness.mjs';
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

main(async () => {
  await assertRig();
  const ways = [
    { key: 'critical', label: 'critical path: 5 create+start calls in sequence, dockerode', measure: criticalPath },
    {
      key: 'compose',
      label: 'docker-compose 1.29.2, once per daemon, one after the other',
      measure: (p) => composeSerialUp(files, p, { check: allRunning }),
    },
    {
      key: 'mixcompose',
      label: 'mixcompose up -d',
      needs: 'up',
      measure: (p) => mixcomposeUp(files, p, { check: allRunning }),
    },
    {
      key: 'mixcomposeprobe',
      label: 'mixcompose up -d, reach auto: a first up that probes reach',
      needs: 'up',
      measure: (p) => mixcomposeUp({ ...files, mixcompose: files.mixcomposeAuto }, p, { check: allRunning }),
    },
  ];
  const results = await runWays(ways, RUNS, `benchup${process.pid}`);
  await writeReport('up.md', {
    title: 'up: 20 services over two daemons',
    description: `Stack: 4 dependency chains of 5 busybox services (\`${BUSYBOX_IMAGE}\`, \`sleep 3600\`), chains a
and b on the linux daemon, c and d on the windows stand-in. Each way runs ${RUNS} times (round-robin),
with everything removed between runs. Times are wall-clock seconds until the command returns.`,
    ways,
    results,
    ratios: [
      ['mixcompose', 'critical', 'how far above the dependency floor (1.0 = at the floor)'],
      ['compose', 'mixcompose', 'speed-up over what people do by hand (> 1 = mixcompose faster)'],
      ['compose', 'mixcomposeprobe', 'the same for a first up that probes reach (once per stack, until down)'],
    ],
  });
});
