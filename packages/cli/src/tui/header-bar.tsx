import { Box, Text } from 'ink';
import type { Conversation, E2eStatus } from './conversations.ts';
import { glyphsFor, type Glyphs } from './glyphs.ts';
import { pickForm, securityLabel } from './security-label.ts';
import { fit, sanitize, textWidth } from './text-width.ts';

const TONE = { ok: 'green', warn: 'yellow', bad: 'red', dim: undefined } as const;
const GLYPHS = glyphsFor(process.env);

function title(conv: Conversation | undefined): string {
  if (!conv) return 'no conversation: /join #room';
  if (conv.kind === 'room') return `${conv.label}${conv.gone ? ' (deleted)' : ''}${conv.topic ? ` — ${sanitize(conv.topic)}` : ''}`;
  if (conv.kind === 'dm') return `${conv.label} — direct messages`;
  if (conv.kind === 'all') return 'ALL — messages to everyone online';
  return 'server messages';
}

export interface HeaderBarProps {
  conv: Conversation | undefined;
  width: number;
  e2e?: E2eStatus['state'];
  glyphs?: Glyphs;
}

/**
 * The top row: the conversation's name and topic, whether the view is scrolled up, and on the
 * right whether it is end-to-end encrypted (security-label.ts).
 */
export function HeaderBar({ conv, width, e2e = 'off', glyphs = GLYPHS }: HeaderBarProps) {
  const scrolled = conv && conv.scroll > 0 ? ` ↑ scrolled${conv.newBelow ? `, ${conv.newBelow} new below` : ''} (PgDn) ` : '';
  const name = ` ${title(conv)}`;
  const label = securityLabel(conv, { e2e, glyphs });
  const form = label && pickForm(label, { width: width - scrolled.length, titleWidth: textWidth(name) });
  const right = form ? ` ${form} ` : '';
  const tone = label ? TONE[label.tone] : undefined;
  return (
    <Box height={1} width={width}>
      <Text inverse bold wrap="truncate-end">
        {fit(name, Math.max(0, width - scrolled.length - textWidth(right)))}
      </Text>
      {right ? (
        <Text inverse bold={label?.tone === 'bad'} {...(tone ? { color: tone } : { dimColor: true })}>
          {right}
        </Text>
      ) : null}
      {scrolled ? (
        <Text inverse color="yellow">
          {scrolled}
        </Text>
      ) : null}
    </Box>
  );
}
