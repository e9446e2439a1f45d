/** @jsxImportSource preact */
import type { BanInfo } from '@parley/protocol';
import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import { describeError } from './describe-error.ts';
import { t, type MessageKey } from './i18n/index.ts';
import { formatBanEnd, formatStamp } from './format.ts';
import { ErrorLine, Modal } from './modal.tsx';
import { withReason } from './describe-notice.ts';

const KIND_LABEL: Record<BanInfo['kind'], MessageKey> = { account: 'bans.kindAccount', ip: 'bans.kindIp', key: 'bans.kindKey' };

/** What UNBAN takes to lift this ban: the same target words a BAN names it with. */
export function unbanTarget(ban: BanInfo): string {
  // Names cannot look like addresses (no dots or colons), so an account's name key is read as one.
  return ban.kind === 'key' ? `key:${ban.target}` : ban.target;
}

/**
 * The bans in force, the server's (operators) or one room's (its moderators), each with who set
 * it, when, why and until when, and a Lift button. Opened by /listbans or the room's Bans button.
 */
export function BansDialog({ store, room, onClose }: { store: ChatStore; room?: string | undefined; onClose: () => void }) {
  const [bans, setBans] = useState<BanInfo[]>();
  const [error, setError] = useState<string>();
  const [lifting, setLifting] = useState<string>();
  const load = () =>
    store.client.request('listbans', room ? { room } : {}).then(
      (reply) => setBans(reply.bans.filter((ban) => (room ? ban.scope !== 'server' : ban.scope === 'server'))),
      (failure: unknown) => setError(describeError(failure)),
    );
  useEffect(() => void load(), [room]);

  const lift = async (ban: BanInfo) => {
    const key = `${ban.kind}:${ban.target}`;
    setLifting(key);
    setError(undefined);
    try {
      await store.client.request('unban', { target: unbanTarget(ban), ...(room ? { room } : {}) });
      const here = store.active ?? store.everyone();
      store.notice(here, t('bans.lifted', { kind: t(KIND_LABEL[ban.kind]), target: ban.target, from: room ?? t('mod.theServer') }));
      await load();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setLifting(undefined);
    }
  };

  const title = room ? t('bans.titleRoom', { room }) : t('bans.titleServer');
  return (
    <Modal title={title} onClose={onClose}>
      <div class="modal-form">
        {bans === undefined && !error && <p class="modal-text">{t('common.loading')}</p>}
        {bans?.length === 0 && <p class="modal-text">{room ? t('bans.noneRoom', { room }) : t('bans.noneServer')}</p>}
        {bans && bans.length > 0 && (
          <ul class="ban-list" aria-label={title}>
            {bans.map((ban) => (
              <li key={`${ban.kind}:${ban.target}`} class="ban-row">
                <div class="ban-what">
                  <strong>{ban.target}</strong> <small class="muted">{t(KIND_LABEL[ban.kind])}</small>
                  <div class="muted">
                    {withReason(t('bans.setBy', { by: ban.by, when: formatStamp(ban.at), until: formatBanEnd(ban.expires) }), ban.reason)}
                  </div>
                </div>
                <button type="button" class="ghost" aria-label={t('bans.liftOf', { target: ban.target })} disabled={lifting !== undefined} onClick={() => void lift(ban)}>
                  {t('bans.lift')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <ErrorLine error={error} />
        <div class="modal-actions">
          <button type="button" class="primary" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
