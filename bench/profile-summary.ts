import { readFileSync } from "node:fs";
import { isMain } from "./lib/args.js";

// Summarises a .cpuprofile (node --cpu-prof): top functions by self time, and self time per package /
// source file, so a bench run's hot spot can be named without a GUI.
//   npx tsx bench/profile-summary.ts <file.cpuprofile> [top=25]

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function area(url: string): string {
  if (url === "") return "(native/V8)";
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return url;
  const src = url.match(/\/(src|dist|bench)\/(.*)$/);
  return src ? `${src[1]}/${src[2]}` : url;
}

export function summarise(path: string, top = 25): string {
  const p = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"}  ${area(f.url)}:${f.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const a =
      f.functionName === "(idle)" || f.functionName === "(program)" || f.functionName === "(garbage collector)"
        ? f.functionName
        : area(f.url);
    files.set(a, (files.get(a) ?? 0) + us);
  }
  // inclusive time of our own code: every sample counts once for each src/ function on its stack
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!/\/(src|dist)\//.test(f.url) || f.url.includes("node_modules")) continue;
      const key = `${f.functionName || "(anonymous)"}  ${area(f.url)}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  // native and node: internals charged to the nearest package or src/ file that called them
  const owner = new Map<string, number>();
  for (const [id, us] of selfUs) {
    let who = "(native/V8)";
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      const f = n.callFrame;
      if (cur === id && ["(idle)", "(program)", "(garbage collector)"].includes(f.functionName)) {
        who = f.functionName;
        break;
      }
      if (f.url && !f.url.startsWith("node:")) {
        who = area(f.url);
        break;
      }
    }
    owner.set(who, (owner.get(who) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [`${path}: ${(total / 1e6).toFixed(1)} s sampled`, "", "self time by package/file:"];
  for (const [k, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  lines.push("", "time by package/file, native and node: internals charged to their caller:");
  for (const [k, us] of [...owner].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  lines.push("", "self time by function:");
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  lines.push("", "inclusive time of service code (src/ functions, callees included):");
  for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  return lines.join("\n");
}

if (isMain(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]");
    process.exit(2);
  }
  console.log(summarise(file, top ? Number(top) : 25));
}
