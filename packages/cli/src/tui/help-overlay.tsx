import { Box, Text } from 'ink';
import { helpLines } from './help-lines.ts';

/** Keys and commands, shown over the panes until Esc (or any key). */
export function HelpOverlay({ width, height }: { width: number; height: number }) {
  // Inside the border (2 rows, 2 columns), padding (2 columns) and the title row.
  const lines = helpLines(Math.max(20, width - 4), Math.max(0, height - 3));
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} overflow="hidden">
      <Text bold color="cyan" wrap="truncate-end">
        Parley help — Esc closes; other text goes to the current conversation
      </Text>
      {lines.slice(0, Math.max(0, height - 3)).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}
