#!/usr/bin/env node
import { CliError } from './errors.js';
import { commands } from './registry.js';

/** `carechain <command> [args]`: dispatch to one command module; every failure is one line on stderr. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) throw new CliError(`unknown command "${name}" (try: ${Object.keys(commands).join(', ')})`);
  return (await command.run(rest)) ?? 0;
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: carechain <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
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
