import * as path from 'node:path';
import type { DepsSource } from '../lambda/handlers/http';
import { HANDLERS_DIR, type FunctionName } from '../lib/function-table';

/** What every entry point under `lambda/handlers/` exports besides `handler`: a factory taking its dependencies. */
export type HandlerFactory<H> = (deps: DepsSource) => H;

/**
 * The `makeHandler` of a function's entry point, found the way the stack finds it (`lambda/handlers/<name>`), so
 * the local front runs exactly the modules that are deployed and needs no list of its own.
 */
export async function loadHandlerFactory<H>(fn: FunctionName): Promise<HandlerFactory<H>> {
  const mod = (await import(path.join(HANDLERS_DIR, fn))) as { makeHandler?: unknown };
  if (typeof mod.makeHandler !== 'function') throw new Error(`lambda/handlers/${fn} does not export makeHandler`);
  return mod.makeHandler as HandlerFactory<H>;
}
