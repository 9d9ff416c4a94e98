/** The earlier ablation's configurations, shared by experiments/isbi/isbi.ts and experiments/isbi/isbi-run.ts. */
export const FIXED_CONFIGS = {
  paper: { label: 'weight map + elastic (paper)', weights: 'border', elastic: true },
  'no-weights': { label: 'no weight map + elastic', weights: 'none', elastic: true },
  'no-elastic': { label: 'weight map, no elastic', weights: 'border', elastic: false },
  neither: { label: 'no weight map, no elastic', weights: 'none', elastic: false },
} as const;

/** Their labels by name. */
export const FIXED_LABELS: Record<string, string> = Object.fromEntries(Object.entries(FIXED_CONFIGS).map(([name, c]) => [name, c.label]));
