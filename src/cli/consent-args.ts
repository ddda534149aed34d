import { PURPOSES } from '../chain/purposes.js';
import { CONSENT_ACTIONS, type ConsentAction, type ConsentExpiry } from '../chain/tx.js';
import { parseCount } from './args.js';
import { CliError } from './errors.js';

/** Flag values of the consent commands, each checked here with a one-line error naming the flag. */

/** `a,b,c` → its items (none when the flag is absent or empty); an empty item or a repeat is an error. */
export function listArgument(value: string | undefined, flag: string): string[] {
  if (value === undefined || value.trim() === '') return [];
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new CliError(`${flag} has an empty item: "${value}"`);
  const twice = items.find((s, i) => items.indexOf(s) !== i);
  if (twice) throw new CliError(`${flag} names ${twice} twice`);
  return items;
}

export function actionsArgument(value: string | undefined): ConsentAction[] {
  const actions = listArgument(value, '--actions');
  if (actions.length === 0) throw new CliError('--actions is required: one or more of read, append, amend (comma-separated)');
  for (const a of actions) if (!(CONSENT_ACTIONS as readonly string[]).includes(a)) throw new CliError(`--actions: "${a}" is not one of read, append, amend`);
  return actions as ConsentAction[];
}

export function typesArgument(value: string | undefined): string[] {
  const types = listArgument(value, '--types');
  for (const t of types) if (!/^[A-Z][A-Za-z]{1,63}$/.test(t)) throw new CliError(`--types: "${t}" is not a FHIR resource name such as Observation`);
  return types;
}

export function purposeArgument(value: string, flag = '--purpose'): string {
  if (!Object.hasOwn(PURPOSES, value)) throw new CliError(`${flag}: "${value}" is not a purpose of use the chain knows (${Object.keys(PURPOSES).join(', ')})`);
  return value;
}

export function purposesArgument(value: string | undefined): string[] {
  return listArgument(value, '--purposes').map((p) => purposeArgument(p, '--purposes'));
}

/** Unix seconds from decimal seconds or an ISO 8601 date/time (2026-12-31, 2026-12-31T18:00:00Z). */
export function timeArgument(value: string, flag: string): number {
  const text = value.trim();
  const seconds = /^\d+$/.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff) throw new CliError(`${flag} must be unix seconds or an ISO 8601 date/time, got "${value}"`);
  return seconds;
}

/** --expires WHEN or --expires-height N (not both); neither: until revoked. */
export function expiryArgument(expires: string | undefined, expiresHeight: string | undefined): ConsentExpiry | undefined {
  if (expires !== undefined && expiresHeight !== undefined) throw new CliError('give --expires or --expires-height, not both');
  if (expires !== undefined) return { by: 'time', at: timeArgument(expires, '--expires') };
  if (expiresHeight !== undefined) {
    const at = parseCount(expiresHeight, '--expires-height');
    if (at > 0xffffffff) throw new CliError('--expires-height is too large');
    return { by: 'height', at };
  }
  return undefined;
}
