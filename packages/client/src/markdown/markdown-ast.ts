/**
 * The Markdown subset messages are shown with (docs/protocol.md, "Formatting"). A message's
 * text is plain text on the wire; clients parse it into this tree and draw it with their own
 * elements or terminal attributes. The tree holds text and checked link targets only, never
 * markup: nothing a sender writes is ever read as HTML.
 */
export type MdBlock =
  | { type: 'paragraph'; children: MdInline[] }
  | { type: 'quote'; children: MdBlock[] }
  /** `lang` only when the fence names one in letters, digits and `+#.-_` (at most 32). */
  | { type: 'codeBlock'; text: string; lang?: string };

export type MdEmphasis = 'strong' | 'em' | 'strike';

export type MdInline =
  /** May hold line breaks (`\n`): a paragraph keeps the lines it was written in. */
  | { type: 'text'; text: string }
  | { type: MdEmphasis; children: MdInline[] }
  | { type: 'code'; text: string }
  /** `href` passed `safeHref` (http, https or mailto, normalised by `URL`): show it to the reader, it is where the link goes. */
  | { type: 'link'; href: string; children: MdInline[] };
