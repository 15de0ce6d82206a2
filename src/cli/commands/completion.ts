/**
 * `mixcompose completion bash|zsh|fish|powershell`: a completion script for the shell, made from
 * the command tree itself (commands, their flags, the global flags), completing service names of
 * the current file by asking `mixcompose config --services` (loads the file, no daemon).
 */
import type { Command } from 'commander';
import { Argument } from 'commander';

/** What completion needs of the command tree. */
export interface CompletionModel {
  readonly globalFlags: readonly string[];
  readonly commands: readonly { readonly name: string; readonly flags: readonly string[] }[];
}

const flagsOf = (c: Command): string[] =>
  c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f))).sort();

/** Commands and flags of a program (hidden ones left out). */
export function completionModel(program: Command): CompletionModel {
  return {
    globalFlags: flagsOf(program),
    commands: program.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => ({ name: c.name(), flags: [...flagsOf(c), '--help'] }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

const SERVICES = 'mixcompose config --services 2>/dev/null';

function bash(m: CompletionModel): string {
  const cases = m.commands.map((c) => `    ${c.name}) flags="${c.flags.join(' ')}" ;;`).join('\n');
  return `# mixcompose completion for bash: source <(mixcompose completion bash)
_mixcompose() {
  local cur cmd word i flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      -f|--file|-p|--project-name|--project-directory|--env-file|--profile|--windows-host|--linux-host|--windows-context|--linux-context|--progress) ((i++)) ;;
      -*) ;;
      *) cmd="$word"; break ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "${m.globalFlags.join(' ')}" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "${m.commands.map((c) => c.name).join(' ')}" -- "$cur"))
    fi
    return
  fi
  case "$cmd" in
${cases}
    *) flags="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${SERVICES})" -- "$cur"))
  fi
}
complete -F _mixcompose mixcompose
`;
}

function zsh(m: CompletionModel): string {
  const cases = m.commands.map((c) => `    ${c.name}) flags=(${c.flags.join(' ')}) ;;`).join('\n');
  return `#compdef mixcompose
# mixcompose completion for zsh: source <(mixcompose completion zsh)  (after compinit)
_mixcompose() {
  local -a commands flags services
  local cmd="" i
  commands=(${m.commands.map((c) => c.name).join(' ')})
  for ((i = 2; i < CURRENT; i++)); do
    case "\${words[i]}" in
      -f|--file|-p|--project-name|--project-directory|--env-file|--profile|--windows-host|--linux-host|--windows-context|--linux-context|--progress) ((i++)) ;;
      -*) ;;
      *) cmd="\${words[i]}"; break ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    if [[ "\${words[CURRENT]}" == -* ]]; then
      flags=(${m.globalFlags.join(' ')})
      compadd -- $flags
    else
      compadd -- $commands
    fi
    return
  fi
  case "$cmd" in
${cases}
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then
    compadd -- $flags
  else
    services=(\${(f)"$(${SERVICES})"})
    compadd -- $services
  fi
}
compdef _mixcompose mixcompose
`;
}

function fish(m: CompletionModel): string {
  const names = m.commands.map((c) => c.name).join(' ');
  const flag = (f: string) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`);
  const lines = [
    '# mixcompose completion for fish: mixcompose completion fish | source',
    'complete -c mixcompose -f',
    `complete -c mixcompose -n '__fish_use_subcommand' -a '${names}'`,
    ...m.globalFlags.map((f) => `complete -c mixcompose -n '__fish_use_subcommand' ${flag(f)}`),
    ...m.commands.flatMap((c) => c.flags.map((f) => `complete -c mixcompose -n '__fish_seen_subcommand_from ${c.name}' ${flag(f)}`)),
    `complete -c mixcompose -n '__fish_seen_subcommand_from ${names}' -a '(${SERVICES})'`,
  ];
  return `${lines.join('\n')}\n`;
}

function powershell(m: CompletionModel): string {
  const table = m.commands.map((c) => `    '${c.name}' = @(${c.flags.map((f) => `'${f}'`).join(', ')})`).join('\n');
  return `# mixcompose completion for PowerShell: mixcompose completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName mixcompose -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $commandFlags = @{
${table}
  }
  $globalFlags = @(${m.globalFlags.map((f) => `'${f}'`).join(', ')})
  $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
  $command = $words | Where-Object { $commandFlags.ContainsKey($_) } | Select-Object -First 1
  if (-not $command) {
    $candidates = if ($wordToComplete -like '-*') { $globalFlags } else { $commandFlags.Keys }
  } elseif ($wordToComplete -like '-*') {
    $candidates = $commandFlags[$command]
  } else {
    $candidates = @(mixcompose config --services 2>$null)
  }
  $candidates | Where-Object { $_ -like "$wordToComplete*" } | Sort-Object | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;
}

export const SHELLS = { bash, zsh, fish, powershell } as const;
export type Shell = keyof typeof SHELLS;

export function completionScript(shell: Shell, program: Command): string {
  return SHELLS[shell](completionModel(program));
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script (commands, flags, service names of the current file)')
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(SHELLS)))
    .action(async (shell: Shell) => {
      // Commands load lazily: the root this one is registered on holds only `completion`; the
      // script lists the whole tree.
      const { buildFullProgram } = await import('../program.js');
      process.stdout.write(completionScript(shell, await buildFullProgram()));
    });
}
