import { Box } from 'ink';
import type { Row } from './message-rows.ts';
import { StyledRow } from './styled-row.tsx';

/** The visible window of the current conversation, bottom-aligned like a chat log. */
export function MessagePane({ rows, width, height }: { rows: Row[]; width: number; height: number }) {
  return (
    <Box width={width} height={height} flexDirection="column" justifyContent="flex-end" paddingLeft={1} paddingRight={1} overflow="hidden">
      {rows.map((row, i) => (
        <StyledRow key={i} row={row} />
      ))}
    </Box>
  );
}
