import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { de } from './de.ts';
import { chooseLanguage } from './index.ts';

describe('chooseLanguage', () => {
  it('takes the first preferred language with a catalog, keeping its region for dates; English otherwise', () => {
    expect(chooseLanguage(['de-DE', 'en-US'])).toEqual({ language: 'de', tag: 'de-DE' });
    expect(chooseLanguage(['fr-FR', 'de-CH', 'en'])).toEqual({ language: 'de', tag: 'de-CH' });
    expect(chooseLanguage(['en-GB', 'de'])).toEqual({ language: 'en', tag: 'en-GB' });
    expect(chooseLanguage(['fr-FR', 'es'])).toEqual({ language: 'en', tag: 'en' });
    expect(chooseLanguage([])).toEqual({ language: 'en', tag: 'en' });
  });
});

describe('catalogs', () => {
  it('German uses the placeholders English has, no more and no fewer (plural forms may leave out {count})', () => {
    const names = (message: string | object) =>
      [...new Set((typeof message === 'string' ? [message] : (Object.values(message) as string[])).flatMap((form) => [...form.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(names(de[key]), key).toEqual(names(en[key]));
  });
});
