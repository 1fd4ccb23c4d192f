import { readFileSync } from "node:fs";

// Per-process figures from /proc: CPU time and memory of the service, the floor server and the Postgres
// backends serving them (all on this machine).

/** utime + stime of a process in ms: /proc/<pid>/stat fields 14 and 15, in 10 ms clock ticks. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function statusKb(pid: number, field: string): number {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) : 0;
}
