import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { postgresSettings } from "./bench-database.js";

// Tables on stdout and one JSON file per benchmark under bench/results/ (git-ignored).

export const RESULTS_DIR = fileURLToPath(new URL("../results", import.meta.url));

export type Cell = string | number | null | undefined;

/** Prints a Markdown table under its title and returns the same text. */
export function printTable(title: string, rows: Record<string, Cell>[]): string {
  const out: string[] = [`\n${title}\n`];
  if (rows.length === 0) {
    out.push("  (no rows)");
    console.log(out.join("\n"));
    return out.join("\n");
  }
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const text = (v: Cell) => (v === null || v === undefined ? "" : String(v));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(" | ")} |`;
  out.push(line(cols));
  out.push(`|${width.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows) out.push(line(cols.map((c) => text(r[c]))));
  console.log(out.join("\n"));
  return out.join("\n");
}

export interface RunInfo {
  date: string;
  commit: string;
  dirty: boolean;
  node: string;
  cpus: string;
  cores: number;
  memoryGb: number;
  loadAverage: number[];
  postgres: Record<string, string>;
}

export async function runInfo(): Promise<RunInfo> {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit: git(["rev-parse", "--short", "HEAD"]) || "unknown",
    dirty: git(["status", "--porcelain", "--", "src", "prisma"]) !== "",
    node: process.version,
    cpus: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    postgres: await postgresSettings(),
  };
}

/** Writes bench/results/<name>-<date>.json and returns its path. */
export function writeResult(name: string, info: RunInfo, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = info.date.replace(/[:.]/g, "-");
  const path = `${RESULTS_DIR}/${name}-${stamp}.json`;
  writeFileSync(path, `${JSON.stringify({ name, ...info, results: data }, null, 2)}\n`);
  return path;
}
