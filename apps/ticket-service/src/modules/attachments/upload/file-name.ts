/** The longest stored filename, in characters (the column is varchar(255)). */
export const MAX_FILENAME_LENGTH = 255;

/** Invisible and direction-changing characters make `report\u202Efdp.exe` read as `reportexe.pdf`. */
const INVISIBLE_CHARACTERS = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Reserved on Windows, where most downloads end up. */
const RESERVED_CHARACTERS = /[<>:"|?*]/g;

/**
 * The client's filename made safe to store and to send back in Content-Disposition: only its last path
 * segment, without control or invisible characters, without leading dots (no hidden files) or trailing dots
 * and spaces, at most MAX_FILENAME_LENGTH characters with the extension kept. May return '' (no usable name).
 * The result is only ever metadata: storage keys never derive from it.
 */
export function sanitizeFileName(raw: string): string {
  const lastSegment = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = lastSegment
    .replace(LONE_SURROGATES, '')
    .normalize('NFC')
    .replace(/\p{Cc}/gu, '')
    .replace(INVISIBLE_CHARACTERS, '')
    .replace(RESERVED_CHARACTERS, '_')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '');
  return truncateKeepingExtension(cleaned, MAX_FILENAME_LENGTH);
}

/** Cuts the stem, never the extension; counts code points, so a surrogate pair is never split. */
function truncateKeepingExtension(name: string, max: number): string {
  const characters = Array.from(name);
  if (characters.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (extension.length >= max) return characters.slice(0, max).join('');
  const stem = Array.from(name.slice(0, name.length - extension.join('').length));
  return [...stem.slice(0, max - extension.length), ...extension].join('');
}

/** The lower-cased extension without the dot, or null when the name has none. */
export function extensionOf(fileName: string): string | null {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return null;
  return fileName.slice(dot + 1).toLowerCase();
}
