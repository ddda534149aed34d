import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';
import { hexArgument } from './hex-input.js';

/**
 * The subject pseudonym from the flags: given (--subject, 64 hex digits), or computed here as
 * HMAC-SHA256(secret in --pseudonym-key, --patient ID); the patient identifier goes nowhere.
 */
export function subjectOf(pseudonym: string | undefined, patient: string | undefined, keyFile: string | undefined): Uint8Array {
  if (pseudonym !== undefined) {
    if (patient !== undefined || keyFile !== undefined) throw new CliError('give either --subject or --patient with --pseudonym-key, not both');
    return hexArgument(pseudonym, '--subject (the HMAC pseudonym)', 32);
  }
  if (patient === undefined || keyFile === undefined) throw new CliError('--subject PSEUDONYM is required (or --patient ID with --pseudonym-key FILE)');
  let secret: Buffer;
  try {
    secret = readFileSync(keyFile);
  } catch (err) {
    throw new CliError(`cannot read ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (secret.length < 16) throw new CliError(`${keyFile} holds ${secret.length} bytes: a pseudonym key needs at least 16 secret bytes`);
  return new Uint8Array(createHmac('sha256', secret).update(patient, 'utf8').digest());
}
