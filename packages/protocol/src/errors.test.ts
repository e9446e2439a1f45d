import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, errorNameForCode, ParleyError, toParleyError, WIRE_ERROR, type ErrorName } from './errors.ts';
import { renderErrorsMarkdown } from './errors-doc.ts';

describe('error registry', () => {
  it('has unique codes inside their documented ranges', () => {
    const names = Object.keys(ERRORS) as ErrorName[];
    const codes = names.map((name) => ERRORS[name].code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code >= 1000 && code < 8000).toBe(true);
    for (const name of names) expect(errorNameForCode(ERRORS[name].code)).toBe(name);
  });

  it('turns unknown throws into INTERNAL without leaking their message', () => {
    const wrapped = toParleyError(new Error('db password is hunter2'));
    expect(wrapped.errorName).toBe('INTERNAL');
    expect(wrapped.toWire().message).not.toContain('hunter2');
    const own = new ParleyError('RATE_LIMITED', 'slow', { retryAfterMs: 20 });
    expect(toParleyError(own)).toBe(own);
    expect(own.toWire()).toEqual({ code: 4000, name: 'RATE_LIMITED', action: 'retry', message: 'slow', retryAfterMs: 20 });
  });

  it("lets a lower layer's error name its wire error, and keeps INTERNAL for the rest", () => {
    const full = Object.assign(new Error('SQLITE_FULL: database or disk is full'), {
      [WIRE_ERROR]: () => new ParleyError('STORE_FULL', undefined, { cause: full }),
    });
    expect(toParleyError(full).toWire()).toMatchObject({ code: 5002, name: 'STORE_FULL', action: 'retry' });
    expect(toParleyError(full).toWire().message).not.toContain('SQLITE');
    const other = Object.assign(new Error('boom'), { [WIRE_ERROR]: () => undefined });
    expect(toParleyError(other).errorName).toBe('INTERNAL');
  });

  it('docs/errors.md is the generated table (run `npm run docs:errors` after changing the registry)', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderErrorsMarkdown());
  });
});
