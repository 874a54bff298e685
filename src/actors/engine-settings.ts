/**
 * The settings of the engine a server serves through: iostate's own engine
 * (`settings`), or an engine.io server bound with `io.bind(engine)`, which
 * keeps them as its own fields (engine.io 3) or under `opts` (engine.io 4
 * and later).
 */
import type { EngineServer } from '../transport/engine-server';
import type { ResolvedEngineOptions } from '../transport/engine-options';

export function engineSettings(engine: EngineServer): Partial<ResolvedEngineOptions> {
  const foreign = engine as unknown as Partial<ResolvedEngineOptions> & { opts?: Partial<ResolvedEngineOptions> };
  return (engine as Partial<EngineServer>).settings ?? foreign.opts ?? foreign;
}
