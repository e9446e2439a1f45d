import { Box, Text } from 'ink';
import { TUI_COMMANDS } from './tui-commands.ts';

export const KEY_HELP: [string, string][] = [
  ['Enter', 'send the line (or run the /command)'],
  ['Alt+1…9, Alt+0', 'go to conversation 1…9, 10'],
  ['Ctrl+N / Ctrl+P', 'next / previous conversation'],
  ['PageUp / PageDown', 'scroll; PageUp at the top loads older messages'],
  ['Up / Down', 'earlier / later input lines'],
  ['Tab', 'complete a name, #room or /command (again: next match)'],
  ['Ctrl+A/E, Ctrl+W/U', 'start/end of line, delete word/line start'],
  ['Ctrl+C', 'quit (like /quit)'],
];

/** Keys and commands, shown over the panes until Esc (or any key). */
export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const commands = Object.entries(TUI_COMMANDS)
    .filter(([name]) => name !== 'help')
    .map(([, c]) => c.usage);
  const lines = [...KEY_HELP.map(([key, what]) => `${key.padEnd(20)} ${what}`), ...commands];
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
