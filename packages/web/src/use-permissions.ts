import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import { permissionsOf, type Permissions } from './permissions.ts';

/** The store's Permissions, re-rendering the calling component whenever the roles are read again. */
export function usePermissions(store: ChatStore): Permissions {
  const permissions = permissionsOf(store);
  const [, setVersion] = useState(0);
  useEffect(() => permissions.subscribe(() => setVersion((v) => v + 1)), [permissions]);
  return permissions;
}
