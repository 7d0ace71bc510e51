// Injection tokens for the core services. tsyringe needs explicit @inject(token) on every constructor
// parameter because esbuild/tsx emit no decorator metadata. Plugins never see these: they get a plain ctx.
export const TOKENS = {
  RunStore: Symbol('RunStore'),
  Logger: Symbol('Logger'),
  Clock: Symbol('Clock'),
  Cache: Symbol('Cache'),
  Rng: Symbol('Rng'),
  EventLog: Symbol('EventLog'),
  Signal: Symbol('Signal'),
  RunRecord: Symbol('RunRecord'),
  ReportWriter: Symbol('ReportWriter'),
  CacheOptions: Symbol('CacheOptions'),
  /** What a run does (the host's Pipeline: core/pipeline/ for crucible's experiment). */
  Pipeline: Symbol('Pipeline'),
  /** The run's shared services (ctx.shared), backed by the run's container. */
  Shared: Symbol('Shared'),
} as const;
