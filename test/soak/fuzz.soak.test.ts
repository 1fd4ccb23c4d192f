import { defineFuzzSuite } from "../reliability/fuzz-suite.js";

// The fast suite's properties over 100,000 generated inputs per target (`npm run test:soak`);
// FUZZ_RUNS=<n> for a shorter run, FUZZ_SEED=<n> to replay one.
const runs = Number(process.env.FUZZ_RUNS || 100_000);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got ${process.env.FUZZ_RUNS}`);
defineFuzzSuite({ runs, perInputMs: 500 });
