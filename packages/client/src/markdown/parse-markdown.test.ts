import { describe, expect, it } from 'vitest';
import type { MdBlock, MdInline } from './markdown-ast.ts';
import { parseMarkdown } from './parse-markdown.ts';

const t = (text: string): MdInline => ({ type: 'text', text });
const p = (...children: MdInline[]): MdBlock => ({ type: 'paragraph', children });
/** The inline content of a one-paragraph message. */
const inline = (text: string): MdInline[] => {
  const blocks = parseMarkdown(text);
  expect(blocks).toHaveLength(1);
  const [only] = blocks;
  if (only?.type !== 'paragraph') throw new Error(`not one paragraph: ${JSON.stringify(blocks)}`);
  return only.children;
};
const link = (href: string, ...children: MdInline[]): MdInline => ({ type: 'link', href, children });

describe('parseMarkdown: emphasis', () => {
  it('reads bold, italic and strike with either character', () => {
    expect(inline('**bold** *it* _it_ __bold__ ~~gone~~')).toEqual([
      { type: 'strong', children: [t('bold')] },
      t(' '),
      { type: 'em', children: [t('it')] },
      t(' '),
      { type: 'em', children: [t('it')] },
      t(' '),
      { type: 'strong', children: [t('bold')] },
      t(' '),
      { type: 'strike', children: [t('gone')] },
    ]);
  });

  it('nests', () => {
    expect(inline('*a **b** c*')).toEqual([{ type: 'em', children: [t('a '), { type: 'strong', children: [t('b')] }, t(' c')] }]);
    expect(inline('***both***')).toEqual([{ type: 'em', children: [{ type: 'strong', children: [t('both')] }] }]);
    expect(inline('~~**struck bold**~~')).toEqual([{ type: 'strike', children: [{ type: 'strong', children: [t('struck bold')] }] }]);
    expect(inline('**bold _and it_**')).toEqual([{ type: 'strong', children: [t('bold '), { type: 'em', children: [t('and it')] }] }]);
  });

  it('leaves markers inside words alone: snake_case_names, 2*3*4, file__name__x', () => {
    for (const text of ['snake_case_names', '2*3*4', 'file__name__x', 'a**b**c', 'x~~y~~z']) expect(inline(text)).toEqual([t(text)]);
    expect(inline('call my_func_name() now')).toEqual([t('call my_func_name() now')]);
    // At a word's edge they still work, and punctuation beside them is no word.
    expect(inline('(*aside*), "_quoted_".')).toEqual([t('('), { type: 'em', children: [t('aside')] }, t('), "'), { type: 'em', children: [t('quoted')] }, t('".')]);
  });

  it('leaves unclosed and unmatched markers as text', () => {
    for (const text of ['**unclosed', 'a * b * c', '*', '**', '~~', '_ x _', 'tilde ~5 min', '~~~three~~~', 'end**', '~~one~'])
      expect(inline(text), text).toEqual([t(text)]);
    // What does not pair stays, as in CommonMark.
    expect(inline('**bold*')).toEqual([t('*'), { type: 'em', children: [t('bold')] }]);
    expect(inline('*it**')).toEqual([{ type: 'em', children: [t('it')] }, t('*')]);
    expect(inline('***x*')).toEqual([t('**'), { type: 'em', children: [t('x')] }]);
  });

  it('does not cross different markers: the inner opener is dropped', () => {
    expect(inline('*a _b* c_')).toEqual([{ type: 'em', children: [t('a _b')] }, t(' c_')]);
  });

  it('spans lines within a paragraph and keeps the line breaks', () => {
    expect(inline('*one\ntwo*')).toEqual([{ type: 'em', children: [t('one\ntwo')] }]);
  });

  it('takes backslash escapes as literal characters', () => {
    expect(inline('\\*not\\* \\_this\\_ \\`no code\\` a\\b')).toEqual([t('*not* _this_ `no code` a\\b')]);
    expect(inline('\\[x](https://example.com)')).toEqual([t('[x]('), link('https://example.com/', t('https://example.com')), t(')')]);
  });
});

