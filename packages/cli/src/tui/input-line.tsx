import { Box, Text } from 'ink';
import type { LineState } from './line-editor.ts';
import { charWidth, sanitize, textWidth } from './text-width.ts';

/**
 * The prompt and the line being typed, with the cursor as an inverse cell; the view scrolls
 * sideways so the cursor stays visible on a long line.
 */
export function InputLine({ prompt, line, width }: { prompt: string; line: LineState; width: number }) {
  const promptText = `${sanitize(prompt)} `;
  const room = Math.max(4, width - textWidth(promptText) - 1);
  let before = sanitize(line.text.slice(0, line.cursor));
  const chars = [...line.text.slice(line.cursor)];
  const atCursor = sanitize(chars[0] ?? ' ');
  let after = sanitize(chars.slice(1).join(''));
  while (textWidth(before) + charWidth(atCursor) > room) before = [...before].slice(1).join('');
  while (textWidth(before) + charWidth(atCursor) + textWidth(after) > room && after.length > 0) after = [...after].slice(0, -1).join('');
  return (
    <Box height={1} width={width}>
      <Text color="cyan" bold>
        {promptText}
      </Text>
      <Text wrap="truncate-end">
        {before}
        <Text inverse>{atCursor}</Text>
        {after}
      </Text>
    </Box>
  );
}
