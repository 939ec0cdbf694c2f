import { ALLOWED_REGION } from '../../config/schema';

export { ALLOWED_REGION };

/**
 * An AWS region name (commercial, GovCloud, ISO, China). From the residency reference: a word boundary on each side
 * so that ids such as `myus-east-1x` are not mistaken for regions, and no anchoring so it is found inside URLs,
 * ARNs, host names and JSON.
 */
export const REGION_NAME_SOURCE =
  '\\b(us|eu|ap|ca|sa|me|af|il|mx|cn)(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\\d\\b';

/** A fresh global regex for region names (global regexes carry state, so never share one). */
export function regionNamePattern(): RegExp {
  return new RegExp(REGION_NAME_SOURCE, 'g');
}

/** Every region name found in `text`, with its offset. */
export function findRegionNames(text: string): { region: string; index: number }[] {
  const found: { region: string; index: number }[] = [];
  for (const m of text.matchAll(regionNamePattern())) found.push({ region: m[0], index: m.index });
  return found;
}

/** True when `value` names a region other than the allowed one. */
export function isForeignRegion(value: string): boolean {
  return new RegExp(`^${REGION_NAME_SOURCE}$`).test(value) && value !== ALLOWED_REGION;
}
