import { defineFuzzSuite } from "./fuzz-suite.js";

// 2,000 generated inputs per target on every `npm test`; test/soak/fuzz.soak.test.ts runs 100,000.
defineFuzzSuite({ runs: 2000, perInputMs: 250 });
