import { ERRORS, type ErrorName } from './errors.ts';

const ACTIONS = {
  retry: 'retry later (same request, or reconnect and resume)',
  fix: 'change the request; retrying it unchanged fails again',
  stop: 'the server is closing the connection; do not retry blindly',
} as const;

/** docs/errors.md is generated from the registry so the two cannot drift (a test compares them). */
export function renderErrorsMarkdown(): string {
  const rows = (Object.keys(ERRORS) as ErrorName[]).map((name) => {
    const spec = ERRORS[name];
    return `| ${spec.code} | \`${name}\` | ${spec.action} | ${spec.description.replace(/\|/g, '\\|')} |`;
  });
  return `# Error codes

<!-- Generated from packages/protocol/src/errors.ts by \`npm run docs:errors\`; do not edit by hand. -->

Every failure on every transport and mode carries one of these codes. Codes are stable: they are
never renumbered or reused, so clients may switch on them (never on the message text).

- Structured frames: \`{"re": <id>, "ok": false, "error": {"code": 3001, "name": "NO_SUCH_ROOM",
  "action": "fix", "message": "…", "retryAfterMs"?: 1500}}\`; errors not tied to a request (for
  example the reason for a disconnect) come as the event \`{"ev": "error", "error": {…}}\`.
- Text line mode: one line \`ERR <code> <NAME> <message>\`, e.g. \`ERR 3001 NO_SUCH_ROOM No room #x\`.
- WebSocket close frames of a disconnect carry \`<code> <NAME>\` as the close reason.

Ranges: 1xxx framing and protocol, 2xxx identity, 3xxx chat, 4xxx limits, 5xxx server, 6xxx end-to-end encryption (see e2e.md), 7xxx federation (see federation.md).

What the \`action\` column tells a client:

${Object.entries(ACTIONS)
  .map(([action, meaning]) => `- \`${action}\`: ${meaning}.`)
  .join('\n')}

| code | name | action | meaning |
|---:|---|---|---|
${rows.join('\n')}

Unexpected server failures are reported as \`INTERNAL\` (5000), a full disk as \`STORE_FULL\` (5002) and
other storage failures as \`STORE_UNAVAILABLE\` (5003); the details go to the server log only.
`;
}
