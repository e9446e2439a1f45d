import { parseMarkdown } from '@parley/client';
import { isValidElement, type ComponentChildren, type VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { renderBlocks } from './message-text.tsx';

/**
 * The elements a message becomes, written out as markup with every text escaped: an element in
 * the output is one the renderer made, never one from the message.
 */
function markup(children: ComponentChildren): string {
  if (children === null || children === undefined || typeof children === 'boolean') return '';
  if (typeof children === 'string' || typeof children === 'number') return String(children).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (Array.isArray(children)) return children.map(markup).join('');
  if (!isValidElement(children)) throw new Error(`not a vnode: ${JSON.stringify(children)}`);
  const node = children as VNode<Record<string, unknown>>;
  if (typeof node.type !== 'string') throw new Error('only elements are expected');
  const { children: inner, ...props } = node.props;
  const attributes = Object.entries(props)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${String(value).replace(/"/g, '&quot;')}"`)
    .join('');
  return `<${node.type}${attributes}>${markup(inner as ComponentChildren)}</${node.type}>`;
}
const render = (text: string) => markup(renderBlocks(parseMarkdown(text)));
const LINK = 'target="_blank" rel="noopener noreferrer nofollow"';

describe('message text on the page', () => {
  it('draws one paragraph without a <p>, so the text flows as before', () => {
    expect(render('**bold** *it* ~~gone~~ `a<b>`')).toBe('<strong>bold</strong> <em>it</em> <s>gone</s> <code class="md-code">a&lt;b&gt;</code>');
  });

  it('draws blocks: paragraphs, <blockquote> and <pre><code>', () => {
    expect(render('see\n> **quoted**\n```js\nx < 1\n```')).toBe(
      '<p class="md-p">see</p><blockquote class="md-quote"><p class="md-p"><strong>quoted</strong></p></blockquote><pre class="md-pre"><code data-lang="js">x &lt; 1</code></pre>',
    );
  });

  it('opens links in a new tab without opener or referrer, the real target in the title', () => {
    expect(render('[docs](https://example.com/a) and https://e.x')).toBe(
      `<a href="https://example.com/a" title="https://example.com/a" ${LINK}>docs</a> and <a href="https://e.x/" title="https://e.x/" ${LINK}>https://e.x</a>`,
    );
    expect(render('[bank](https://pаypal.com)')).toContain('title="https://xn--pypal-4ve.com/"');
  });

  it('keeps HTML and unsafe links as the text they are', () => {
    for (const text of ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '[x](javascript:alert(1))', '[x](data:text/html,<b>hi</b>)', '[x](vbscript:msgbox)'])
      expect(render(text), text).toBe(text.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });
});
