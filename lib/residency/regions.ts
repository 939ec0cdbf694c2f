import { DEFAULT_RESIDENCY_SETTINGS, type ResidencySettings, UK_REGION } from './settings';

/** The default allowed region (London); rules read the allowed regions from their settings instead. */
export const ALLOWED_REGION = UK_REGION;

/**
 * Stands for the allowed region(s) in rule texts (info, explanation, messages); `fillAllowed` puts the configured
 * regions in when a text is shown, so one rule serves any settings.
 */
export const ALLOWED = '{allowed region}';

/** The allowed regions as words: `eu-west-2`, or `eu-west-2 or eu-west-1`. */
export function allowedText(settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): string {
  return settings.allowedRegions.join(' or ');
}

/** A rule text with the allowed region(s) filled in. */
export function fillAllowed(text: string, settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): string {
  return text.split(ALLOWED).join(allowedText(settings));
}

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

const EXACT_REGION = new RegExp(`^${REGION_NAME_SOURCE}$`);

/** True when `region` is one of the allowed regions. */
export function isAllowedRegion(region: string, settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): boolean {
  return settings.allowedRegions.includes(region);
}

/** True when `value` names a region other than the allowed ones. */
export function isForeignRegion(value: string, settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): boolean {
  return EXACT_REGION.test(value) && !isAllowedRegion(value, settings);
}

/** Region names in `text` that are not allowed. */
export function foreignRegionNames(text: string, settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): { region: string; index: number }[] {
  return findRegionNames(text).filter((r) => !isAllowedRegion(r.region, settings));
}
