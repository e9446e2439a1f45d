import { describe, expect, it } from 'vitest';
import { plaintextWarnings } from './plaintext-warning.ts';

describe('plaintextWarnings', () => {
  it('warns about plaintext listeners reachable from other machines only', () => {
    const warnings = plaintextWarnings({
      tcp: [
        { host: '127.0.0.1', port: 1, tls: false },
        { host: '0.0.0.0', port: 2, tls: false },
        { host: '0.0.0.0', port: 3, tls: true },
      ],
      http: [
        { host: '::1', port: 4, tls: false },
        { host: '::', port: 5, tls: false },
        { host: '192.0.2.7', port: 6, tls: true },
        { host: 'localhost', port: 7, tls: false },
      ],
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^plaintext TCP on 0\.0\.0\.0:2:/);
    expect(warnings[1]).toMatch(/^plain HTTP on \[::\]:5: .*"https:\/\/\[::\]:5"/);
  });
});
