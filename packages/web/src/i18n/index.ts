import { de } from './de.ts';
import { en, type Catalog, type MessageKey, type PluralMessage } from './en.ts';

export type { MessageKey } from './en.ts';
export type Language = 'en' | 'de';
export type Params = Readonly<Record<string, string | number>>;

interface Current {
  language: Language;
  /** The BCP 47 tag dates and numbers are formatted with: the person's own (`de-AT`, `en-GB`), not just the language. */
  tag: string;
  catalog: Catalog;
  plurals: Intl.PluralRules;
  numbers: Intl.NumberFormat;
}

let current: Current = make('en', 'en', en);

function make(language: Language, tag: string, catalog: Catalog): Current {
  return { language, tag, catalog, plurals: new Intl.PluralRules(tag), numbers: new Intl.NumberFormat(tag) };
}

/**
 * The first of the browser's preferred languages that has a catalog, with the tag it came as;
 * English when none has one. `navigator.languages` is the person's ordered list (RFC 4647
 * lookup: the language subtag decides, the region only shapes dates and numbers).
 */
export function chooseLanguage(preferred: readonly string[]): { language: Language; tag: string } {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'en' || base === 'de') return { language: base, tag: safeTag(tag) };
  }
  return { language: 'en', tag: 'en' };
}

/** A tag Intl refuses (a hand-edited browser setting) would throw in every formatter. */
function safeTag(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/**
 * Switches the interface language, before the first render. Both catalogs are in the bundle:
 * as a chunk of its own German cost its readers one more round trip before the first paint
 * (1.22 s instead of 0.86 s on the 1.6 Mbit/s, 150 ms link of scripts/measure-web.ts), while in
 * the bundle it costs everyone 5 KB of Brotli, about 30 ms on that link.
 */
export function setLanguage(language: Language, tag: string): void {
  current = make(language, tag, language === 'de' ? de : en);
  if (typeof document !== 'undefined') document.documentElement.lang = tag;
}

export const language = (): Language => current.language;
/** The locale tag for Intl formatters. */
export const localeTag = (): string => current.tag;

/**
 * The catalog text for `key` with `{name}` placeholders filled in. A plural message picks its
 * form by `params.count` through Intl.PluralRules (German and English both have one/other; the
 * rules, not this code, decide which applies). Numbers are formatted for the locale.
 */
export function t(key: MessageKey, params?: Params): string {
  const message = current.catalog[key] ?? en[key];
  const text = typeof message === 'string' ? message : pluralForm(message, params?.count);
  return params ? fill(text, params) : text;
}

function pluralForm(message: PluralMessage, count: string | number | undefined): string {
  const n = typeof count === 'number' ? count : Number(count);
  const category = Number.isFinite(n) ? current.plurals.select(n) : 'other';
  return message[category as keyof PluralMessage] ?? message.other;
}

function fill(text: string, params: Params): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? current.numbers.format(value) : value;
  });
}

/** For keys made at run time (a command word's summary): whether the catalog has one. */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
