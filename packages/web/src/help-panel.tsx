/** @jsxImportSource preact */
import { hasMessage, t } from './i18n/index.ts';
import { Modal } from './modal.tsx';
import { HELP_GROUPS, type HelpEntry } from './slash-commands.ts';

const GROUPS = [
  ['client', 'help.groupClient'],
  ['chat', 'help.groupChat'],
  ['operator', 'help.groupOperator'],
] as const;

/**
 * What /help shows: a dialog listing this client's own commands and the ones every Parley
 * surface shares, by group, each with how it is typed and one line on what it does. The shared
 * list and usages come from @parley/protocol; the one-line summaries are the catalog's, so they
 * are in the reader's language. Escape or Close puts the focus back where /help was typed.
 */
export function HelpPanel({ onClose }: { onClose: () => void }) {
  return (
    <Modal title={t('help.title')} onClose={onClose} wide>
      <div class="help-body">
        {GROUPS.map(([group, heading]) => (
          <section key={group} class="help-group" aria-labelledby={`help-${group}`}>
            <h3 id={`help-${group}`}>{t(heading)}</h3>
            <dl class="help-list">
              {HELP_GROUPS[group].map((entry) => (
                <HelpLine key={entry.word} entry={entry} />
              ))}
            </dl>
          </section>
        ))}
        <section class="help-group" aria-labelledby="help-keys">
          <h3 id="help-keys">{t('help.groupKeys')}</h3>
          <dl class="help-list">
            <dt>
              <kbd>Enter</kbd>
            </dt>
            <dd>{t('help.keySend')}</dd>
            <dt>
              <kbd>{t('key.shift')}</kbd>+<kbd>Enter</kbd>
            </dt>
            <dd>{t('help.keyNewLine')}</dd>
            <dt>
              <kbd>Alt</kbd>+<kbd>↑</kbd> / <kbd>↓</kbd>
            </dt>
            <dd>{t('help.keyConversations')}</dd>
            <dt>
              <kbd>//</kbd>
            </dt>
            <dd>{t('help.keySlash')}</dd>
          </dl>
        </section>
      </div>
      <div class="modal-actions">
        <button type="button" class="primary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}

function HelpLine({ entry }: { entry: HelpEntry }) {
  const key = `help.cmd.${entry.word}`;
  // The catalog's summary says what the grammar's English note says, in the reader's language;
  // a command added to the protocol before the catalog knows it shows its note.
  const summary = hasMessage(key) ? t(key) : (entry.note ?? '');
  return (
    <>
      <dt>
        <code>{entry.usage}</code>
      </dt>
      <dd>{summary}</dd>
    </>
  );
}
