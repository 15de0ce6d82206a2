// 200 busybox services over the rig's two daemons, chains and fan-out (lib/stacks.mjs chainsAndFanOut:
// per daemon 5 chains of 10, and a hub with 49 leaves on the other daemon). Round-robin, BENCH_RUNS
// times each (default 3 here: BENCH_RUNS_200), everything removed between runs:
//   floor      every service straight to the Engine API, each as soon as its dependencies started,
//              both daemons at once, networks made beforehand (untimed)
//   mixcompose `mixcompose up -d` (reach ip), a second `up -d` with nothing changed, `down -t 1`, each
//              timed, with the peak RSS of the mixcompose process in each (GNU time)
// Results: bench/results/stack-200.md. See bench/README.md.
import { BUSYBOX_IMAGE, assertRig, directStackStart, docker, removeProject } from './lib/common.mjs';
import { main, mixcompose, runWays, writeReport } from './lib/harness.mjs';
import { chainsAndFanOut, writeStack } from './lib/stacks.mjs';

const RUNS = Number(process.env.BENCH_RUNS_200 ?? process.env.BENCH_RUNS ?? '3');
const services = chainsAndFanOut({ image: BUSYBOX_IMAGE });
const files = writeStack(services);

async function allRunning(project) {
  let count = 0;
  for (const daemon of ['linux', 'windows']) {
    const list = await docker(daemon).listContainers({
      filters: JSON.stringify({ label: [`com.docker.compose.project=${project}`], status: ['running'] }),
    });
    count += list.filter((c) => c.Labels['com.docker.compose.service'] !== undefined).length;
  }
  if (count < services.length) throw new Error(`mixcompose left ${count} of ${services.length} services running`);
}

async function upAgainDown(project) {
  try {
    const up = await mixcompose(files, project, ['up', '-d']);
    await allRunning(project);
    const again = await mixcompose(files, project, ['up', '-d']);
    const down = await mixcompose(files, project, ['down', '-t', '1']);
    return {
      up: up.seconds,
      again: again.seconds,
      down: down.seconds,
      rssUp: up.rssMiB,
      rssAgain: again.rssMiB,
      rssDown: down.rssMiB,
    };
  } finally {
    await removeProject(project);
  }
}

main(async () => {
  await assertRig();
  const ways = [
    { key: 'floor', label: 'whole-stack floor: every service through the Engine API as soon as its dependencies started', measure: (p) => directStackStart(services, p) },
    {
      key: 'mixcompose',
      label: 'mixcompose up -d, second up -d, down -t 1',
      needs: 'up',
      measure: upAgainDown,
      figures: [
        { key: 'up', label: 'mixcompose up -d (reach ip)', unit: 's' },
        { key: 'again', label: 'mixcompose up -d again, nothing changed (whole process)', unit: 's' },
        { key: 'down', label: 'mixcompose down -t 1', unit: 's' },
        { key: 'rssUp', label: 'peak RSS of the mixcompose process during up', unit: 'MiB' },
        { key: 'rssAgain', label: 'peak RSS during the second up', unit: 'MiB' },
        { key: 'rssDown', label: 'peak RSS during down', unit: 'MiB' },
      ],
    },
  ];
  const results = await runWays(ways, RUNS, `bench200${process.pid}`);
  await writeReport('stack-200.md', {
    title: 'up, second up and down: 200 services over two daemons',
    description: `Stack: 200 busybox services (\`${BUSYBOX_IMAGE}\`, \`sleep 3600\`), 100 per daemon: per daemon 5
dependency chains of 10, and a hub whose 49 leaves run on the other daemon (98 dependencies across
daemons). Each way runs ${RUNS} times (round-robin), with everything removed between runs. Times are
wall-clock seconds until the command returns; peak RSS is GNU time's maximum resident set size of the
mixcompose process.`,
    ways,
    results,
    ratios: [
      ['up', 'floor', 'up against the whole-stack floor (1.0 = at the floor)'],
      ['again', 0.6, 'second up with nothing changed against its 0.6 s target (<= 1 meets it)'],
      ['rssUp', 150, 'peak RSS of up against its 150 MiB target (<= 1 meets it)'],
    ],
  });
});
