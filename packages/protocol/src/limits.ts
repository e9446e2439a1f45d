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
 * most this many characters (48 KiB of text, 36 KiB of MLS), which a ratchet tree of about 150
 * devices fills (E2E.md: 22 KB for 100). Larger groups need the tree split off (not built).
 */
export const MAX_MLS_TEXT = 48 * 1024;
/** One-time KeyPackages the server keeps per device, besides its one last-resort package. */
export const MAX_KEY_PACKAGES_PER_DEVICE = 100;
/** KeyPackages one KPUPLOAD may carry. */
export const MAX_KEY_PACKAGES_PER_UPLOAD = 50;
/** End-to-end devices one user may have registered. */
export const MAX_E2E_DEVICES_PER_USER = 20;
