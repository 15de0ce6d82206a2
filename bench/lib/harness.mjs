// The shape every benchmark here shares: a few "ways" of bringing a stack up (a floor measured straight
// on the Engine API, docker-compose serial per daemon, mixcompose), run round-robin, medians, ratios,
// and a markdown results file.
import {
  HOSTS,
  MIXCOMPOSE_BIN,
  fmt,
  machineLine,
  median,
  mixcomposeUnavailable,
  ratio,
  removeProject,
  run,
  runsCell,
  settle,
  toolEnv,
  writeResults,
} from './common.mjs';

/** docker-compose `up -d` per daemon, linux then windows; seconds summed. Removes the project after. */
export async function composeSerialUp(files, project, { check } = {}) {
  let seconds = 0;
  try {
    for (const daemon of ['linux', 'windows']) {
      const result = await run('docker-compose', ['-p', project, '-f', files[daemon], 'up', '-d'], {
        env: toolEnv({ DOCKER_HOST: HOSTS[daemon], COMPOSE_INTERACTIVE_NO_CLI: '1' }),
        cwd: files.dir,
      });
      if (result.code !== 0) throw new Error(`docker-compose up on ${daemon} failed:\n${result.output}`);
      seconds += result.seconds;
    }
    await check?.(project, 'docker-compose');
    return seconds;
  } finally {
    await removeProject(project);
  }
}

/**
 * `mixcompose up -d` of the single file; then `mixcompose down` (untimed) and a cleanup by label.
 * Resolves with the seconds, or with `cpu: [secondsKey, cpuKey]` an object holding the seconds and
 * the machine's busy CPU-seconds during the up under those keys.
 */
export async function mixcomposeUp(files, project, { check, cpu } = {}) {
  // Global options go before the command, as with `docker compose`.
  const args = ['--progress', 'plain', '-p', project, '-f', files.mixcompose];
  try {
    const result = await run('node', [MIXCOMPOSE_BIN, ...args, 'up', '-d'], { cwd: files.dir });
    if (result.code !== 0) throw new Error(`mixcompose up failed (exit ${result.code}):\n${result.output}`);
    await check?.(project, 'mixcompose');
    return cpu ? { [cpu[0]]: result.seconds, [cpu[1]]: result.cpuSeconds } : result.seconds;
  } finally {
    await run('node', [MIXCOMPOSE_BIN, ...args, 'down', '-t', '1'], { cwd: files.dir });
    await removeProject(project);
  }
}

/**
 * @typedef {{ key: string, label: string, unit?: string }} Figure
 * @typedef {{ key: string, label: string, measure: (project: string) => Promise<number | Record<string, number>>, needs?: string, figures?: Figure[] }} Way
 * `needs`: a mixcompose command that must exist in the built CLI for this way to run.
 * `figures`: when one run of the way measures several things (an up, a second up, a down, a peak RSS),
 * their keys, labels and units; `measure` then returns `{ [figure key]: value }`. Without it the way is
 * one figure in seconds, keyed and labelled like the way.
 */

/** The figures a way reports. */
export function figuresOf(/** @type {Way} */ way) {
  return way.figures ?? [{ key: way.key, label: way.label, unit: 's' }];
}

/** Docker-compose `down` per daemon, linux then windows; seconds summed. */
export async function composeSerialDown(files, project, { timeout = 1 } = {}) {
  let seconds = 0;
  for (const daemon of ['linux', 'windows']) {
    const result = await run('docker-compose', ['-p', project, '-f', files[daemon], 'down', '-t', String(timeout)], {
      env: toolEnv({ DOCKER_HOST: HOSTS[daemon], COMPOSE_INTERACTIVE_NO_CLI: '1' }),
      cwd: files.dir,
    });
    if (result.code !== 0) throw new Error(`docker-compose down on ${daemon} failed:\n${result.output}`);
    seconds += result.seconds;
  }
  return seconds;
}

/**
 * One mixcompose command (global options first), under GNU time for the process's peak RSS.
 * Resolves with wall seconds and peak RSS in MiB; rejects with the output when it fails.
 */
