/**
 * How often the live figures are rewritten while they change. A change of state is written
 * at once: figures that move after it (a stop's fade) show at the next write.
 */
export const FIGURES_EVERY_MS = 100;
