import { defineFuzzSuite } from "../reliability/fuzz-suite.js";

// The fast suite's properties over 100,000 generated inputs per target (`npm run test:soak`).
defineFuzzSuite({ runs: 100_000, perInputMs: 500 });
