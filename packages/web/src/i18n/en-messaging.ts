/**
 * The English text of message actions (edit, delete, reply, reactions), typing and unread
 * markers, spread into the catalog in en.ts as the e2e text is (en-e2e.ts).
 */
export const enMessaging = {
  'msg.actions': 'Actions for the message from {name}',
  'msg.reply': 'Reply',
  'msg.react': 'Add reaction',
  'msg.edit': 'Edit',
  'msg.delete': 'Delete',
  'msg.edited': '(edited)',
  'msg.editedAt': 'Edited {when}',
  'msg.deleted': 'message deleted',
  'msg.editLabel': 'Edit message',
  'msg.editHint': 'Enter saves, Esc cancels',
  'msg.deleteTitle': 'Delete message?',
  'msg.deleteText': 'The message from {name} is deleted for everyone: “{snippet}”',
  'msg.deleteConfirm': 'Delete',
  'msg.quote': 'Reply to {name}: {snippet}. Show the original',
  'msg.notLoaded': 'The message this replies to is not loaded.',
  'msg.reaction': '{emoji} {count}: {names}',
  'msg.reactionOther': 'Other emoji',
  'msg.reactionAdd': 'Add',
  'msg.reactionPicker': 'Reactions',
  'composer.replying': 'Replying to {name}: {snippet}',
  'composer.replyCancel': 'Cancel reply',
  'typing.one': '{a} is typing…',
  'typing.two': '{a} and {b} are typing…',
  'typing.many': '{a}, {b} and others are typing…',
  'log.newMessages': 'New messages',
} as const;
