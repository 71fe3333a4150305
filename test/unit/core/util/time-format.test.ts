/** One time format everywhere: date, time and zone, in UTC, whatever the machine's zone. */
import { describe, expect, it } from 'vitest';
import { formatTime } from '../../../../src/core/util/time-format.js';

describe('formatTime', () => {
  it('gives date, time to the second and UTC, from milliseconds, a Date or ISO text', () => {
    const ms = Date.UTC(2026, 11, 1, 9, 41, 7, 999);
    expect(formatTime(ms)).toBe('2026-12-01 09:41:07 UTC');
    expect(formatTime(new Date(ms))).toBe('2026-12-01 09:41:07 UTC');
    expect(formatTime('2026-12-01T10:41:07+01:00')).toBe('2026-12-01 09:41:07 UTC');
  });

  it('pads every field and keeps four-digit years', () => {
    expect(formatTime(Date.UTC(987, 0, 2, 3, 4, 5))).toBe('0987-01-02 03:04:05 UTC');
    expect(formatTime(Date.UTC(2051, 10, 26, 18, 23, 36))).toBe('2051-11-26 18:23:36 UTC');
  });

  it('reads the UTC fields, so a time near midnight keeps its UTC date', () => {
    expect(formatTime(Date.UTC(2026, 5, 30, 23, 59, 59))).toBe('2026-06-30 23:59:59 UTC');
    expect(formatTime(Date.UTC(2026, 6, 1, 0, 0, 0))).toBe('2026-07-01 00:00:00 UTC');
  });

  it('shows a value that is not a time as such, without throwing', () => {
    expect(formatTime(Number.NaN)).toBe('NaN (not a valid time)');
    expect(formatTime('yesterday')).toBe('yesterday (not a valid time)');
  });
});
