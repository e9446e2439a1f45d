import { describe, expect, it } from 'vitest';
import { useServerScope, type TextClient } from '../src/index.ts';

/** The text mode reads lines with the protocol's one grammar: MODE flags, current rooms, usages. */
const scope = useServerScope();

async function person(login: string): Promise<TextClient> {
  const client = await scope.text();
  expect(await client.command(login)).toMatch(/^OK welcome/);
  return client;
}

describe('MODE in text mode', () => {
  it('regression: "MODE #r +k" without a password is refused and keeps the password', async () => {
    await scope.start();
    const owner = await person('REGISTER olga correct-horse');
    expect(await owner.command('JOIN #r')).toMatch(/^OK JOIN #r/);
    expect(await owner.command('MODE #r +k sesame')).toMatch(/^OK MODE #r .*password/);
    expect(await owner.command('MODE #r +k')).toMatch(/^ERR 1003 BAD_ARGUMENTS \+k needs the password/);
    const guest = await person('GUEST gus');
    expect(await guest.command('JOIN #r')).toMatch(/^ERR 3009 ROOM_PASSWORD/);
    expect(await guest.command('JOIN #r sesame')).toMatch(/^OK JOIN #r/);
  });

  it('regression: "MODE #r imt" is refused instead of clearing moderated and topic lock', async () => {
    await scope.start();
    const owner = await person('REGISTER olga correct-horse');
    expect(await owner.command('JOIN #r')).toMatch(/^OK JOIN #r/);
    const set = await owner.command('MODE #r +mt');
    expect(await owner.command('MODE #r imt')).toMatch(/^ERR 1003 BAD_ARGUMENTS "imt" is not a mode change/);
    expect(await owner.command('MODE #r')).toBe(set);
    expect(await owner.command('MODE #r +x')).toMatch(/^ERR 1003 BAD_ARGUMENTS Unknown mode "x"/);
  });
});

describe('the current room of a text connection', () => {
  it('is the room it last joined or spoke in, for commands that name no room', async () => {
    await scope.start();
    const me = await person('REGISTER rhea correct-horse');
    expect(await me.command('TOPIC')).toMatch(/^ERR 1003 BAD_ARGUMENTS No current room: name one\. Usage: TOPIC/);
    expect(await me.command('JOIN #one')).toMatch(/^OK JOIN #one/);
    expect(await me.command('JOIN #two')).toMatch(/^OK JOIN #two/);
    expect(await me.command('TOPIC plans for two')).toBe('OK TOPIC #two plans for two');
    expect(await me.command('SAY #one hello one')).toMatch(/^OK SEND #one:1/);
    expect(await me.command('TOPIC plans for one')).toBe('OK TOPIC #one plans for one');
    expect(await me.command('PART')).toBe('OK PART #one');
    expect(await me.command('PART')).toMatch(/^ERR 1003 BAD_ARGUMENTS No current room/);
  });
});
