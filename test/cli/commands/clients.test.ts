import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeKeyFile } from '../../../src/chain/key-file.js';
import { generateKeyPair, publicKeyOf } from '../../../src/chain/keys.js';
import { removeTempDirs, tempDir } from '../../chain/helpers.js';
import { runCli } from '../run-cli.js';

afterAll(removeTempDirs);

// A port nothing listens on: the clients must say so in one line, not a stack trace.
const NOWHERE = 'http://127.0.0.1:9';

describe('CLI clients', () => {
  it('keygen writes a private key file and prints the public key; never overwrites one silently', () => {
    const keyFile = join(tempDir(), 'key.json');
    const made = runCli(['keygen', '--out', keyFile, '--json']);
    expect(made.status).toBe(0);
    const { publicKey } = JSON.parse(made.stdout) as { publicKey: string };
    const stored = JSON.parse(readFileSync(keyFile, 'utf8')) as { publicKey: string; privateKey: string };
    expect(publicKeyOf(stored.privateKey)).toBe(publicKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = runCli(['keygen', '--out', keyFile]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists: a key is not overwritten without --force/);
  });

  it('send, record and receipt fail in one line when the input or the node is wrong', () => {
    const dir = tempDir();
    const keyFile = join(dir, 'key.json');
    writeKeyFile(keyFile, generateKeyPair()); // a good key, so each case fails on what it names
    const doc = join(dir, 'doc.txt');
    writeFileSync(doc, 'x');
    const subject = 'ab'.repeat(32);
    const cases: [string[], number, RegExp][] = [
      [['send', '--to', 'xyz', '--amount', '1', '--key', keyFile], 2, /--to is not hex/],
      [['send', '--to', subject, '--amount', '0', '--key', keyFile], 2, /--amount must be at least 1/],
      [['send', '--to', subject, '--amount', '5', '--key', join(dir, 'none.json'), '--node', NOWHERE], 2, /key file .*none\.json: ENOENT/],
      [['send', '--to', subject, '--amount', '5', '--key', keyFile, '--node', NOWHERE], 1, /cannot reach the node at http:\/\/127\.0\.0\.1:9/],
      [['send', '--to', subject, '--amount', '5', '--key', keyFile, '--node', 'ftp://x'], 2, /--node must be an http\(s\) URL/],
      [['record', doc, '--subject', 'short', '--type', 'Observation', '--key', keyFile], 2, /--subject .* must be 32 bytes|--subject .* is not hex/],
      [['record', doc, '--subject', subject, '--type', 'observation!', '--key', keyFile], 2, /--type must be a FHIR resource name/],
      [['record', doc, '--subject', subject, '--type', 'Observation', '--relation', 'appends', '--key', keyFile], 2, /--relation goes with --amends/],
      [['record', join(dir, 'missing.pdf'), '--subject', subject, '--type', 'Observation', '--key', keyFile], 2, /cannot read .*missing\.pdf: ENOENT/],
      [['record', doc, '--type', 'Observation', '--key', keyFile], 2, /--subject PSEUDONYM is required \(or --patient ID with --pseudonym-key FILE\)/],
      [['record', doc, '--subject', subject, '--patient', 'p1', '--type', 'Observation', '--key', keyFile], 2, /either --subject or --patient/],
      [['record', doc, '--patient', 'p1', '--pseudonym-key', doc, '--type', 'Observation', '--key', keyFile], 2, /a pseudonym key needs at least 16 secret bytes/],
      [['receipt', 'nothex', '--node', NOWHERE], 2, /TXID is not hex/],
      [['receipt', subject, '--node', NOWHERE], 1, /cannot reach the node/],
    ];
    for (const [args, status, message] of cases) {
      const result = runCli(args);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.status, args.join(' ')).toBe(status);
    }
  });
});
