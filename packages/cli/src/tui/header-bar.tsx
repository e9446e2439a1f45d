import { Box, Text } from 'ink';
import type { Conversation } from './conversations.ts';
import { fit, sanitize } from './text-width.ts';

function title(conv: Conversation | undefined): string {
  if (!conv) return 'no conversation: /join #room';
  if (conv.kind === 'room') return `${conv.label}${conv.gone ? ' (deleted)' : ''}${conv.topic ? ` — ${sanitize(conv.topic)}` : ''}`;
  if (conv.kind === 'dm') return `${conv.label} — direct messages`;
  if (conv.kind === 'all') return 'ALL — messages to everyone online';
  return 'server messages';
}

/** The top row: the conversation's name and topic, and whether the view is scrolled up. */
export function HeaderBar({ conv, width }: { conv: Conversation | undefined; width: number }) {
  const scrolled = conv && conv.scroll > 0 ? ` ↑ scrolled${conv.newBelow ? `, ${conv.newBelow} new below` : ''} (PgDn) ` : '';
  return (
    <Box height={1} width={width}>
      <Text inverse bold wrap="truncate-end">
        {fit(` ${title(conv)}`, width - scrolled.length)}
      </Text>
      {scrolled ? (
        <Text inverse color="yellow">
          {scrolled}
        </Text>
      ) : null}
    </Box>
  );
}
