import fc from "fast-check";

// Every property-based test runs from a seed: FUZZ_SEED=<integer> replays a run, and without it a fixed
// default makes every run try the same inputs. A failure names the seed that reproduces it.

const DEFAULT_FUZZ_SEED = 20261201;

export function fuzzSeed(): number {
  const given = process.env.FUZZ_SEED;
  if (given === undefined || given === "") return DEFAULT_FUZZ_SEED;
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(given)}`);
  return seed;
}

/** fc.assert, with the seed to replay a failure at the head of its message. */
export async function assertProperty<Ts>(property: fc.IRawProperty<Ts>, params: fc.Parameters<Ts> & { seed: number }): Promise<void> {
  try {
    await fc.assert(property, params);
  } catch (error) {
    throw new Error(`property failed; replay with FUZZ_SEED=${params.seed}\n${(error as Error).message}`, { cause: error });
  }
}

/** A seeded stand-in for Math.random (mulberry32), for tests whose randomness must replay. */
export function seededRandom(seed: number = fuzzSeed()): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
