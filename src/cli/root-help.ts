/**
 * The root help as commander prints it at 80 columns (stdout not a terminal), for main.ts to print
 * without loading commander. Generated: test/unit/cli/program.test.ts fails when it differs from
 * what the program prints;
 *   MIXCOMPOSE_WRITE_ROOT_HELP=1 npx vitest run --project unit test/unit/cli/program.test.ts
 * rewrites it.
 */
export const ROOT_HELP = `Usage: mixcompose [options] [command]

One compose stack across a Windows and a Linux Docker daemon

Options:
  -V, --version                          output the version number
  -f, --file <path>                      compose file (repeat to merge) (default: [])
  -p, --project-name <name>              project name
  --project-directory <dir>              project directory (default: the first file's directory)
  --env-file <path>                      environment file (repeatable) (default: [])
  --profile <name>                       enable a profile (repeatable) (default: [])
  --windows-host <host>                  Windows daemon endpoint (DOCKER_HOST form)
  --linux-host <host>                    Linux daemon endpoint (DOCKER_HOST form)
  --windows-context <name>               docker context for the Windows daemon
  --linux-context <name>                 docker context for the Linux daemon
  --allow-os-mismatch                    let a daemon of the other OS stand in (tests, CI); prints a warning (default: false)
  --insecure-daemon                      allow plain tcp:// (no TLS) to a daemon on a non-loopback address; prints a warning
  --progress <mode>                      progress output (choices: "auto", "tty", "plain", "json", "quiet", default: "auto")
  --ansi <when>                          ANSI colour and control characters (NO_COLOR=1 turns colour off unless always) (choices: "never", "always", "auto", default: "auto")
  -h, --help                             display help for command

Commands:
  up [options] [services...]             Create and start the stack on both daemons
  down [options]                         Stop and remove the stack on both daemons
  ps [options] [services...]             List the project's containers on both daemons
  logs [options] [services...]           Show logs of the stack, from both daemons
  start [options] [services...]          Start existing containers in dependency order
  stop [options] [services...]           Stop running containers in reverse dependency order
  restart [options] [services...]        Restart containers in dependency order
  plan [options] [services...]           Print what \`up\` (or another command) would do on both daemons
  doctor [options]                       check both daemons and the network path between them (probe containers, removed afterwards)
  config [options] [services...]         Validate the stack file(s) and print the resolved model (each service with its platform and daemon)
  validate                               Validate the stack file(s): the same as \`config --quiet\`
  pull [options] [services...]           Pull the services' images, each on its platform's daemon
  build [options] [services...]          Build the services' images, each on its platform's daemon
  images [options] [services...]         List the project's images on both daemons
  run [options] <service> [command...]   Run a one-off command in a new container of a service (on the service's daemon, with its wiring)
  exec [options] <service> <command...>  Run a command in a running service container (on the service's daemon)
  cp [options] <source> <destination>    Copy files between a service's container and this machine (on the service's daemon)
  kill [options] [services...]           Kill the stack's running containers on both daemons (Windows containers are always terminated: they have no signals)
  rm [options] [services...]             Remove the stack's stopped containers on both daemons
  pause [options] [services...]          Pause the stack's running containers on both daemons
  unpause [options] [services...]        Unpause the stack's paused containers
  top [services...]                      Show the processes of the stack's running containers
  port [options] <service> <port>        Print the host address a container port of a service is published on
  wait [options] <services...>           Wait for the first of the services' containers to stop; exit with its code
  events [options] [services...]         Stream the stack's container events from both daemons
  ls [options]                           List the compose projects on both daemons, with their platforms
  version [options]                      Show the mixcompose version and the versions of both daemons
  completion <shell>                     Print a shell completion script (commands, flags, service names of the current file)
  convert [options]                      Write the project as a Swarm stack file or as Kubernetes manifests, placed by each service's OS
  deploy [options]                       Deploy the project to a cluster (Swarm): each service placed on nodes of its OS
  help [command]                         display help for command
`;
