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
