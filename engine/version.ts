/** The engine's version, reported by `engine.status` and `agentos --version`. */
export const VERSION = "0.1.0";
