#!/usr/bin/env node
import { CliError } from './errors.js';
import { COMMAND_HELP } from './help.js';
import { commands } from './registry.js';

/** `carechain <command> [args]`: dispatch to one command module; every failure is one line on stderr. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) return printHelp(rest[0]!);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) throw new CliError(`unknown command "${name}" (try: ${Object.keys(commands).join(', ')})`);
  if (rest.includes('--help') || rest.includes('-h')) return printHelp(name);
  return (await command.run(rest)) ?? 0;
}

/** `carechain help CMD` and `carechain CMD --help`: the command's usage and every flag it takes. */
function printHelp(name: string): number {
  const help = COMMAND_HELP[name];
  if (!help) throw new CliError(`unknown command "${name}" (try: ${Object.keys(commands).join(', ')})`);
  process.stdout.write(help);
  return 0;
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: carechain <command> [options]\n\ncommands:\n${lines.join('\n')}\n\ncarechain <command> --help shows a command's flags.\n`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`carechain: ${message}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  },
);
