import { Text } from 'ink';
import type { Row } from './message-rows.ts';

/** One screen row of styled segments, cut (never wrapped) at the box edge. */
export function StyledRow({ row }: { row: Row }) {
  return (
    <Text wrap="truncate-end">
      {row.map((segment, i) => (
        <Text
          key={i}
          {...(segment.color ? { color: segment.color } : {})}
          bold={segment.bold ?? false}
          dimColor={segment.dim ?? false}
          italic={segment.italic ?? false}
          strikethrough={segment.strike ?? false}
          underline={segment.underline ?? false}
        >
          {segment.text}
        </Text>
      ))}
    </Text>
  );
}
