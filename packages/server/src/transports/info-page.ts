/** The page at `/about` (and at `/` when the web client is not built): what this server is and how to connect. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1d2330}
code,pre{font-family:ui-monospace,monospace;background:#f1f3f7;border-radius:4px}pre{padding:.8rem;overflow-x:auto}
h1{font-size:1.6rem}small{color:#5b6475}`;

export function infoPage(info: { serverName: string; fingerprint: string | undefined; tlsPorts: readonly number[]; wsPath: string; host: string; secure: boolean }): {
  html: string;
  style: string;
} {
  const hostOnly = info.host.replace(/:\d+$/, '');
  const connect = info.tlsPorts.map((port) => `openssl s_client -quiet -connect ${hostOnly}:${port}`).join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(info.serverName)} — Parley</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(info.serverName)}</h1>
<p>This is a <strong>Parley</strong> chat server: rooms, direct messages and history over TLS and WebSocket.</p>
<h2>Connect from a terminal</h2>
<pre>${escapeHtml(connect || '(no TLS listener configured)')}</pre>
<p>Then type <code>REGISTER yourname</code>, <code>JOIN #general</code>, <code>SAY #general hello</code>, or <code>HELP</code>.</p>
${info.fingerprint ? `<p>Certificate SHA-256 fingerprint — check it before you trust this server:<br><code>${escapeHtml(info.fingerprint)}</code></p>` : ''}
<h2>Connect from a program</h2>
<p>WebSocket at <code>${info.secure ? 'wss' : 'ws'}://${escapeHtml(info.host)}${escapeHtml(info.wsPath)}</code> (JSON text frames or MessagePack binary frames; see <code>docs/protocol.md</code>).</p>
<p><small><a href="/healthz">health</a> · <a href="/metrics">metrics</a></small></p>
</body></html>
`;
  return { html, style: STYLE };
}
