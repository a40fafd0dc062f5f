/**
 * A SQL identifier as written in a query: its text (without quotes) and whether it was double-quoted.
 * Exists because Snowflake's case rules depend on quoting: `"Name"` is case-sensitive, `name` is not.
 */
export interface Identifier {
  readonly text: string;
  readonly quoted: boolean;
}

/**
 * Whether a query identifier designates a catalog name. Quoted identifiers must match the catalog name
 * exactly (Snowflake: quoted identifiers are case-sensitive). Unquoted identifiers resolve
 * case-insensitively (Snowflake upper-cases them; catalogs often store the name in another case).
 */
export function identifierMatches(ref: Identifier, catalogName: string): boolean {
  if (ref.quoted) return ref.text === catalogName;
  return ref.text.toUpperCase() === catalogName.toUpperCase();
}

/** Renders an identifier back to SQL text (for error messages that name what the query wrote). */
export function renderIdentifier(ref: Identifier): string {
  return ref.quoted ? `"${ref.text.replaceAll('"', '""')}"` : ref.text;
}
