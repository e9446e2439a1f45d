import { afterEach, describe, expect, it } from 'vitest';
import { dayLabel, formatWhen } from './format.ts';
import { setLanguage, t } from './i18n/index.ts';

const NOW = new Date(2026, 11, 3, 18, 30).getTime();

afterEach(() => {
  setLanguage('en', 'en-US');
});

describe('formatWhen', () => {
  it('writes today as a time alone and older days with their date, the locale’s way', () => {
    setLanguage('de', 'de-DE');
    expect(formatWhen(new Date(2026, 11, 3, 9, 5).getTime(), NOW)).toBe('09:05');
    expect(formatWhen(new Date(2026, 10, 28, 14, 7).getTime(), NOW)).toMatch(/^28\. Nov\.?,? 14:07$/);
    expect(formatWhen(new Date(2025, 0, 2, 14, 7).getTime(), NOW)).toMatch(/2025/);
    expect(dayLabel(new Date(2026, 11, 2, 10).getTime(), NOW)).toBe('Gestern');
    setLanguage('en', 'en-US');
    expect(formatWhen(new Date(2026, 11, 3, 9, 5).getTime(), NOW)).toMatch(/^09:05\sAM$/);
    expect(formatWhen(new Date(2026, 10, 28, 14, 7).getTime(), NOW)).toMatch(/^Nov 28,? 02:07\sPM$/);
  });
});

describe('t', () => {
  it('picks the plural form by Intl.PluralRules and formats numbers for the locale', () => {
    expect(t('fields.days', { count: 1 })).toBe('1 day');
    expect(t('fields.days', { count: 7 })).toBe('7 days');
    expect(t('composer.overLimit', { count: 1200, limit: 16384 })).toBe('1,200 bytes over the limit of 16,384 bytes: shorten the message to send it.');
    setLanguage('de', 'de-AT');
    expect(t('fields.days', { count: 1 })).toBe('1 Tag');
    expect(t('fields.days', { count: 30 })).toBe('30 Tage');
    expect(t('fields.minutes', { count: 10 })).toBe('10 Minuten');
    // Austrian German groups thousands with a space, not a dot: the region counts, not just the language.
    expect(t('composer.overLimit', { count: 1200, limit: 16384 })).toMatch(/^1\s200 Byte über der Grenze von 16\s384 Byte/);
    setLanguage('de', 'de-DE');
    expect(t('composer.overLimit', { count: 1200, limit: 16384 })).toMatch(/^1\.200 Byte über der Grenze von 16\.384 Byte/);
  });
});
