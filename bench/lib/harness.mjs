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

/** `mixcompose up -d` of the single file; then `mixcompose down` (untimed) and a cleanup by label. */
export async function mixcomposeUp(files, project, { check } = {}) {
  // Global options go before the command, as with `docker compose`.
  const args = ['--progress', 'plain', '-p', project, '-f', files.mixcompose];
  try {
    const result = await run('node', [MIXCOMPOSE_BIN, ...args, 'up', '-d'], { cwd: files.dir });
    if (result.code !== 0) throw new Error(`mixcompose up failed (exit ${result.code}):\n${result.output}`);
    await check?.(project, 'mixcompose');
    return result.seconds;
  } finally {
    await run('node', [MIXCOMPOSE_BIN, ...args, 'down', '-t', '1'], { cwd: files.dir });
    await removeProject(project);
  }
}

/**
 * @typedef {{ key: string, label: string, measure: (project: string) => Promise<number>, needs?: string }} Way
 * `needs`: a mixcompose command that must exist in the built CLI for this way to run.
 */

/**
 * Runs every way `runs` times, round-robin. A way that is unavailable or fails is reported with the
 * reason and not run again.
 */
export async function runWays(/** @type {Way[]} */ ways, runs, projectBase) {
  const results = Object.fromEntries(ways.map((w) => [w.key, { times: [], problem: undefined }]));
  for (const way of ways) {
    if (way.needs) results[way.key].problem = await mixcomposeUnavailable(way.needs);
  }
  for (let i = 1; i <= runs; i++) {
    const line = [];
    for (const way of ways) {
      const r = results[way.key];
      if (!r.problem) {
        try {
          r.times.push(await way.measure(`${projectBase}${way.key}${i}`));
        } catch (error) {
          r.problem = String(error?.message ?? error).split('\n').slice(0, 12).join('\n');
        }
      }
      line.push(`${way.key} ${r.problem ? 'n/a' : `${fmt(r.times.at(-1))} s`}`);
    }
    console.error(`run ${i}/${runs}: ${line.join(', ')}`);
  }
  for (const r of Object.values(results)) r.median = r.problem ? NaN : median(r.times);
  return results;
}

/**
 * The results file: title, machine line, description, a table of ways, a table of ratios
 * (`[numeratorKey, denominatorKey, meaning]`), and the reasons for ways that did not run.
 */
export async function writeReport(fileName, { title, description, ways, results, ratios }) {
  const rows = ways.map((w) => {
    const r = results[w.key];
    return `| ${w.label} | ${fmt(r.median)} | ${r.problem ? 'not available' : runsCell(r.times)} |`;
  });
  const ratioRows = ratios.map(([a, b, meaning]) => {
    const label = (k) => ways.find((w) => w.key === k)?.key ?? k;
    return `| ${label(a)} / ${label(b)} | ${ratio(results[a].median, results[b].median)} | ${meaning} |`;
  });
  const problems = ways
    .filter((w) => results[w.key].problem)
    .map((w) => `\n${w.key} was not measured:\n\n\`\`\`\n${results[w.key].problem}\n\`\`\`\n`);
  const markdown = `# ${title}

${await machineLine()}

${description}

| way | median (s) | runs (s) |
|---|---|---|
${rows.join('\n')}

| ratio | value | meaning |
|---|---|---|
${ratioRows.join('\n')}
${problems.join('')}`;
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
