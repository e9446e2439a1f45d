import { Box, Text } from 'ink';
import type { ChatState } from './conversations.ts';
import { fit, sanitize, textWidth, truncate } from './text-width.ts';

/** Rooms, then direct-message partners, numbered for Alt+number, with unread counts. */
export function ConversationList({ state, width, height }: { state: ChatState; width: number; height: number }) {
  const inner = width - 1;
  // More conversations than rows: scroll the list so the current one stays in view.
  const active = state.active ? state.order.indexOf(state.active) : 0;
  const start = Math.max(0, Math.min(active - height + 1, state.order.length - height));
  const items = state.order.slice(start, start + height);
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="single" borderTop={false} borderBottom={false} borderLeft={false} borderDimColor>
      {items.map((key, shown) => {
        const i = start + shown;
        const conv = state.convs[key]!;
        const active = key === state.active;
        const count = conv.unread > 0 ? ` ${conv.unread > 999 ? '999+' : conv.unread}` : '';
        const number = i < 10 ? `${(i + 1) % 10}` : ' ';
        const name = conv.kind === 'dm' ? `@${sanitize(conv.label)}` : conv.kind === 'status' ? '*server' : sanitize(conv.label);
        const label = truncate(`${number} ${name}`, Math.max(1, inner - textWidth(count)));
        return (
          <Text key={key} wrap="truncate-end" inverse={active} dimColor={conv.gone} bold={active}>
            {fit(label, inner - textWidth(count))}
            <Text color={conv.mentioned ? 'magentaBright' : 'yellow'} bold>
              {count}
            </Text>
          </Text>
        );
      })}
    </Box>
  );
}
