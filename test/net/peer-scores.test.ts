import { describe, expect, it } from 'vitest';
import { actionFor, BAN_SCORE, DISCONNECT_SCORE, PeerScores } from '../../src/net/peer-scores.js';

describe('peer scores', () => {
  it('bans at once for what no honest node sends, and after a few malformed messages', () => {
    const scores = new PeerScores(() => 0);
    expect(scores.apply('evil', 'fatal', 'invalid-block')).toBe('ban');
    expect(scores.apply('sloppy', 'low', 'malformed')).toBe('keep');
    expect(scores.apply('sloppy', 'low', 'malformed')).toBe('disconnect');
    expect(scores.score('sloppy')).toBe(DISCONNECT_SCORE);
    for (let i = 0; i < 3; i++) scores.apply('sloppy', 'low', 'malformed');
    expect(scores.verdict('sloppy')).toBe('ban');
    expect(scores.score('sloppy')).toBeLessThanOrEqual(BAN_SCORE);
    expect(scores.lastReason('sloppy')).toBe('malformed');
    expect(scores.apply('slow', 'high', 'unresponsive')).toBe('keep');
  });

  it('forgives with time: a score halves every ten minutes', () => {
    let now = 0;
    const scores = new PeerScores(() => now);
    scores.apply('p', 'low', 'malformed');
    scores.apply('p', 'low', 'malformed');
    expect(scores.verdict('p')).toBe('disconnect');
    now = 10 * 60 * 1000;
    expect(scores.score('p')).toBeCloseTo(-10, 6);
    expect(scores.verdict('p')).toBe('keep');
  });

  it('maps the chain penalty classes to actions (none is no action)', () => {
    expect([actionFor('fatal'), actionFor('low'), actionFor('none')]).toEqual(['fatal', 'low', undefined]);
  });

  it('remembers a bounded number of peers, the least recently scored forgotten first', () => {
    const scores = new PeerScores(() => 0);
    for (let i = 0; i <= 1000; i++) scores.apply(`p${i}`, 'high', 'unresponsive');
    expect(scores.score('p0')).toBe(0);
    expect(scores.score('p1000')).toBe(-1);
  });
});
