import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 fingerprint of the certificate, colon-separated hex, as clients pin it. */
  fingerprint: string;
  generated: boolean;
  certFile: string;
}

/**
 * Loads the configured certificate, or makes a self-signed one in the data dir at first start
 * and reuses it afterwards, so the fingerprint that clients pinned stays valid across restarts.
 */
export async function loadOrCreateCertificate(options: { dataDir: string; certFile: string; keyFile: string }): Promise<TlsMaterial> {
  const certFile = options.certFile || join(options.dataDir, 'tls', 'cert.pem');
  const keyFile = options.keyFile || join(options.dataDir, 'tls', 'key.pem');
  let generated = false;
  if (!options.certFile && !existsSync(certFile)) {
    // Loaded here, not at the top: its x509/asn1 libraries take ~100 ms to evaluate, which
    // every start of the daemon would pay for a certificate made only once.
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: 'parley' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000),
      extensions: [
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
      ],
    });
    await mkdir(dirname(certFile), { recursive: true });
    await writeFile(keyFile, pems.private, { mode: 0o600 });
    await writeFile(certFile, pems.cert);
    generated = true;
  }
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { cert, key, fingerprint: new X509Certificate(cert).fingerprint256, generated, certFile };
}
