import { vi } from 'vitest';
import { run as bench } from '../../src/cli/commands/bench.js';

/** `carechain bench ARGS` as the CLI runs it (the CLI parses the flags), with its stdout captured. */
export async function captureBench(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await bench(args);
  } finally {
    spy.mockRestore();
  }
  return out;
}