describe('parseMarkdown: code', () => {
  it('reads inline code with nothing formatted inside', () => {
    expect(inline('run `rm -rf *foo* _bar_ [x](https://e.x) https://e.x` now')).toEqual([
      t('run '),
      { type: 'code', text: 'rm -rf *foo* _bar_ [x](https://e.x) https://e.x' },
      t(' now'),
    ]);
  });

  it('matches backtick runs of the same length and strips one space of padding', () => {
    expect(inline('`` a ` b ``')).toEqual([{ type: 'code', text: 'a ` b' }]);
    expect(inline('` `` `')).toEqual([{ type: 'code', text: '``' }]);
    expect(inline('`unclosed and ``not this')).toEqual([t('`unclosed and ``not this')]);
    expect(inline('a `\\` b')).toEqual([t('a '), { type: 'code', text: '\\' }, t(' b')]);
  });

  it('lets code take precedence over emphasis that would span it', () => {
    expect(inline('*a `*` b*')).toEqual([{ type: 'em', children: [t('a '), { type: 'code', text: '*' }, t(' b')] }]);
    expect(inline('**`code`**')).toEqual([{ type: 'strong', children: [{ type: 'code', text: 'code' }] }]);
  });

  it('reads fenced code blocks, with or without a language, markers and HTML untouched', () => {
    expect(parseMarkdown('before\n```ts\nconst *a* = `<b>`;\n> not a quote\n```\nafter')).toEqual([
      p(t('before')),
      { type: 'codeBlock', lang: 'ts', text: 'const *a* = `<b>`;\n> not a quote' },
      p(t('after')),
    ]);
    expect(parseMarkdown('```\nplain\n```')).toEqual([{ type: 'codeBlock', text: 'plain' }]);
    expect(parseMarkdown('````\n```\ninner\n```\n````')).toEqual([{ type: 'codeBlock', text: '```\ninner\n```' }]);
    // An info string that is no simple word names no language.
    expect(parseMarkdown('```<script>\nx\n```')).toEqual([{ type: 'codeBlock', text: 'x' }]);
  });

  it('keeps an unclosed fence as text', () => {
    expect(parseMarkdown('```js\nlet a = *1*')).toEqual([p(t('```js\nlet a = '), { type: 'em', children: [t('1')] })]);
  });
});

describe('parseMarkdown: quotes and paragraphs', () => {
  it('groups "> " lines into a quote with blocks inside, up to five levels', () => {
    expect(parseMarkdown('> said **this**\n> and that\nreply')).toEqual([
      { type: 'quote', children: [p(t('said '), { type: 'strong', children: [t('this')] }, t('\nand that'))] },
      p(t('reply')),
    ]);
    expect(parseMarkdown('> > nested\n> outer')).toEqual([{ type: 'quote', children: [{ type: 'quote', children: [p(t('nested'))] }, p(t('outer'))] }]);
    expect(parseMarkdown('> ```\n> code\n> ```')).toEqual([{ type: 'quote', children: [{ type: 'codeBlock', text: 'code' }] }]);
    const deep = parseMarkdown('> > > > > > six');
    let level: MdBlock | undefined = deep[0];
    for (let depth = 0; depth < 5; depth++) level = level?.type === 'quote' ? level.children[0] : undefined;
    expect(level).toEqual(p(t('> six')));
  });

  it('does not read faces or ">text" as quotes', () => {
    for (const text of ['>_<', '>.<', '>not a quote', '->x']) expect(parseMarkdown(text)).toEqual([p(t(text))]);
    expect(parseMarkdown('>')).toEqual([{ type: 'quote', children: [] }]);
  });

  it('reads no other Markdown: headings, lists, HTML, images stay as typed', () => {
    const text = '# not a title\n1. one\n- two\n<b>bold?</b> ![img](https://e.x/i.png)';
    const [block] = parseMarkdown(text);
    expect(block?.type).toBe('paragraph');
    const flat = JSON.stringify(block);
    expect(flat).toContain('# not a title\\n1. one\\n- two\\n<b>bold?</b> !');
    expect(flat).toContain('"type":"link","href":"https://e.x/i.png"');
  });

  it('drops blank lines at the edges of blocks, keeps them inside a paragraph', () => {
    expect(parseMarkdown('\n\nhello\n\nworld\n\n```\nc\n```\n\n')).toEqual([p(t('hello\n\nworld')), { type: 'codeBlock', text: 'c' }]);
    expect(parseMarkdown('')).toEqual([]);
    expect(parseMarkdown('a\r\nb\rc')).toEqual([p(t('a\nb\nc'))]);
  });
});

