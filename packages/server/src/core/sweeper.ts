import type { ServerContext } from './context.ts';

/**
 * One timer for all connections (not one per socket): closes connections that never finished
 * their handshake, pings silent ones, and closes those that stay silent after the ping
 * (half-open sockets whose peer vanished). It reads the timeouts on every pass, so a reload
 * that changes them takes effect at the next pass. Returns a function that stops it.
 */
export function startSweeper(server: ServerContext): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    const { handshake_timeout_ms: handshake, idle_timeout_ms: idle, ping_timeout_ms: pingTimeout } = server.config.limits;
    // A quarter of the shortest timeout keeps each one within 25 % of its setting.
    const period = Math.min(5000, Math.max(50, Math.floor(Math.min(handshake, idle, pingTimeout) / 4)));
    timer = setTimeout(sweep, period);
    timer.unref();
  };
  const sweep = () => {
    const { handshake_timeout_ms: handshake, idle_timeout_ms: idle, ping_timeout_ms: pingTimeout } = server.config.limits;
    const now = Date.now();
    const limits = { handshakeMs: handshake, idleMs: idle, pingTimeoutMs: pingTimeout };
    for (const session of server.sessions) session.checkLiveness(now, limits);
    schedule();
  };
  schedule();
  return () => clearTimeout(timer);
}
