import { Box, Text } from 'ink';
import type { ChatState } from './conversations.ts';
import { describeConnection, describeTrust, type Connection, type TrustInfo } from './connection-status.ts';
import { fitStatus, type StatusPart } from './status-fit.ts';
import { sanitize, textWidth } from './text-width.ts';

const TONE = { ok: 'green', warn: 'yellow', bad: 'red' } as const;

export interface StatusBarProps {
  server: string;
  scheme: string;
  trust: TrustInfo;
  connection: Connection;
  me: string;
  away: ChatState['away'];
  now: number;
  width: number;
}

/**
 * Server, how its certificate was verified, the connection state, who I am and whether I am
 * away. On a narrow terminal the connection state is the last thing to go (status-fit.ts).
 */
export function StatusBar({ server, scheme, trust, connection, me, away, now, width }: StatusBarProps) {
  const link = describeConnection(connection, now);
  const tls = describeTrust(scheme, trust);
  const parts: (StatusPart & { color?: string })[] = [
    { text: server, keep: 0 },
    { text: tls.text, shorter: tls.shorter, keep: 1, color: TONE[tls.tone] },
    { text: link.text, keep: 4, color: TONE[link.tone] },
    { text: sanitize(me), keep: 3 },
  ];
  if (away) parts.push({ text: away.message ? `away: ${sanitize(away.message)}` : 'away', shorter: ['away'], keep: 2, color: 'yellow' });
  const segments = fitStatus(parts, width);
  const used = segments.reduce((sum, segment) => sum + textWidth(segment), 0);
  return (
    <Box height={1} width={width}>
      {segments.map((segment, i) =>
        segment === '' ? null : (
          <Text key={i} inverse {...(parts[i]!.color ? { color: parts[i]!.color } : {})} wrap="truncate-end">
            {segment}
          </Text>
        ),
      )}
      <Text inverse>{' '.repeat(Math.max(0, width - used))}</Text>
    </Box>
  );
}
