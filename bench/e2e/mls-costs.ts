import { createKeyPackage, exportPublicKey, generateDeviceKeyPair, generateIdentityKeyPair, identitySigner, issueDeviceCertificate, MlsGroup, type MlsContext, type MlsDevice } from '@parley/e2e';

/**
 * What a commit costs in a large encrypted group, measured on Parley's MLS module alone (the
 * server's part of a commit is storing and delivering one message of that size, as the dm rows
 * measure): building the group, adding one more device, an empty update commit, another member
 * processing it, and a newcomer joining from its Welcome.
 */
export interface MlsCostResult {
  scenario: 'mls-commit';
  members: number;
  /** One commit adding members-1 devices at once. */
  buildMs: number;
  addCommitMs: number;
  addCommitBytes: number;
  welcomeBytes: number;
  treeBytes: number;
  joinMs: number;
  processAddMs: number;
  updateCommitMs: number;
  updateCommitBytes: number;
  processUpdateMs: number;
  encryptMs: number;
  decryptMs: number;
  ciphertextBytes: number;
  stateBytes: number;
}

const trustAll: MlsContext = { trust: { trustIdentity: () => true } };
const round = (value: number) => Number(value.toFixed(2));

async function device(index: number): Promise<MlsDevice> {
  const identity = await identitySigner(await generateIdentityKeyPair());
  const pair = await generateDeviceKeyPair();
  const certificate = await issueDeviceCertificate(identity, { userId: `a${index}`, deviceId: 'd1', deviceKey: await exportPublicKey(pair.publicKey) });
  return { certificate, privateKey: pair.privateKey };
}

async function timed<T>(step: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await step();
  return { value, ms: performance.now() - started };
}

export async function mlsCosts(members: number): Promise<MlsCostResult> {
  const devices = await Promise.all(Array.from({ length: members + 1 }, (_, i) => device(i)));
  const creator = await MlsGroup.create(devices[0]!, trustAll);
  const packages = await Promise.all(devices.slice(1, members).map((d) => createKeyPackage(d, trustAll)));
  const build = await timed(async () => {
    const out = await creator.commitAdd(packages.map((p) => p.keyPackage));
    await creator.confirmCommit();
    return out;
  });
  // A member other than the creator, joined from the build's Welcome.
  const secondPackage = packages[0]!;
  const second = await MlsGroup.join({ welcome: build.value.welcome!.welcome, ratchetTree: build.value.welcome!.ratchetTree, bundle: secondPackage.bundle }, trustAll);

  const newcomer = await createKeyPackage(devices[members]!, trustAll);
  const add = await timed(() => creator.commitAdd([newcomer.keyPackage]));
  await creator.confirmCommit();
  const processAdd = await timed(() => second.receive(add.value.commit));
  const welcome = add.value.welcome!;
  const join = await timed(() => MlsGroup.join({ welcome: welcome.welcome, ratchetTree: welcome.ratchetTree, bundle: newcomer.bundle }, trustAll));

  const update = await timed(() => second.commitUpdate());
  await second.confirmCommit();
  const processUpdate = await timed(() => creator.receive(update.value.commit));

  const text = new TextEncoder().encode(JSON.stringify({ text: 'x'.repeat(100) }));
  const encrypt = await timed(() => creator.encrypt(text));
  const decrypt = await timed(() => second.receive(encrypt.value));
  return {
    scenario: 'mls-commit',
    members,
    buildMs: round(build.ms),
    addCommitMs: round(add.ms),
    addCommitBytes: add.value.commit.length,
    welcomeBytes: welcome.welcome.length,
    treeBytes: welcome.ratchetTree.length,
    joinMs: round(join.ms),
    processAddMs: round(processAdd.ms),
    updateCommitMs: round(update.ms),
    updateCommitBytes: update.value.commit.length,
    processUpdateMs: round(processUpdate.ms),
    encryptMs: round(encrypt.ms),
    decryptMs: round(decrypt.ms),
    ciphertextBytes: encrypt.value.length,
    stateBytes: creator.save().length,
  };
}
