import { splitServer } from '@parley/protocol';
import { Box, Text } from 'ink';
import type { Conversation, Member } from './conversations.ts';
import { nameColor } from './name-color.ts';
import { sanitize, truncate } from './text-width.ts';

const MARK: Record<Member['status'], { mark: string; color: string }> = {
  online: { mark: '●', color: 'green' },
  away: { mark: '◐', color: 'yellow' },
  offline: { mark: '○', color: 'gray' },
};

/** Room roles (and a mute, for moderators) after the name, short: the list is narrow. */
const ROLE_TAG: Record<NonNullable<Member['role']>, string> = { owner: ' owner', moderator: ' mod' };

/** Who is in the current room, online first, with a presence mark (from `who`, kept current by events). */
export function MemberList({ conv, width, height }: { conv: Conversation | undefined; width: number; height: number }) {
  const inner = width - 1;
  const members = conv?.kind === 'room' ? conv.members : [];
  const fits = members.length > height - 1 ? height - 2 : height - 1;
  const more = members.length - Math.max(0, fits);
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="single" borderTop={false} borderBottom={false} borderRight={false} borderDimColor>
      <Text bold wrap="truncate-end">
        {truncate(conv?.kind === 'room' ? ` Members (${members.length})` : conv?.kind === 'dm' ? ' Direct' : ' ', inner)}
      </Text>
      {members.slice(0, Math.max(0, fits)).map((member) => {
        const role = `${member.role ? ROLE_TAG[member.role] : ''}${member.muted ? ' muted' : ''}`;
        return (
          <Text key={member.name} wrap="truncate-end" dimColor={member.status === 'offline'}>
            <Text color={MARK[member.status].color}> {MARK[member.status].mark} </Text>
            <MemberName name={member.name} width={inner - 3 - role.length} />
            {role ? <Text dimColor>{role}</Text> : null}
          </Text>
        );
      })}
      {more > 0 ? <Text dimColor> +{more} more</Text> : null}
    </Box>
  );
}

/** Someone of another server (`bob@b.example`) with the server part dimmed, cut to `width` cells. */
function MemberName({ name, width }: { name: string; width: number }) {
  const shown = truncate(sanitize(name), width);
  const { local, server } = splitServer(name);
  const at = server === undefined ? -1 : sanitize(local).length;
  if (at < 0 || at >= shown.length) return <Text color={nameColor(name)}>{shown}</Text>;
  return (
    <Text>
      <Text color={nameColor(name)}>{shown.slice(0, at)}</Text>
      <Text dimColor>{shown.slice(at)}</Text>
    </Text>
  );
}
