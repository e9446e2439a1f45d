import { Box, Text } from 'ink';
import { describeConnection, describeTrust, type Connection, type TrustInfo } from './connection-status.ts';
import { sanitize, textWidth, truncate } from './text-width.ts';

const TONE = { ok: 'green', warn: 'yellow', bad: 'red' } as const;

export interface StatusBarProps {
  server: string;
  scheme: string;
  trust: TrustInfo;
  connection: Connection;
  me: string;
  now: number;
  width: number;
}

/** Server, how its certificate was verified, the connection state and who I am. */
export function StatusBar({ server, scheme, trust, connection, me, now, width }: StatusBarProps) {
  const link = describeConnection(connection, now);
  const tls = describeTrust(scheme, trust);
  const parts = [
    { text: ` ${server} ` },
    { text: ` ${tls.text} `, color: TONE[tls.tone] },
    { text: ` ${link.text} `, color: TONE[link.tone] },
    { text: ` ${sanitize(me)} ` },
  ];
  let room = width;
  return (
    <Box height={1} width={width}>
      {parts.map((part, i) => {
        const text = truncate((i > 0 ? '│' : '') + part.text, Math.max(0, room));
        room -= textWidth(text);
        return (
          <Text key={i} inverse {...(part.color ? { color: part.color } : {})} wrap="truncate-end">
            {text}
          </Text>
        );
      })}
      <Text inverse>{' '.repeat(Math.max(0, room))}</Text>
    </Box>
  );
}