describe('parseMarkdown: links', () => {
  it('links bare http(s) URLs, without the punctuation that ends a sentence', () => {
    expect(inline('see https://example.com/a?b=1.')).toEqual([t('see '), link('https://example.com/a?b=1', t('https://example.com/a?b=1')), t('.')]);
    expect(inline('(https://en.wikipedia.org/wiki/Foo_(bar))')).toEqual([t('('), link('https://en.wikipedia.org/wiki/Foo_(bar)', t('https://en.wikipedia.org/wiki/Foo_(bar)')), t(')')]);
    expect(inline('HTTP://EXAMPLE.COM/x')).toEqual([link('http://example.com/x', t('HTTP://EXAMPLE.COM/x'))]);
    // Underscores and stars in a URL are the URL's.
    expect(inline('_https://e.x/a_b_c_')).toEqual([{ type: 'em', children: [link('https://e.x/a_b_c', t('https://e.x/a_b_c'))] }]);
  });

  it('links [text](url) with formatting in the text and balanced parentheses in the target', () => {
    expect(inline('[the **docs**](https://e.x/docs_(v2)) here')).toEqual([link('https://e.x/docs_(v2)', t('the '), { type: 'strong', children: [t('docs')] }), t(' here')]);
    expect(inline('[mail me](mailto:a@example.com)')).toEqual([link('mailto:a@example.com', t('mail me'))]);
    expect(inline('[](https://e.x/)')).toEqual([link('https://e.x/', t('https://e.x/'))]);
    // A link holds no link: the bare URL in its text is text.
    expect(inline('[https://a.example](https://b.example)')).toEqual([link('https://b.example/', t('https://a.example'))]);
  });

  it('shows the real target: a look-alike host is punycode', () => {
    expect(inline('[bank](https://pаypal.com/)')).toEqual([link('https://xn--pypal-4ve.com/', t('bank'))]);
  });

  it('keeps every other scheme, and anything that is no absolute URL, as plain text', () => {
    for (const text of [
      '[x](javascript:alert(1))',
      '[x](JavaScript:alert(1))',
      '[x](data:text/html,<script>alert(1)</script>)',
      '[x](vbscript:msgbox(1))',
      '[x](file:///etc/passwd)',
      '[x](/relative)',
      '[x](//evil.example)',
      '[x](https://)',
      '[x](mailto:)',
      'javascript:alert(1)',
      'data:text/html,hi',
      'xhttps://e.x',
      '<img src=x onerror=alert(1)>',
      '<script>alert(1)</script>',
    ]) {
      const nodes = parseMarkdown(text);
      expect(JSON.stringify(nodes), text).not.toContain('"link"');
    }
    expect(inline('[x](javascript:alert(1))')).toEqual([t('[x](javascript:alert(1))')]);
    // URL() reads "\\" as "/" in http(s), so the link would go elsewhere than it reads (here "\\@" is also an escape): only what is before it links.
    expect(inline('[x](https://a.example\\@b.example)')).toEqual([t('[x]('), link('https://a.example/', t('https://a.example')), t('@b.example)')]);
  });
});
