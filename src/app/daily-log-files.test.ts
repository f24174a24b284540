import { describe, expect, it } from 'vitest';
import { dailyLogFiles } from './daily-log-files';

describe('the daily logs a run names when it ends', () => {
  it('names the first and last file of a multi-day run and counts the sessions; nothing for one day', () => {
    expect(dailyLogFiles([])).toBe('');
    expect(dailyLogFiles([{ day: '2026-02-13' }])).toBe(', daily-log-2026-02-13.md');
    expect(dailyLogFiles([{ day: '2026-02-12' }, { day: '2026-02-13' }, { day: '2026-02-17' }])).toBe(
      ', daily-log-2026-02-12.md … daily-log-2026-02-17.md (3 sessions)',
    );
  });
});
