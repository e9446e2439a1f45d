/** @jsxImportSource preact */
import { splitServer } from '@parley/protocol';
import './federated-name.css';

/**
 * A name as federation writes it (docs/federation.md, "Names"): `bob@b.example` for someone of
 * another server, `#dev@b.example` for a room homed there. The server part is drawn secondary;
 * the text is still the whole name, so copying it, finding it in the page and screen readers
 * get it as it is typed. Names of this server's own people and rooms have no `@` and are drawn as they are.
 */
export function FederatedName({ name }: { name: string }) {
  const { local, server } = splitServer(name);
  if (server === undefined) return <>{name}</>;
  return (
    <>
      {local}
      <span class="fed-server">@{server}</span>
    </>
  );
}

/** The server a federated name lives on (`b.example` of `#dev@b.example`); undefined for this server's own. */
export const serverOf = (name: string): string | undefined => splitServer(name).server;
