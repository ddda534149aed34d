import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BANS_FILE, BanList } from '../../src/net/ban-list.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';

afterAll(removeTempDirs);

describe('the ban list', () => {
  it('survives a restart, and a ban ends on time', () => {
    let now = 1_000_000;
    const dir = tempDir();
    const bans = new BanList(dir, () => now);
    bans.ban('12D3KooWBad', 60, 'invalid-block');
    bans.ban('12D3KooWWorse', 3600, 'operator');
    const reopened = new BanList(dir, () => now);
    expect(reopened.isBanned('12D3KooWBad')).toBe(true);
    expect(reopened.list().map((b) => [b.peer, b.reason])).toEqual([['12D3KooWBad', 'invalid-block'], ['12D3KooWWorse', 'operator']]);
    now += 61_000;
    expect(reopened.isBanned('12D3KooWBad')).toBe(false);
    expect(reopened.isBanned('12D3KooWWorse')).toBe(true);
    expect(reopened.unban('12D3KooWWorse')).toBe(true);
    expect(new BanList(dir, () => now).list()).toEqual([]);
  });

  it('keeps a damaged file aside instead of erasing it', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'p2p'));
    writeFileSync(join(dir, BANS_FILE), '{"not": "a list"');
    const bans = new BanList(dir);
    expect(bans.loadError).toMatch(/bans\.json is not a ban list/);
    expect(readFileSync(join(dir, `${BANS_FILE}.damaged`), 'utf8')).toBe('{"not": "a list"');
    bans.ban('p', 10, 'malformed');
    expect(JSON.parse(readFileSync(join(dir, BANS_FILE), 'utf8'))).toHaveLength(1);
    expect(existsSync(join(dir, `${BANS_FILE}.damaged`))).toBe(true);
    expect(statSync(join(dir, BANS_FILE)).isFile()).toBe(true);
  });

  it('is bounded: past 1000 bans, the one ending soonest goes', () => {
    const bans = new BanList(tempDir(), () => 0);
    for (let i = 0; i <= 1000; i++) bans.ban(`p${i}`, 1000 + i, 'rate-limit');
    expect(bans.list()).toHaveLength(1000);
    expect(bans.isBanned('p0')).toBe(false);
    expect(bans.isBanned('p1000')).toBe(true);
  });
});
