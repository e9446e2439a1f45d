/** @jsxImportSource preact */
import { parseMarkdown, type MdBlock, type MdInline } from '@parley/client';
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import './message-text.css';

/**
 * A message's text with its Markdown subset (docs/web.md, "Formatting") drawn as elements.
 * What the sender wrote reaches the page only as text nodes and as `href`s that passed
 * `safeHref` (http, https, mailto): no HTML is ever parsed from a message.
 */
export function MessageText({ text }: { text: string }) {
  // Each message keeps its parse: the list re-renders on every change of the conversation.
  const blocks = useMemo(() => parseMarkdown(text), [text]);
  return <>{renderBlocks(blocks)}</>;
}

/**
 * A message of one paragraph (nearly all of them) is drawn without a `<p>`: its text flows in
 * `.msg-text` as it always did, and an action still reads as one sentence ("* alice waves").
 */
export function renderBlocks(blocks: readonly MdBlock[]): ComponentChildren {
  const [only] = blocks;
  if (blocks.length === 1 && only?.type === 'paragraph') return only.children.map(renderInline);
  return blocks.map(renderBlock);
}

function renderBlock(block: MdBlock, key: number): ComponentChildren {
  switch (block.type) {
    case 'paragraph':
      return (
        <p key={key} class="md-p">
          {block.children.map(renderInline)}
        </p>
      );
    case 'quote':
      return (
        <blockquote key={key} class="md-quote">
          {block.children.map(renderBlock)}
        </blockquote>
      );
    case 'codeBlock':
      return (
        <pre key={key} class="md-pre">
          <code data-lang={block.lang}>{block.text}</code>
        </pre>
      );
  }
}

function renderInline(node: MdInline, key: number): ComponentChildren {
  switch (node.type) {
    case 'text':
      return node.text;
    case 'strong':
      return <strong key={key}>{node.children.map(renderInline)}</strong>;
    case 'em':
      return <em key={key}>{node.children.map(renderInline)}</em>;
    case 'strike':
      return <s key={key}>{node.children.map(renderInline)}</s>;
    case 'code':
      return (
        <code key={key} class="md-code">
          {node.text}
        </code>
      );
    case 'link':
      // The title shows where it goes (normalised: a look-alike host reads as punycode); the
      // new tab gets no window.opener and no Referer, and search engines no endorsement.
      return (
        <a key={key} href={node.href} title={node.href} target="_blank" rel="noopener noreferrer nofollow">
          {node.children.map(renderInline)}
        </a>
      );
  }
}