export async function mixcompose(files, project, args, { file = files.mixcompose } = {}) {
  const result = await run('/usr/bin/time', ['-f', 'BENCH_MAXRSS_KIB=%M', 'node', MIXCOMPOSE_BIN, '--progress', 'plain', '-p', project, '-f', file, ...args], {
    cwd: files.dir,
  });
  if (result.code !== 0) throw new Error(`mixcompose ${args.join(' ')} failed (exit ${result.code}):\n${result.output}`);
  const rss = /BENCH_MAXRSS_KIB=(\d+)/.exec(result.output);
  return { seconds: result.seconds, rssMiB: rss ? Number(rss[1]) / 1024 : NaN };
}

/**
 * Runs every way `runs` times, round-robin, each round starting one way further on. A way that is
 * unavailable or fails is reported with the reason and not run again.
 */
export async function runWays(/** @type {Way[]} */ ways, runs, projectBase) {
  const results = Object.fromEntries(ways.flatMap((w) => figuresOf(w).map((f) => [f.key, { times: [], problem: undefined }])));
  const fail = (way, problem) => figuresOf(way).forEach((f) => (results[f.key].problem ??= problem));
  for (const way of ways) {
    if (way.needs) {
      const problem = await mixcomposeUnavailable(way.needs);
      if (problem) fail(way, problem);
    }
  }
  for (let i = 1; i <= runs; i++) {
    // Each round starts one way further on, so no way always follows the same other way (a way
    // that follows the removal of 20 containers pays for the daemons' work after it).
    const order = ways.map((_, k) => ways[(k + i - 1) % ways.length]);
    for (const way of order) {
      const figures = figuresOf(way);
      if (results[figures[0].key].problem) continue;
      try {
        // What the previous way left the daemons and the kernel to finish is not billed to this one.
        await settle();
        const measured = await way.measure(`${projectBase}${way.key}${i}`);
        const values = typeof measured === 'number' ? { [figures[0].key]: measured } : measured;
        for (const f of figures) results[f.key].times.push(values[f.key] ?? NaN);
      } catch (error) {
        // The command line and the end of its output: a failure says why in its last lines, after the progress.
        const lines = String(error?.message ?? error).split('\n');
        fail(way, (lines.length > 24 ? [...lines.slice(0, 2), '…', ...lines.slice(-20)] : lines).join('\n'));
      }
    }
    const line = ways.flatMap(figuresOf).map((f) => `${f.key} ${results[f.key].problem ? 'n/a' : `${fmt(results[f.key].times.at(-1))} ${f.unit ?? 's'}`}`);
    console.error(`run ${i}/${runs}: ${line.join(', ')}`);
  }
  for (const r of Object.values(results)) r.median = r.problem ? NaN : median(r.times);
  return results;
}

/**
 * The results file: title, machine line, description, a table of ways, a table of ratios
 * (`[numeratorKey, denominatorKey, meaning]`), and the reasons for ways that did not run.
 */
export async function writeReport(fileName, { title, description, ways, results, ratios, notes = '' }) {
  const figures = ways.flatMap(figuresOf);
  const rows = figures.map((f) => {
    const r = results[f.key];
    return `| ${f.key} | ${f.label} | ${f.unit ?? 's'} | ${fmt(r.median)} | ${r.problem ? 'not available' : runsCell(r.times)} |`;
  });
  // A ratio's denominator may be a number (a target) instead of a figure key.
  const ratioRows = ratios.map(([a, b, meaning]) => {
    const denominator = typeof b === 'number' ? b : results[b].median;
    return `| ${a} / ${b} | ${ratio(results[a].median, denominator)} | ${meaning} |`;
  });
  const problems = ways
    .filter((w) => results[figuresOf(w)[0].key].problem)
    .map((w) => `\n${w.key} was not measured:\n\n\`\`\`\n${results[figuresOf(w)[0].key].problem}\n\`\`\`\n`);
  const markdown = `# ${title}

${await machineLine()}

${description}

| figure | way | unit | median | runs |
|---|---|---|---|---|
${rows.join('\n')}

| ratio | value | meaning |
|---|---|---|
${ratioRows.join('\n')}
${notes}${problems.join('')}`;
  const path = writeResults(fileName, markdown);
  console.log(markdown);
  console.error(`written to ${path}`);
}

/** Entry-point wrapper: one line on failure, exit 1. */
export function main(fn) {
  fn().catch((error) => {
    console.error(`bench: ${error?.message ?? error}`);
    process.exit(1);
  });
}
