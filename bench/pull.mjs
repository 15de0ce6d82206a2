// `up` of a stack whose images must all be pulled from the rig's registry: payload-1, payload-2 and
// busybox on linux; payload-3, payload-4 and busybox on windows (each payload adds a layer of random
// bytes, 8 MiB by default). The stack's images are removed from both daemons before every run. Three
// ways, round-robin, BENCH_RUNS times each:
//   pull       every image pulled at once on both daemons, straight to the Engine API: the floor
//   compose    Debian docker-compose 1.29.2 `up -d` once per daemon, one after the other
//   mixcompose `mixcompose up -d` of the equivalent single file
// Results: bench/results/pull.md. See bench/README.md.
import { REGISTRY, RUNS, assertRig, docker, timed } from './lib/common.mjs';
import { composeSerialUp, main, mixcomposeUp, runWays, writeReport } from './lib/harness.mjs';
import { writeStack } from './lib/stacks.mjs';

const image = (name) => `${REGISTRY}/${name}:latest`;
const services = [
  { name: 'p1', daemon: 'linux', image: image('payload-1') },
  { name: 'p2', daemon: 'linux', image: image('payload-2') },
  { name: 'bl', daemon: 'linux', image: image('busybox') },
  { name: 'p3', daemon: 'windows', image: image('payload-3') },
  { name: 'p4', daemon: 'windows', image: image('payload-4') },
  { name: 'bw', daemon: 'windows', image: image('busybox') },
];
const files = writeStack(services);

/** Removes the stack's images from both daemons so that every run pulls everything. */
async function removeImages() {
  await Promise.all(
    services.map((s) =>
      docker(s.daemon)
        .getImage(s.image)
        .remove({ force: true })
        .catch((error) => {
          if (error.statusCode !== 404) throw error;
        }),
    ),
  );
}

function pullOne(daemon, ref) {
  const d = docker(daemon);
  return new Promise((resolve, reject) => {
    d.pull(ref, (error, stream) => {
      if (error) return reject(error);
      d.modem.followProgress(stream, (err) => (err ? reject(err) : resolve()));
    });
  });
}

async function sizeMiB(daemon) {
  let bytes = 0;
  for (const s of services.filter((x) => x.daemon === daemon)) {
    bytes += (await docker(daemon).getImage(s.image).inspect()).Size;
  }
  return (bytes / 1048576).toFixed(1);
}

main(async () => {
  await assertRig();
  const ways = [
    {
      key: 'pull',
      label: 'parallel pull floor: every image at once on both daemons, dockerode',
      measure: async () => {
        await removeImages();
        return timed(() => Promise.all(services.map((s) => pullOne(s.daemon, s.image))));
      },
    },
    {
      key: 'compose',
      label: 'docker-compose 1.29.2 up -d, once per daemon, one after the other',
      measure: async (p) => {
        await removeImages();
        return composeSerialUp(files, p);
      },
    },
    {
      key: 'mixcompose',
      label: 'mixcompose up -d',
      needs: 'up',
      measure: async (p) => {
        await removeImages();
        return mixcomposeUp(files, p);
      },
    },
  ];
  const results = await runWays(ways, RUNS, `benchpull${process.pid}`);
  // Sizes for the record, then leave the daemons without the stack's images.
  await Promise.all(services.map((s) => pullOne(s.daemon, s.image)));
  const sizes = `linux ${await sizeMiB('linux')} MiB, windows ${await sizeMiB('windows')} MiB`;
  await removeImages();
  await writeReport('pull.md', {
    title: 'pull: up of a stack whose images must all be pulled',
    description: `Stack: ${services.map((s) => `${s.name} (${s.daemon}, \`${s.image.slice(REGISTRY.length + 1)}\`)`).join(', ')}
from the loopback registry \`${REGISTRY}\`; image sizes per daemon: ${sizes}. The stack's images are
removed from both daemons before every run. Each way runs ${RUNS} times (round-robin). Times are
wall-clock seconds until the command returns.`,
    ways,
    results,
    ratios: [
      ['mixcompose', 'pull', 'how far above the pull floor (mixcompose also creates and starts 6 containers)'],
      ['compose', 'mixcompose', 'speed-up over what people do by hand (> 1 = mixcompose faster)'],
    ],
  });
});
