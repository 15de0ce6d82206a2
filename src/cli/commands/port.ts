/** `mixcompose port <service> <port>`: the host address a container port is published on (on its daemon's host). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { PlanError } from '../../errors.js';
import { pickReplica, projectContainers } from '../../engine/project-containers.js';
import { withSession } from './session.js';
import { positiveInteger } from './option-parsers.js';

/** `0.0.0.0:8080` lines for `port/protocol` from an inspect body's NetworkSettings.Ports. */
export function publishedAddresses(inspect: Record<string, unknown>, port: number, protocol: string): string[] {
  const ports = (inspect.NetworkSettings as { Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> } | undefined)?.Ports ?? {};
  return (ports[`${port}/${protocol}`] ?? []).map((b) => `${b.HostIp || '0.0.0.0'}:${b.HostPort}`);
}

export function registerPort(program: Command): void {
  program
    .command('port')
    .description('Print the host address a container port of a service is published on')
    .argument('<service>', 'service')
    .argument('<port>', 'container port', positiveInteger)
    .addOption(new Option('--protocol <protocol>', 'tcp, udp or sctp').choices(['tcp', 'udp', 'sctp']).default('tcp'))
    .addOption(new Option('--index <n>', 'replica of the service (1-based)').argParser(positiveInteger).default(1))
    .action(async (service: string, port: number, flags: { protocol: string; index: number }, command: Command) => {
      const lines = await withSession(
        command,
        async (session) => {
          const target = pickReplica(await projectContainers(session.project.name, session.daemons, { services: [service] }), service, flags.index);
          const found = publishedAddresses(await target.client.inspectContainer(target.container.id), port, flags.protocol);
          if (!found.length) throw new PlanError(`no port ${port}/${flags.protocol} published for ${target.container.name}`, service);
          return found;
        },
        { progress: 'quiet', services: [service] },
      );
      process.stdout.write(`${lines[0]}\n`);
    });
}
