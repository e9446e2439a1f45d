export { splitWords, type CommandWords } from './words.ts';
export { parseDuration, formatDuration, isDurationWord, MAX_DURATION_SECONDS } from './durations.ts';
export { parseModeFlags, formatModeFlags, MODE_USAGE, type ModeChanges } from './mode-flags.ts';
export { serverRank, roomRank, serverRoleAtLeast, roomRoleAtLeast, higherServerRole } from './roles.ts';
export type { CommandLine, LineContext, LineForm } from './line-form.ts';
export { PARLEY_LINES, CLIENT_HELP } from './parley-lines.ts';
export { DIALECT_ALIASES, DIALECT_NAMES, type Dialect, type DialectAlias } from './dialects.ts';
export { parseCommandLine, classifyInput, lineFormOf, slashUsage } from './parse-line.ts';
export { searchTerms, searchMatches } from './search-words.ts';
