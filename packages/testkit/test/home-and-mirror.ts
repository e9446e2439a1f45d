import { waitFor, type SpawnedServer } from '../src/index.ts';
import { address, health, reaches, type FederationTestbed } from './federation-kit.ts';

/**
 * For the client tests of federation (federation-clients-*.test.ts): two real `parley serve`
 * processes, `a.test` homing the room and `b.test` where the client under test signs in, so
 * the client sees the room as `#dev@a.test` and its people as `alice@a.test`. The home can be
 * killed (-9) and started again on its data and federation port, which is how a send becomes
 * pending and then commits.
 */
export interface HomeAndMirror {
  /** The room's home; a new process after `restartHome`. */
  home: SpawnedServer;
  /** Where the clients under test sign in. */
  mirror: SpawnedServer;
  /** kill -9 of the home; resolves once the mirror has seen the link go (a send is then pending at once). */
  killHome(): Promise<void>;
  /** The home again, on the same data and federation port; resolves once the mirror reaches it. */
  restartHome(): Promise<SpawnedServer>;
}

/** A killed link is seen at once (the socket closes), but a loaded machine may take its time. */
const LINK_BUDGET_MS = 45_000;

export async function homeAndMirror(bed: FederationTestbed): Promise<HomeAndMirror> {
  const dir = bed.dataDir();
  const home = await bed.server('a.test', { dir });
  const fedPort = home.fedPort!;
  const mirror = await bed.server('b.test', { peers: [address(home)] });
  await reaches(mirror, 'a.test', LINK_BUDGET_MS);
  await reaches(home, 'b.test', LINK_BUDGET_MS);
  const pair: HomeAndMirror = {
    home,
    mirror,
    async killHome() {
      await bed.kill(pair.home);
      await waitFor(async () => !(await health(mirror)).federation.peers.some((p) => p.name === 'a.test' && p.linked), 'b.test to see the link to a.test go', LINK_BUDGET_MS);
    },
    async restartHome() {
      pair.home = await bed.server('a.test', { dir, listen: `127.0.0.1:${fedPort}` });
      await reaches(mirror, 'a.test', LINK_BUDGET_MS);
      return pair.home;
    },
  };
  return pair;
}
