// Reads a catalog file (or the one bundled with this library) and validates it.
import { readFileSync } from 'node:fs';
import bundled from '../data/catalog.json' with { type: 'json' };
import { CatalogValidationError } from './catalog-errors.ts';
import { parseCatalog } from './parse-catalog.ts';
import type { PriceCatalog } from './price-catalog.ts';

/** Parses catalog file text; JSON syntax errors become a CatalogValidationError naming the file. */
export function parseCatalogText(text: string, origin: string): PriceCatalog {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CatalogValidationError([{ path: '', message: `not valid JSON: ${(error as Error).message}` }], origin);
  }
  return parseCatalog(json, origin);
}

/**
 * Loads and validates a catalog. Without a path, the catalog bundled with this library
 * (data/catalog.json), imported as a JSON module so it works under Node and under Jest alike.
 * @throws CatalogValidationError when the document is invalid; the fs error when the file cannot be read
 */
export function loadCatalog(path?: string): PriceCatalog {
  if (path === undefined) return parseCatalog(bundled, '@sophia/price-catalog/data/catalog.json');
  return parseCatalogText(readFileSync(path, 'utf8'), path);
}
