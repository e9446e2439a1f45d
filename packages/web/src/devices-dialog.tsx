/** @jsxImportSource preact */
// Vite bundles the imported stylesheet into the page's CSS; its types declare such imports.
/// <reference types="vite/client" />
import type { DeviceInfo } from '@parley/protocol';
import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import { describeError } from './describe-error.ts';
import { formatStamp } from './format.ts';
import { ErrorLine, Modal } from './modal.tsx';
import { formatAgo } from './relative-time.ts';
import './devices-dialog.css';

/**
 * `/devices`: the devices that stay signed in to an account (yours, or with `name` an
 * operator's look at someone else's), each with a Revoke button. Revoking this device signs
 * this page out; the server closes every connection of a revoked device.
 */
export function DevicesDialog({ store, name, onClose }: { store: ChatStore; name?: string | undefined; onClose: () => void }) {
  const [devices, setDevices] = useState<DeviceInfo[]>();
  const [owner, setOwner] = useState(name ?? store.me);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<number>();

  const load = async () => {
    try {
      const reply = await store.client.request('devices', name === undefined ? {} : { name });
      setOwner(reply.name);
      setDevices(reply.devices);
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  useEffect(() => void load(), [name]);

  const revoke = async (device: DeviceInfo) => {
    setBusy(device.id);
    setError(undefined);
    try {
      await store.client.request('revoke', { device: device.id });
      await load();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(undefined);
    }
  };

  const now = Date.now();
  return (
    <Modal title={name === undefined ? 'Your devices' : `Devices of ${owner}`} onClose={onClose}>
      <p class="modal-text">Devices that stay signed in without the password. Revoke one you no longer use or do not recognise: it is signed out at once.</p>
      <ErrorLine error={error} />
      {!devices && !error && <p class="muted">Loading…</p>}
      {devices?.length === 0 && <p class="muted">No device stays signed in{name === undefined ? '' : ` as ${owner}`}.</p>}
      {devices && devices.length > 0 && (
        <ul class="plain-list device-list" aria-label="Devices">
          {devices.map((device) => (
            <li key={device.id} class="device-row">
              <div class="device-text">
                <div class="device-label">
                  {device.label}
                  {device.current && <span class="device-this"> (this device)</span>}
                </div>
                <div class="device-facts muted">
                  Last used <time dateTime={new Date(device.lastUsed).toISOString()} title={formatStamp(device.lastUsed)}>{formatAgo(device.lastUsed, now)}</time> from {device.lastAddress} · signed in{' '}
                  <time dateTime={new Date(device.created).toISOString()}>{formatStamp(device.created)}</time>
                </div>
              </div>
              <button type="button" class="ghost small danger-text" disabled={busy !== undefined} aria-label={`Revoke ${device.label}${device.current ? ' (this device)' : ''}`} onClick={() => void revoke(device)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="modal-actions">
        <button type="button" class="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
