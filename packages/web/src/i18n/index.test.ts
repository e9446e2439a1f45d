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
  it('German fills every placeholder English has, in every message', () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const english = en[key];
      const german = de[key];
      const forms = (message: typeof english | typeof german) => (typeof message === 'string' ? [message] : Object.values(message));
      for (const form of forms(german)) expect(names(form), key).toEqual(names(forms(english)[0] ?? ''));
    }
  });
});
