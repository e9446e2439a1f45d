import { Box, Text } from 'ink';
import type { ChatState, E2eStatus } from './conversations.ts';
import { glyphsFor, type Glyphs } from './glyphs.ts';
import { describeConnection, describeTrust, type Connection, type TrustInfo } from './connection-status.ts';
import { fitStatus, type StatusPart } from './status-fit.ts';
import { sanitize, textWidth } from './text-width.ts';

const TONE = { ok: 'green', warn: 'yellow', bad: 'red' } as const;
const GLYPHS = glyphsFor(process.env);

export interface StatusBarProps {
  server: string;
  scheme: string;
  trust: TrustInfo;
  connection: Connection;
  me: string;
  away: ChatState['away'];
  now: number;
  width: number;
  /** End-to-end encryption: said only when something is wrong (a changed identity, no device). */
  e2e?: E2eStatus;
  /** "alice is typing…" in the conversation on screen; empty when nobody is. */
  typing?: string;
  glyphs?: Glyphs;
}

/** The parts about end-to-end encryption: a changed identity stays almost to the end; "e2e off" goes first. */
export function e2eParts(e2e: E2eStatus | undefined, glyphs: Glyphs): (StatusPart & { color: string; bold?: boolean })[] {
  if (!e2e) return [];
  const parts: (StatusPart & { color: string; bold?: boolean })[] = [];
  if (e2e.state === 'failed') parts.push({ text: 'e2e off: DMs refused', shorter: ['e2e off'], keep: 0.5, color: 'yellow' });
  if (e2e.changed.length > 0) {
    const names = e2e.changed.map(sanitize).join(', ');
    parts.push({ text: `${glyphs.warning}identity changed: ${names}`, shorter: [`${glyphs.warning}identity changed`, `${glyphs.warning.trim()} ${names}`], keep: 3.5, color: 'red', bold: true });
  }
  return parts;
}

/**
 * Server, how its certificate was verified, the connection state, who I am and whether I am
 * away. On a narrow terminal the connection state is the last thing to go (status-fit.ts).
 */
export function StatusBar({ server, scheme, trust, connection, me, away, now, width, e2e, typing = '', glyphs = GLYPHS }: StatusBarProps) {
  const link = describeConnection(connection, now);
  const tls = describeTrust(scheme, trust);
  const parts: (StatusPart & { color?: string; bold?: boolean })[] = [
    { text: server, keep: 0 },
    { text: tls.text, shorter: tls.shorter, keep: 1, color: TONE[tls.tone] },
    { text: link.text, keep: 4, color: TONE[link.tone] },
    { text: sanitize(me), keep: 3 },
  ];
  if (away) parts.push({ text: away.message ? `away: ${sanitize(away.message)}` : 'away', shorter: ['away'], keep: 2, color: 'yellow' });
  parts.push(...e2eParts(e2e, glyphs));
  // Who is typing goes before the server's address, after the rest: it is news only while it lasts.
  if (typing) parts.push({ text: sanitize(typing), keep: 0.75, color: 'cyan' });
  const segments = fitStatus(parts, width);
  const used = segments.reduce((sum, segment) => sum + textWidth(segment), 0);
  return (
    <Box height={1} width={width}>
      {segments.map((segment, i) =>
        segment === '' ? null : (
          <Text key={i} inverse bold={parts[i]!.bold === true} {...(parts[i]!.color ? { color: parts[i]!.color } : {})} wrap="truncate-end">
            {segment}
          </Text>
        ),
      )}
      <Text inverse>{' '.repeat(Math.max(0, width - used))}</Text>
    </Box>
  );
}
