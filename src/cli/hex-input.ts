import { CliError } from './errors.js';

/** Bytes from a hex argument (an optional 0x, no spaces), or a one-line error naming what it was for. */
export function hexArgument(value: string | undefined, what: string, length?: number): Uint8Array {
  if (value === undefined) throw new CliError(`${what} is required`);
  const hex = value.trim().replace(/^0x/i, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new CliError(`${what} is not hex: "${abbreviate(value)}"`);
  const bytes = new Uint8Array(Buffer.from(hex, 'hex'));
  if (length !== undefined && bytes.length !== length) {
    throw new CliError(`${what} must be ${length} bytes (${length * 2} hex digits), got ${bytes.length}`);
  }
  return bytes;
}

function abbreviate(text: string): string {
  return text.length > 24 ? `${text.slice(0, 21)}...` : text;
}
