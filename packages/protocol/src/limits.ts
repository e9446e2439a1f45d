/** Protocol-level constants shared by server and clients. Tunable limits live in server config. */
export const PROTOCOL_VERSION = 1;
export const DEFAULT_TLS_PORT = 12345;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
export const MAX_NAME_LENGTH = 32;
export const MAX_ROOM_NAME_LENGTH = 48;
export const ALL_TARGET = 'ALL';
export const HISTORY_MAX_PAGE = 200;
/** Device labels ("Chrome on Linux"), in characters. */
export const MAX_DEVICE_LABEL_LENGTH = 64;
/**
 * Device credentials one account keeps. Issuing one more revokes the least recently used, so
 * a client that forgets its token and asks again cannot grow the table without bound.
 */
export const MAX_DEVICES_PER_ACCOUNT = 20;

/** Login keys one account may have (KEYS lists them): enough for every device a person owns. */
export const MAX_KEYS_PER_ACCOUNT = 20;
/** The most direct conversations one `conversations` reply lists (also its default). */
export const CONVERSATIONS_MAX = 200;

/**
 * End-to-end encryption (docs/e2e.md). MLS bytes travel as base64url text; one field holds at
 * most this many characters (48 KiB of text, 36 KiB of MLS), so one frame of the default 64 KiB
 * carries it. A ratchet tree of about 100 devices is longer (38 KB, 51 KiB of text): a commit
 * sends such a tree ahead in ETREEPART parts.
 */
export const MAX_MLS_TEXT = 48 * 1024;
/** The most ETREEPART parts one tree may have: 1.5 MiB of text, a group of some 4000 devices. */
export const MAX_TREE_PARTS = 32;
/** How long a part clients send (characters), and the most an ECOMMIT carries inline (its commit, Welcome and tree together). */
export const TREE_PART_TEXT = 32 * 1024;
export const MAX_INLINE_COMMIT_TEXT = 40 * 1024;
/** One-time KeyPackages the server keeps per device, besides its one last-resort package. */
export const MAX_KEY_PACKAGES_PER_DEVICE = 100;
/** KeyPackages one KPUPLOAD may carry. */
export const MAX_KEY_PACKAGES_PER_UPLOAD = 50;
/** End-to-end devices one user may have registered. */
export const MAX_E2E_DEVICES_PER_USER = 20;

/**
 * Messaging (docs/protocol.md, "Edits, reactions, typing and read state"). A reaction is one
 * emoji, which may be a sequence of several code points (a flag, a family, a skin tone): at most
 * this many bytes of UTF-8.
 */
export const REACTION_MAX_BYTES = 32;
/** Distinct emoji one message may carry, and the names a history entry lists per emoji. */
export const REACTIONS_PER_MESSAGE_MAX = 32;
export const REACTION_NAMES_MAX = 20;
/** A client forgets someone's typing notice this long after the last one (senders repeat it while they type). */
export const TYPING_EXPIRES_MS = 6_000;
/** The most results one `search` returns (also its default). */
export const SEARCH_MAX_RESULTS = 50;
