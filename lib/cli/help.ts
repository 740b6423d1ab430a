// Help texts, generated from the registry: `nvml-mig --help` lists every command; `nvml-mig help
// <command>` and `nvml-mig <command> --help` explain one. Nothing here needs a GPU.

import { EXIT_CODES } from './errors.js';
import { COMMANDS, GLOBAL_OPTIONS, findCommand } from './registry.js';
import type { CommandSpec, OptionSpec } from './spec.js';

function optionLine(name: string, o: OptionSpec): string {
  const flags = [...(o.short ? [`-${o.short}`] : []), `--${name}`].join(', ');
  const value = o.type === 'string' ? ` <${o.value ?? 'value'}>` : '';
  return `  ${(flags + value).padEnd(30)} ${o.help}`;
}

function usageLine(c: CommandSpec): string {
  return `Usage: nvml-mig ${c.name}${c.usage ? ` ${c.usage}` : ''} [options]`;
}

function commandHelp(c: CommandSpec): string {
  const out = [usageLine(c)];
  if (c.smi) out.push(`       (nvidia-smi spelling: nvml-mig ${c.smi.example})`);
  out.push('', c.description);
  const own = Object.entries(c.options ?? {});
  if (own.length) out.push('', 'Options:', ...own.map(([n, o]) => optionLine(n, o)));
  out.push('', "Global options (-i, --json, --mock, ...): see 'nvml-mig --help'.");
  return out.join('\n') + '\n';
}

function globalHelp(): string {
  const out = [
    'Usage: nvml-mig [options] <command> [arguments]',
    '       nvml-mig [options] mig <-lgip|-lgipp|-cgi ...|-lgi|-dgi|-lcip|-cci|-lci|-dci> [-gi ids] [-ci ids] [-C]',
    '',
    "Manage NVIDIA MIG through NVML. Both nvidia-smi's spelling and readable commands work.",
    '',
    'Commands (nvidia-smi spelling in brackets):',
  ];
  for (const c of COMMANDS) {
    const full = c.usage ? `${c.name} ${c.usage}` : c.name;
    const head = `  ${(full.length <= 22 ? full : c.name).padEnd(24)}`;
    const line = `${head}${c.summary}`;
    out.push(c.smi ? `${line.padEnd(72)} [${c.smi.example}]` : line);
  }
  out.push(
    '',
    "Profiles: an id (19), a short name (1g.10gb) or the driver's name ('MIG 1g.10gb'), resolved per GPU;",
    'optionally :start for a placement (9:4). Lists are comma-separated.',
    '',
    'Options (anywhere on the line):',
    ...Object.entries(GLOBAL_OPTIONS).map(([n, o]) => optionLine(n, o)),
    '',
    ...wrap('Exit codes: ' + EXIT_CODES.map((e) => `${e.code} ${e.meaning}`).join(', '), 100, '            '),
    '',
    'Try it without a GPU:  nvml-mig --mock h100-80gb mig -lgip',
  );
  return out.join('\n') + '\n';
}

/** The help text for a topic (a command name), or the global one. Null for an unknown topic. */
export function helpText(topic: string | null): string | null {
  if (topic === null) return globalHelp();
  const c = findCommand(topic);
  if (c) return commandHelp(c);
  const group = COMMANDS.filter((x) => x.name.startsWith(`${topic} `));
  if (group.length === 0) return null;
  return [`Usage: nvml-mig [options] ${topic} <command>`, '', ...group.map((x) => `  ${x.name.padEnd(28)}${x.summary}`), '', `'nvml-mig help ${topic} <command>' explains one.`, ''].join('\n');
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
