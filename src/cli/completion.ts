// `spyglass completion bash|zsh|fish`: completion scripts written from the commander tree itself, so
// a new command or option completes without anyone editing a script.
import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import type { CommandContext } from './context.ts';

export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof COMPLETION_SHELLS)[number];

interface CommandNode {
  /** Space-separated command path below `spyglass` ('' for the program itself). */
  path: string;
  description: string;
  subcommands: string[];
  options: { long?: string; short?: string; description: string; takesValue: boolean }[];
}

/** Every command of the tree, the program first, hidden commands (commander's `help`) left out. */
export function commandTree(program: Command): CommandNode[] {
  const nodes: CommandNode[] = [];
  const visit = (command: Command, path: string) => {
    const visible = command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden);
    nodes.push({
      path,
      description: command.description(),
      subcommands: visible.map((sub) => sub.name()),
      options: command.options.filter((option) => !option.hidden).map((option) => ({
        long: option.long, short: option.short, description: option.description, takesValue: option.required || option.optional,
      })),
    });
    for (const sub of visible) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(program, '');
  return nodes;
}

function words(node: CommandNode): string[] {
  return [...node.subcommands, ...node.options.flatMap((option) => [option.long, option.short].filter((flag): flag is string => flag !== undefined)), '--help'];
}

/** Flags that take a value, as a shell case pattern: the word after one is its value, not a command. */
function valuedFlags(nodes: CommandNode[]): string {
  return [...new Set(nodes.flatMap((node) => node.options.filter((option) => option.takesValue).flatMap((option) => [option.long, option.short]).filter(Boolean)))].join('|');
}

function bash(nodes: CommandNode[]): string {
  const paths = nodes.filter((node) => node.path !== '').map((node) => `"${node.path}"`).join('|');
  const valued = valuedFlags(nodes);
  return `# bash completion for spyglass: source it, or put it in ~/.local/share/bash-completion/completions/spyglass
_spyglass() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    # The value of an option (--data-dir db) is not a command.
    case "\${COMP_WORDS[i-1]}" in
      ${valued}) continue ;;
    esac
    case "\${path:+$path }$word" in
      ${paths}) path="\${path:+$path }$word" ;;
    esac
  done
  case "$prev" in
    ${valued}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  local words subcommands
  case "$path" in
${nodes.map((node) => `    "${node.path}") words="${words(node).join(' ')}"; subcommands="${node.subcommands.join(' ')}" ;;`).join('\n')}
  esac
  # Flags after a dash, else the subcommands; nothing (so files, -o default) for an argument.
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$words" -- "$cur"))
  elif [[ -n "$subcommands" ]]; then COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
  fi
}
complete -o default -F _spyglass spyglass
`;
}

function zsh(nodes: CommandNode[]): string {
  const paths = nodes.filter((node) => node.path !== '').map((node) => `'${node.path}'`).join('|');
  const valued = valuedFlags(nodes);
  return `#compdef spyglass
# zsh completion for spyglass: put it in a directory of $fpath as _spyglass, or source it
_spyglass() {
  local path_="" word i
  local -a candidates subcommands
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    case "\${words[i-1]}" in
      ${valued}) continue ;;
    esac
    case "\${path_:+$path_ }$word" in
      ${paths}) path_="\${path_:+$path_ }$word" ;;
    esac
  done
  case "$path_" in
${nodes.map((node) => `    '${node.path}') candidates=(${words(node).join(' ')}); subcommands=(${node.subcommands.join(' ')}) ;;`).join('\n')}
  esac
  # Flags after a dash, else the subcommands, else a file (an archive, an output path).
  if [[ "\${words[CURRENT]}" == -* ]]; then compadd -- \${candidates[@]}
  elif [[ \${#subcommands} -gt 0 ]]; then compadd -- \${subcommands[@]}
  else _files; fi
}
if [[ "\${funcstack[1]}" == _spyglass ]]; then _spyglass "$@"; else compdef _spyglass spyglass; fi
`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fish(nodes: CommandNode[]): string {
  const lines = ['# fish completion for spyglass: put it in ~/.config/fish/completions/spyglass.fish', 'complete -c spyglass -e'];
  const byPath = new Map(nodes.map((node) => [node.path, node]));
  for (const node of nodes) {
    const parts = node.path === '' ? [] : node.path.split(' ');
    // fish sees the words typed so far: this node's words apply once its path is typed and none of its subcommands is.
    const seen = parts.map((part) => `__fish_seen_subcommand_from ${part}`);
    const notBelow = node.subcommands.length > 0 ? [`not __fish_seen_subcommand_from ${node.subcommands.join(' ')}`] : [];
    const condition = node.path === '' ? '__fish_use_subcommand' : [...seen, ...notBelow].join('; and ');
    for (const sub of node.subcommands) {
      const child = byPath.get(node.path === '' ? sub : `${node.path} ${sub}`);
      lines.push(`complete -c spyglass -f -n ${fishQuote(condition)} -a ${sub} -d ${fishQuote(child?.description ?? '')}`);
    }
    for (const option of node.options) {
      const flags = [option.long ? `-l ${option.long.replace(/^--/, '')}` : '', option.short ? `-s ${option.short.replace(/^-/, '')}` : ''].filter(Boolean).join(' ');
      const scope = node.path === '' ? '' : `-n ${fishQuote(seen.join('; and '))} `;
      lines.push(`complete -c spyglass ${scope}${flags}${option.takesValue ? ' -r' : ''} -d ${fishQuote(option.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, program: Command): string {
  const nodes = commandTree(program);
  return shell === 'bash' ? bash(nodes) : shell === 'zsh' ? zsh(nodes) : fish(nodes);
}

export function registerCompletion(program: Command, context: CommandContext): void {
  program.command('completion')
    .description('print a shell completion script for bash, zsh or fish')
    .argument('<shell>', COMPLETION_SHELLS.join(', '))
    .addHelpText('after', `
Examples:
  $ source <(spyglass completion bash)
  $ spyglass completion zsh > "\${fpath[1]}/_spyglass"
  $ spyglass completion fish > ~/.config/fish/completions/spyglass.fish`)
    .action((shell: string) => {
      if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) throw new SpyglassError(`completion ${shell}: expected one of ${COMPLETION_SHELLS.join(', ')}`);
      context.stdout.write(completionScript(shell as Shell, program));
    });
}
