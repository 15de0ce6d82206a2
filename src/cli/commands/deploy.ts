/**
 * `mixcompose deploy --to swarm`, `rm --to swarm` and `ps --to swarm`: the project as a Swarm stack
 * (named after the project), through the Engine API of a swarm manager. The manager is `--host`
 * (DOCKER_HOST form), `--context` (a docker context), else DOCKER_HOST, else the local daemon.
 *
 * What deploy sends is what `convert --to swarm` prints (same converter, same warnings).
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { loadProject } from '../../config/load-project.js';
import { convertToSwarm } from '../../convert/swarm.js';
import { formatProblem } from '../../convert/problems.js';
import type { SwarmApi } from '../../cluster/swarm-api.js';
import { deployStack, removeStack, type DeployEvent } from '../../cluster/swarm-deploy.js';
import { formatTaskTable, listStackTasks, waitForStack } from '../../cluster/swarm-tasks.js';
import { resolveEndpoint } from '../../engine/daemon-endpoints.js';
import { PlanError, UsageError, formatIssue } from '../../errors.js';
import type { FileObject, Project } from '../../model/project.js';
import { globalOptions } from '../program.js';
import { loadOptionsFor } from './config.js';

/** The flags every `--to` command shares. */
export interface ClusterFlags {
  to?: string;
  host?: string;
  context?: string;
}

/** Adds `--to`, `--host`, `--context` to a command (deploy, rm, ps). */
export function addClusterOptions(command: Command, required: boolean): Command {
  const to = new Option('--to <target>', 'the cluster: swarm').choices(['swarm']);
  return command
    .addOption(required ? to.makeOptionMandatory() : to)
    .option('--host <host>', 'with --to: the swarm manager (DOCKER_HOST form; default: DOCKER_HOST, else the local daemon)')
    .option('--context <name>', 'with --to: a docker context for the swarm manager');
}

async function loadFor(command: Command): Promise<Project> {
  const { project, warnings } = await loadProject(loadOptionsFor(globalOptions(command), process.env, process.cwd(), process.platform));
  for (const w of warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
  return project;
}

/** A client for the swarm manager the flags name. */
export async function connectSwarm(flags: ClusterFlags): Promise<SwarmApi> {
  if (flags.host && flags.context) throw new UsageError('--host and --context are both set; name the swarm manager once');
  const fallback = process.env.DOCKER_HOST || (process.platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock');
  const endpoint = await resolveEndpoint(
    { platform: 'linux', reach: 'auto', origin: 'cli', ...(flags.context ? { context: flags.context } : { host: flags.host ?? fallback }) },
    { env: process.env },
  );
  // Loaded here, not at the top: `ps` and `rm` import this module for their flags (issue 9, start-up).
  const { DockerodeSwarm } = await import('../../engine/docker/swarm.js');
  return new DockerodeSwarm(`swarm manager ${endpoint.label.replace(/^linux /, '')}`, endpoint.modem);
}

async function withSwarm<T>(flags: ClusterFlags, run: (api: SwarmApi) => Promise<T>): Promise<T> {
  const api = await connectSwarm(flags);
  try {
    return await run(api);
  } finally {
    api.close();
  }
}

const printEvent = (e: DeployEvent) => process.stderr.write(`${e.action} ${e.kind} ${e.name}\n`);

function dataOf(project: Project) {
  return (kind: 'secrets' | 'configs', key: string, object: FileObject): Buffer => {
    if (object.content !== undefined) return Buffer.from(object.content);
    if (object.environment !== undefined) {
      const value = project.environment[object.environment];
      if (value === undefined) throw new PlanError(`${kind}.${key}: environment variable ${object.environment} is not set`);
      return Buffer.from(value);
    }
    try {
      return readFileSync(object.file!);
    } catch (error) {
      throw new PlanError(`${kind}.${key}: cannot read ${object.file}: ${(error as Error).message}`);
    }
  };
}

interface DeployFlags extends ClusterFlags {
  wait?: boolean;
  windowsRoutingMesh: boolean;
}

async function runDeploy(command: Command, flags: DeployFlags): Promise<void> {
  const project = await loadFor(command);
  const { swarmOptionsFor } = await import('./convert.js');
  const { document, problems } = convertToSwarm(project, swarmOptionsFor(project, flags, command));
  for (const p of problems) if (p.severity === 'warning') process.stderr.write(`warning: ${formatProblem(p)}\n`);
  const errors = problems.filter((p) => p.severity === 'error').map(formatProblem);
  if (errors.length) throw new PlanError(`the project cannot be deployed to a swarm as it is:\n  ${errors.join('\n  ')}`);
  await withSwarm(flags, async (api) => {
    await deployStack({ api, project, document, dataOf: dataOf(project), onEvent: printEvent });
    if (!flags.wait) {
      process.stderr.write(`deployed stack ${project.name} to ${api.label}; see its tasks with: mixcompose ps --to swarm\n`);
      return;
    }
    const settled = await waitForStack(api, project.name, Object.keys(document.services as object).sort());
    for (const s of settled) {
      const state = s.running ? 'running' : s.unplaced ? `cannot be placed: ${s.unplaced}` : 'not running yet';
      process.stdout.write(`${s.service}: ${state}\n`);
    }
  });
}

/** `rm --to swarm`: removes the project's stack. */
export async function removeFromSwarm(command: Command, flags: ClusterFlags): Promise<void> {
  const project = await loadFor(command);
  await withSwarm(flags, (api) => removeStack({ api, stack: project.name, onEvent: printEvent }));
}

/** `ps --to swarm`: the stack's tasks, the node and the node's OS each landed on, and why one is not running. */
export async function psOnSwarm(command: Command, flags: ClusterFlags & { format?: string }): Promise<void> {
  const project = await loadFor(command);
  const rows = await withSwarm(flags, (api) => listStackTasks(api, project.name));
  process.stdout.write(flags.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : formatTaskTable(rows));
}

/** `deploy --to swarm`. */
export function registerDeploy(program: Command): void {
  addClusterOptions(program.command('deploy').description('Deploy the project to a cluster (Swarm): each service placed on nodes of its OS'), true)
    .option('--wait', 'wait until every service runs or the scheduler says why it cannot place it')
    .option('--no-windows-routing-mesh', 'Windows nodes without the routing mesh (Server 2016): endpoint_mode dnsrr, host-mode ports')
    .action(async (flags: DeployFlags, command: Command) => runDeploy(command, flags));
}
